import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {lakeFactory} from '../fixtures/test-support/temp-lake.js'
import {ReplaySourceError} from './errors.js'
import {LEDGER_SUFFIX, type SourceRecord, closeSources, readSources, resolveSources} from './replay-sources.js'

const HOUR = '2026-02-10T05'
const f = lakeFactory(31)
const events = f.events(HOUR, 4)
const lines = events.map((e) => `${JSON.stringify(e)}\n`).join('')

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'pixel-sources-'))
}

async function read(spec: string): Promise<SourceRecord[]> {
  const sources = await resolveSources([spec])
  const out: SourceRecord[] = []
  for await (const piece of readSources(sources, HOUR)) out.push(piece)
  closeSources(sources)
  return out
}

const ids = (pieces: SourceRecord[]) => pieces.map((p) => (p.value as {event_id?: string} | undefined)?.event_id)

describe.each([
  {kind: 'a gzip file', make: () => {
    const path = join(dir(), 'export.gz')
    writeFileSync(path, gzipSync(lines))
    return path
  }},
  {kind: 'records back to back without newlines', make: () => {
    const path = join(dir(), 'export.json')
    writeFileSync(path, events.map((e) => JSON.stringify(e)).join(''))
    return path
  }},
  {kind: 'a folder of files, its ledger and hidden files left out', make: () => {
    const root = dir()
    mkdirSync(join(root, 'b'))
    writeFileSync(join(root, 'a.ndjson'), lines.split('\n').slice(0, 2).join('\n'))
    writeFileSync(join(root, 'b', 'c.ndjson.gz'), gzipSync(lines.split('\n').slice(2).join('\n')))
    writeFileSync(join(root, `a.ndjson${LEDGER_SUFFIX}`), '{"event_id":"x"}\n')
    writeFileSync(join(root, `a.ndjson${LEDGER_SUFFIX}.lock`), '{"pid":1}')
    writeFileSync(join(root, '.DS_Store'), 'junk')
    return root
  }},
  {kind: 'a lake folder, of which only the hour is read', make: () => {
    const root = dir()
    const write = (key: string, body: Buffer) => {
      mkdirSync(join(root, key, '..'), {recursive: true})
      writeFileSync(join(root, key), body)
    }
    write(f.key(HOUR), f.gzip(events))
    write(f.key('2026-02-10T06'), f.gzip(f.events('2026-02-10T06', 3)))
    return root
  }},
  {kind: 'a pixel check --quarantine file', make: () => {
    const path = join(dir(), 'quarantine.jsonl')
    writeFileSync(path, events.map((e, i) => JSON.stringify({key: 'k', index: i, hour: HOUR, errors: [{pointer: '/badge', message: 'bad'}], record: e})).join('\n'))
    return path
  }},
])('reading $kind', ({make}) => {
  it('gives every record in order, each with its origin', async () => {
    const pieces = await read(make())
    expect(ids(pieces)).toEqual(events.map((e) => e.event_id))
    for (const p of pieces) expect(p.origin).toMatch(/#\d+/)
  })
})

describe('reading what is not a record', () => {
  it('gives text that is not JSON, and a quarantined line, as a problem with its origin', async () => {
    const path = join(dir(), 'mixed.jsonl')
    writeFileSync(path, `${JSON.stringify(events[0])}\nnot json\n${JSON.stringify({key: 'year=2026/k.gz', index: 7, hour: HOUR, errors: [], line: '{"broken'})}\n`)
    const pieces = await read(path)
    expect(pieces.map((p) => p.problem === undefined)).toEqual([true, false, false])
    expect(pieces[1].origin).toBe(`${path}#1`)
    expect(pieces[2].origin).toBe(`${path}#2 (quarantined year=2026/k.gz#7)`)
  })

  it('refuses a source that does not exist, naming it', async () => {
    await expect(resolveSources(['/nonexistent/export.ndjson'])).rejects.toThrow(ReplaySourceError)
    await expect(resolveSources(['/nonexistent/export.ndjson'])).rejects.toThrow('cannot read --from /nonexistent/export.ndjson: ENOENT')
  })
})
