import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ReplayLedger} from './replay-ledger.js'

function ledgerPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'pixel-ledger-')), 'replay.ledger.jsonl')
}

describe('the replay ledger', () => {
  it('reads back the ids an earlier run appended', async () => {
    const path = ledgerPath()
    const first = await ReplayLedger.open(path)
    expect(first.ids).toEqual([])
    await first.append(['a', 'b'], 'replay-1', '2026-02-10T05')
    await first.append(['c'], 'replay-1', '2026-02-10T05')
    await first.close()
    const second = await ReplayLedger.open(path)
    expect(second.ids).toEqual(['a', 'b', 'c'])
    await second.close()
    const line = JSON.parse(readFileSync(path, 'utf8').split('\n')[0])
    expect(line).toMatchObject({event_id: 'a', replay_id: 'replay-1', hour: '2026-02-10T05'})
    expect(Date.parse(line.at)).not.toBeNaN()
  })

  it('ignores a line torn by a crash and writes the next entry on a line of its own', async () => {
    const path = ledgerPath()
    writeFileSync(path, '{"event_id":"a","replay_id":"r","hour":"h","at":"t"}\n{"event_id":"b","repl')
    const ledger = await ReplayLedger.open(path)
    expect(ledger.ids).toEqual(['a'])
    await ledger.append(['c'], 'r2', 'h')
    await ledger.close()
    expect((await ReplayLedger.open(path, {readOnly: true})).ids).toEqual(['a', 'c'])
  })

  it('creates no file when opened read-only, as a dry run does', async () => {
    const path = ledgerPath()
    const ledger = await ReplayLedger.open(path, {readOnly: true})
    await ledger.append(['a'], 'r', 'h')
    await ledger.close()
    expect(() => readFileSync(path)).toThrow(/ENOENT/)
  })
})
