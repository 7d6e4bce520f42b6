import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {LedgerError, LedgerTargetError} from './errors.js'
import {type LedgerTarget, ReplayLedger} from './replay-ledger.js'

const REHEARSAL: LedgerTarget = {to: 'lake', lake: '/data/rehearsal-lake'}
const PRODUCTION: LedgerTarget = {to: 'lake', lake: '/data/production-lake'}
const STREAM: LedgerTarget = {to: 'firehose', stream: 'pixel-events', endpoint: 'aws', region: 'eu-west-1', account: '123456789012'}

function ledgerPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'pixel-ledger-')), 'replay.ledger.jsonl')
}

function entry(id: string): string {
  return `${JSON.stringify({event_id: id, replay_id: 'r', hour: 'h', at: 't'})}\n`
}

function header(target: LedgerTarget): string {
  return `${JSON.stringify({pixel_replay_ledger: 1, target, sources: ['backup/'], created: '2026-02-10T06:00:00.000Z'})}\n`
}

describe('the replay ledger', () => {
  it('reads back the ids an earlier run appended, under a header naming its target and sources', async () => {
    const path = ledgerPath()
    const first = await ReplayLedger.open(path, {target: STREAM, sources: ['backup/']})
    expect(first.ids).toEqual([])
    await first.append(['a', 'b'], 'replay-1', '2026-02-10T05')
    await first.append(['c'], 'replay-1', '2026-02-10T05')
    await first.close()
    const second = await ReplayLedger.open(path, {target: STREAM})
    expect(second.ids).toEqual(['a', 'b', 'c'])
    await second.close()
    const [head, line] = readFileSync(path, 'utf8').split('\n').map((l) => (l === '' ? undefined : JSON.parse(l)))
    expect(head).toMatchObject({pixel_replay_ledger: 1, target: STREAM, sources: ['backup/']})
    expect(line).toMatchObject({event_id: 'a', replay_id: 'replay-1', hour: '2026-02-10T05'})
    expect(Date.parse(line.at)).not.toBeNaN()
  })

  it('drops a last line torn by a crash and writes the next entry on a line of its own', async () => {
    const path = ledgerPath()
    writeFileSync(path, `${header(STREAM)}${entry('a')}{"event_id":"b","repl`)
    const ledger = await ReplayLedger.open(path, {target: STREAM})
    expect(ledger.ids).toEqual(['a'])
    await ledger.append(['c'], 'r2', 'h')
    await ledger.close()
    expect((await ReplayLedger.open(path, {target: STREAM, readOnly: true})).ids).toEqual(['a', 'c'])
  })

  it('writes a whole header over one torn before any entry', async () => {
    const path = ledgerPath()
    writeFileSync(path, '{"pixel_replay_ledger":1,"tar')
    const ledger = await ReplayLedger.open(path, {target: REHEARSAL})
    await ledger.append(['a'], 'r', 'h')
    await ledger.close()
    expect((await ReplayLedger.open(path, {target: REHEARSAL, readOnly: true})).ids).toEqual(['a'])
  })

  it('creates no file when opened read-only, as a dry run does', async () => {
    const path = ledgerPath()
    const ledger = await ReplayLedger.open(path, {target: STREAM, readOnly: true})
    await ledger.append(['a'], 'r', 'h')
    await ledger.close()
    expect(() => readFileSync(path)).toThrow(/ENOENT/)
  })
})

describe('a ledger of another target', () => {
  describe.each([
    {what: 'another lake', was: REHEARSAL, now: PRODUCTION},
    {what: 'a lake, now a stream', was: REHEARSAL, now: STREAM},
    {what: 'another stream', was: STREAM, now: {...STREAM, stream: 'pixel-events-prod'}},
    {what: 'another endpoint', was: STREAM, now: {...STREAM, endpoint: 'http://127.0.0.1:4573'}},
    {what: 'another account', was: STREAM, now: {...STREAM, account: '210987654321'}},
    {what: 'another region', was: STREAM, now: {...STREAM, region: 'us-east-1'}},
  ] satisfies {what: string; was: LedgerTarget; now: LedgerTarget}[])('$what', ({was, now}) => {
    it('is refused with one line naming both targets and what to do', async () => {
      const path = ledgerPath()
      writeFileSync(path, `${header(was)}${entry('a')}`)
      for (const readOnly of [false, true]) {
        const opening = ReplayLedger.open(path, {target: now, readOnly})
        await expect(opening).rejects.toThrow(LedgerTargetError)
        const message = await opening.then(() => '', (error: Error) => error.message)
        expect(message.split('\n')).toHaveLength(1)
        expect(message).toContain(path)
        expect(message).toMatch(/belongs to .* not to .*: pass --ledger/)
      }
      // Refusing it left it as it was.
      expect(readFileSync(path, 'utf8')).toBe(`${header(was)}${entry('a')}`)
    })
  })

  it('is the same target when only a dry run does not know the account', async () => {
    const path = ledgerPath()
    writeFileSync(path, `${header(STREAM)}${entry('a')}`)
    const {account: _, ...unknownAccount} = STREAM as Extract<LedgerTarget, {to: 'firehose'}>
    expect((await ReplayLedger.open(path, {target: unknownAccount, readOnly: true})).ids).toEqual(['a'])
  })
})

describe('a ledger file that is not a ledger', () => {
  describe.each([
    {what: 'garbage', text: 'x'.repeat(50) + '\n' + 'y'.repeat(50) + '\n', line: 1},
    {what: 'garbage after a header', text: `${header(STREAM)}${entry('a')}not a ledger line\n${entry('b')}`, line: 3},
    {what: 'a JSON line without an event_id', text: `${header(STREAM)}{"replay_id":"r"}\n`, line: 2},
    {what: 'a whole JSON document without a newline', text: '{"settings": true}', line: 1},
  ])('$what', ({text, line}) => {
    it(`is an error naming the file and line ${line}, and left as it was`, async () => {
      const path = ledgerPath()
      writeFileSync(path, text)
      const opening = ReplayLedger.open(path, {target: STREAM})
      await expect(opening).rejects.toThrow(LedgerError)
      await expect(opening).rejects.toThrow(`ledger ${path} line ${line} `)
      expect(readFileSync(path, 'utf8')).toBe(text)
    })
  })

  it('refuses a ledger written before ledgers named their target, saying what to do', async () => {
    const path = ledgerPath()
    writeFileSync(path, entry('a') + entry('b'))
    await expect(ReplayLedger.open(path, {target: STREAM})).rejects.toThrow(/does not say which target it belongs to .*: pass --ledger with a new file/)
  })
})
