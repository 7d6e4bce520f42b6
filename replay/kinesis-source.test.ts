import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, inject, it} from 'vitest'

import {runCheck} from '../checks/run-check.js'
import {compileValidator, loadSchema} from '../checks/schema/record-validator.js'
import {pixelEvent} from '../fixtures/pixel-event-factory.js'
import {seededRandom} from '../fixtures/random.js'
import {MOTO_CREDENTIALS} from '../fixtures/test-support/moto-server.js'
import {motoKinesis, streamHolding} from '../fixtures/test-support/moto-kinesis.js'
import {tempLake} from '../fixtures/test-support/temp-lake.js'
import {hourScope} from '../lake/scope.js'
import {lakeRecords} from '../pipeline/dev/test-support/dev-server-fixture.js'
import {ReplaySourceError} from './errors.js'
import {defaultKinesisStart, kinesisStreamOf, ofAnotherHour} from './kinesis-source.js'
import {ReplayLedger} from './replay-ledger.js'
import {closeSources, readSources, resolveSources} from './replay-sources.js'
import {runReplay} from './run-replay.js'

process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId
process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey

const HOUR = '2026-02-10T05'
const validator = compileValidator(await loadSchema())

/** Events of HOUR and of the hours around it, interleaved as a stream holds them. */
function streamEvents() {
  const rand = seededRandom(21)
  const at = (hour: string, i: number) => new Date(Date.parse(`${hour}:00:00Z`) + i * 90_000)
  return Array.from({length: 30}, (_, i) => pixelEvent(rand, at(['2026-02-10T04', HOUR, HOUR, '2026-02-10T06'][i % 4], i)))
}

describe('kinesis:// sources', () => {
  it.each([
    ['kinesis://pixel-events', 'pixel-events'],
    ['kinesis://pixel-events/', 'pixel-events'],
    ['./kinesis', undefined],
  ])('read %s as the stream %s', (spec, stream) => {
    expect(kinesisStreamOf(spec)).toBe(stream)
  })

  it('refuse a stream name Kinesis cannot have, in one line', () => {
    expect(() => kinesisStreamOf('kinesis://a/b')).toThrow(ReplaySourceError)
  })

  it('start 15 minutes before the hour by default', () => {
    expect(defaultKinesisStart(HOUR).toISOString()).toBe('2026-02-10T04:45:00.000Z')
  })

  it.each([
    ['a record of another hour', `{"ts":"2026-02-10T06:00:00.000Z"}`, true],
    ['a record of the hour', `{"ts":"2026-02-10T05:59:59.999Z"}`, false],
    ['text that is not JSON', 'not json', false],
    ['a record without ts', '{"a":1}', false],
  ])('pass over %s: %s', (_what, text, passed) => {
    expect(ofAnotherHour(Buffer.from(text), HOUR)).toBe(passed)
  })

  it('read every shard of a moto stream, keeping the records of the hour and counting the others', async () => {
    const kinesis = motoKinesis()
    const events = streamEvents()
    const stream = await streamHolding(kinesis, [...events.map((e) => `${JSON.stringify(e)}\n`), 'not json\n'], {shards: 3})
    kinesis.destroy()
    const sources = await resolveSources([`kinesis://${stream}`], {}, {endpointUrl: inject('s3Endpoint')})
    const warnings: string[] = []
    const pieces = []
    try {
      for await (const piece of readSources(sources, HOUR, (w) => warnings.push(w), {kinesisStart: new Date(0)})) pieces.push(piece)
    } finally {
      closeSources(sources)
    }
    const ofHour = events.filter((e) => e.ts.startsWith(HOUR))
    expect(pieces.filter((p) => p.value !== undefined).map((p) => (p.value as {event_id: string}).event_id).sort()).toEqual(ofHour.map((e) => e.event_id).sort())
    expect(pieces.filter((p) => p.problem !== undefined)).toHaveLength(1)
    expect(pieces[0].origin).toMatch(new RegExp(`^kinesis://${stream}/shardId-\\d{12}/\\d+#0$`))
    expect(warnings).toEqual([`--from kinesis://${stream}: ${events.length - ofHour.length} records of other hours (by their ts) were passed over`])
  })

  it('rebuild an hour from the stream into the lake exactly once, and send nothing the second time', async () => {
    const kinesis = motoKinesis()
    const events = streamEvents()
    const stream = await streamHolding(kinesis, events.map((e) => `${JSON.stringify(e)}\n`), {shards: 2})
    kinesis.destroy()
    const lake = tempLake()
    const ledgerPath = join(mkdtempSync(join(tmpdir(), 'pixel-replay-kinesis-')), 'ledger.jsonl')
    const replay = async () => {
      const sources = await resolveSources([`kinesis://${stream}`], {}, {endpointUrl: inject('s3Endpoint')})
      const ledger = await ReplayLedger.open(ledgerPath, {target: {to: 'lake', lake: lake.url}})
      try {
        return await runReplay({hour: HOUR, sources, validator, lake, target: {kind: 'lake', lake}, ledger, kinesisStart: new Date(0)})
      } finally {
        await ledger.close()
        closeSources(sources)
      }
    }
    const first = await replay()
    const ofHour = events.filter((e) => e.ts.startsWith(HOUR)).length
    expect(first.account).toMatchObject({read: ofHour, sent: ofHour, outOfHour: 0, failed: 0})
    const again = await replay()
    expect(again.account).toMatchObject({read: ofHour, sent: 0, skippedDuplicate: ofHour})
    const report = await runCheck({lake, scope: hourScope(HOUR), validator, now: new Date('2026-11-28T00:00:00Z')})
    expect(report.summary).toMatchObject({records: ofHour, duplicateRecords: 0})
    expect((await lakeRecords(lake)).every((r) => r.source === 'replay')).toBe(true)
  })

  it('name a stream that does not exist, before anything is read', async () => {
    await expect(resolveSources(['kinesis://no-such-stream'], {}, {endpointUrl: inject('s3Endpoint')})).rejects.toThrow(/cannot list the shards of kinesis:\/\/no-such-stream: ResourceNotFoundException.*check the stream name/)
  })
})
