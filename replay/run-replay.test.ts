import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCheck} from '../checks/run-check.js'
import type {QuarantineEntry} from '../checks/scan/scan-object.js'
import {compileValidator, loadSchema} from '../checks/schema/record-validator.js'
import {hourScope} from '../lake/scope.js'
import {lakeFactory, tempLake} from '../fixtures/test-support/temp-lake.js'
import type {PixelEvent} from '../fixtures/pixel-event-factory.js'
import {lakeRecords} from '../pipeline/dev/test-support/dev-server-fixture.js'
import {ReplayLedger} from './replay-ledger.js'
import {resolveSources} from './replay-sources.js'
import {type ReplayAccount, type ReplayOptions, runReplay} from './run-replay.js'
import {compileTransform} from './transform-file.js'
import {TransformTimeoutError} from './errors.js'
import {startTransform} from './transform-runner.js'

const HOUR = '2026-02-10T05'
const TARGET = {to: 'lake', lake: '/data/lake'} as const
const validator = compileValidator(await loadSchema())

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'pixel-replay-'))
}

function ndjson(records: unknown[], extra = ''): string {
  const path = join(scratch(), 'source.ndjson')
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n' + extra)
  return path
}

function sumOfTheRest(a: ReplayAccount): number {
  return a.sent + a.skippedDuplicate + a.invalid + a.outOfHour + a.oversize + a.failed
}

async function replayToLake(path: string, overrides: Partial<ReplayOptions> = {}) {
  const lake = overrides.lake ?? tempLake()
  const ledger = await ReplayLedger.open(join(scratch(), 'ledger.jsonl'), {target: TARGET})
  const result = await runReplay({hour: HOUR, sources: await resolveSources([path]), validator, lake, target: {kind: 'lake', lake}, ledger, ...overrides})
  await ledger.close()
  return {result, lake}
}

describe('the account of a replay', () => {
  it('puts every record read in exactly one count', async () => {
    const f = lakeFactory(11)
    const good = f.events(HOUR, 5)
    const lake = tempLake()
    const alreadyThere = f.events(HOUR, 2)
    await lake.write(f.key(HOUR), f.gzip(alreadyThere))
    const records: unknown[] = [
      ...good,
      good[0], // the same event twice in the source
      ...alreadyThere,
      {...f.events(HOUR, 1)[0], badge: ''}, // fails the schema
      f.events('2026-02-10T06', 1)[0], // outside the hour
      {...f.events(HOUR, 1)[0], params: {big: 'x'.repeat(500)}, user_agent: 'y'.repeat(1000), page_url: 'z'.repeat(2000)}, // large but valid: sent
      [1, 2],
    ]
    const {result} = await replayToLake(ndjson(records, 'not json at all\n'), {lake})
    expect(result.account).toEqual({read: 13, sent: 6, skippedDuplicate: 3, invalid: 3, outOfHour: 1, oversize: 0, failed: 0})
    expect(result.account.read).toBe(sumOfTheRest(result.account))
    expect(result.inLake).toBe(2)
    expect(result.refused.map((r) => r.verdict).sort()).toEqual(['invalid', 'invalid', 'invalid', 'outOfHour'])
  })

  it('reports a record over Firehose\'s 1,000 KiB as oversize and a record without an id as invalid', async () => {
    const permissive = compileValidator({type: 'object'})
    const events = lakeFactory(17).events(HOUR, 2)
    const huge = {...events[0], blob: 'x'.repeat(1_000 * 1024)}
    const {result} = await replayToLake(ndjson([huge, events[1], {ts: events[1].ts}]), {validator: permissive})
    expect(result.account).toEqual({read: 3, sent: 1, skippedDuplicate: 0, invalid: 1, outOfHour: 0, oversize: 1, failed: 0})
  })

  it('marks records source replay with one replay_id, keeping event_id and ts', async () => {
    const events = lakeFactory(12).events(HOUR, 4)
    const {result, lake} = await replayToLake(ndjson(events))
    const landed = await lakeRecords(lake)
    expect(landed.map((r) => [r.event_id, r.ts])).toEqual(events.map((e) => [e.event_id, e.ts]))
    expect(new Set(landed.map((r) => r.source))).toEqual(new Set(['replay']))
    expect(new Set(landed.map((r) => r.replay_id))).toEqual(new Set([result.replayId]))
    expect(result.replayId.length).toBeLessThanOrEqual(64)
  })

  it('sends nothing on a second run of the same replay, by the ledger alone', async () => {
    const events = lakeFactory(13).events(HOUR, 6)
    const source = ndjson(events)
    const ledgerPath = join(scratch(), 'ledger.jsonl')
    const run = async () => {
      const ledger = await ReplayLedger.open(ledgerPath, {target: TARGET})
      const target = tempLake() // a fresh lake each time: only the ledger knows what was sent
      const {account} = await runReplay({hour: HOUR, sources: await resolveSources([source]), validator, target: {kind: 'lake', lake: target}, ledger})
      await ledger.close()
      return account
    }
    expect((await run()).sent).toBe(6)
    expect(await run()).toEqual({read: 6, sent: 0, skippedDuplicate: 6, invalid: 0, outOfHour: 0, oversize: 0, failed: 0})
  })

  it('sends nothing and writes nothing in a dry run, but shows before and after', async () => {
    const events = lakeFactory(14).events(HOUR, 3, {source: 'pixel'})
    const lake = tempLake()
    const result = await runReplay({hour: HOUR, sources: await resolveSources([ndjson(events)]), validator, lake, target: {kind: 'lake', lake}, dryRun: true, transform: compileTransform({flows: [{ops: [{op: 'set', pointer: '/badge', value: 'fixed'}]}]})})
    expect(result.account.sent).toBe(3)
    expect(await lakeRecords(lake)).toEqual([])
    expect(result.samples[0].before).toEqual(events[0])
    expect(result.samples[0].after).toMatchObject({badge: 'fixed', source: 'replay', event_id: events[0].event_id})
  })

  it('counts the records a transform drops as invalid', async () => {
    const events = lakeFactory(15).events(HOUR, 4)
    const {result} = await replayToLake(ndjson(events), {transform: (r) => ((r as PixelEvent).event_id === events[1].event_id ? null : r)})
    expect(result.account).toMatchObject({read: 4, sent: 3, invalid: 1})
    expect(result.refused).toEqual([expect.objectContaining({verdict: 'invalid', reason: 'dropped by the transform'})])
  })
})

describe('fixing a quarantined batch', () => {
  it('replays the records pixel check quarantined, fixed by a transform file, into their hour, and they pass the schema', async () => {
    const f = lakeFactory(16)
    const broken = f.events(HOUR, 8).map((e, i) => ({...e, ts: e.ts.replace('T', ' ').replace('Z', ''), schema_version: '1', ...(i % 2 ? {source: 'bot'} : {})}))
    const lake = tempLake()
    await lake.write(f.key(HOUR), f.gzip(broken))
    const quarantined: QuarantineEntry[] = []
    await runCheck({lake, scope: hourScope(HOUR), validator, quarantine: (e) => quarantined.push(e)})
    expect(quarantined).toHaveLength(8)
    const file = join(scratch(), 'quarantine.jsonl')
    writeFileSync(file, quarantined.map((q) => JSON.stringify(q)).join('\n'))
    const fix = compileTransform({
      flows: [
        {ops: [
          {op: 'replace', pointer: '/ts', regex: '^(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2}\\.\\d{3})$', with: '$1T$2Z'},
          {op: 'cast', pointer: '/schema_version', to: 'integer'},
        ]},
      ],
    })
    const ledger = await ReplayLedger.open(join(scratch(), 'ledger.jsonl'), {target: TARGET})
    // The broken originals in the hour do not count as there: their fixed copies are sent.
    const {account} = await runReplay({hour: HOUR, sources: await resolveSources([file]), validator, transform: fix, lake, target: {kind: 'lake', lake}, ledger})
    await ledger.close()
    expect(account).toEqual({read: 8, sent: 8, skippedDuplicate: 0, invalid: 0, outOfHour: 0, oversize: 0, failed: 0})
    const landed = (await lakeRecords(lake)).filter((r) => r.source === 'replay')
    expect(landed.map((r) => r.event_id)).toEqual(broken.map((b) => b.event_id))
    for (const record of landed) expect(validator.explain(record)).toEqual([])
    const report = await runCheck({lake, scope: hourScope(HOUR), validator})
    expect(report.summary).toMatchObject({records: 16, valid: 8, invalid: 8})
    // Once the fixed copies are in, the same replay (even without its ledger) sends nothing.
    const again = await runReplay({hour: HOUR, sources: await resolveSources([file]), validator, transform: fix, lake, target: {kind: 'lake', lake}})
    expect(again.account).toMatchObject({read: 8, sent: 0, skippedDuplicate: 8})
  })
})

describe('a transform that never finishes', () => {
  function module(text: string): string {
    const path = join(scratch(), 'fix.mjs')
    writeFileSync(path, text)
    return path
  }

  it('stops the replay with one line naming the record it was on, and sends nothing after', async () => {
    const events = lakeFactory(18).events(HOUR, 600)
    const source = ndjson(events)
    const transform = await startTransform(module(`export default (r) => { if (r.event_id === '${events[300].event_id}') for (;;) {} return r }`), {timeoutMs: 300})
    const lake = tempLake()
    const replay = runReplay({hour: HOUR, sources: await resolveSources([source]), validator, target: {kind: 'lake', lake}, transform})
    await expect(replay).rejects.toThrow(TransformTimeoutError)
    await expect(replay).rejects.toThrow(`the transform did not finish within 0.3s on ${source}#300: it loops or waits forever on it; fix the transform, or raise --transform-timeout`)
  })

  it('gives way to the signal: what was read and not sent counts as failed, interrupted', async () => {
    const events = lakeFactory(19).events(HOUR, 10)
    const transform = await startTransform(module('export default () => new Promise(() => {})'), {timeoutMs: 600_000})
    const controller = new AbortController()
    const lake = tempLake()
    setTimeout(() => controller.abort(), 200)
    const {account, failures} = await runReplay({hour: HOUR, sources: await resolveSources([ndjson(events)]), validator, target: {kind: 'lake', lake}, transform, signal: controller.signal})
    expect(account).toEqual({read: 10, sent: 0, skippedDuplicate: 0, invalid: 0, outOfHour: 0, oversize: 0, failed: 10})
    expect(failures).toEqual({interrupted: 10})
  })
})

describe('warnings', () => {
  it('keeps every warning of the run in the result, a source without records among them', async () => {
    const empty = join(scratch(), 'empty.ndjson.gz')
    writeFileSync(empty, '')
    const {result} = await replayToLake(empty)
    expect(result.account.read).toBe(0)
    expect(result.warnings).toEqual([`--from ${empty} holds no records`])
  })
})
