import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {constants, createGzip, gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {lakeFactory} from '../fixtures/test-support/temp-lake.js'
import {ReplaySourceError} from './errors.js'
import {LEDGER_SUFFIX, type SourceRecord, closeSources, readSources, resolveSources} from './replay-sources.js'
import {decodedChunks, sourceLines} from './source-lines.js'

const HOUR = '2026-02-10T05'
const f = lakeFactory(31)
const events = f.events(HOUR, 4)
const lines = events.map((e) => `${JSON.stringify(e)}\n`).join('')

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'pixel-sources-'))
}

async function read(spec: string, warnings: string[] = []): Promise<SourceRecord[]> {
  const sources = await resolveSources([spec])
  const out: SourceRecord[] = []
  for await (const piece of readSources(sources, HOUR, (w) => warnings.push(w))) out.push(piece)
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
  {kind: 'a gzip file whose name does not say so', make: () => {
    const path = join(dir(), 'export.ndjson')
    writeFileSync(path, gzipSync(lines))
    return path
  }},
  {kind: 'a plain NDJSON file named .gz', make: () => {
    const path = join(dir(), 'export.ndjson.gz')
    writeFileSync(path, lines)
    return path
  }},
  {kind: 'a gzip file of several members', make: () => {
    const path = join(dir(), 'export.gz')
    const half = lines.split('\n').slice(0, 2).join('\n') + '\n'
    writeFileSync(path, Buffer.concat([gzipSync(half), gzipSync(lines.slice(half.length))]))
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
    writeFileSync(join(root, 'b', 'd.ndjson'), '')
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

describe('a source that yields nothing', () => {
  describe.each([
    {kind: 'an empty file', make: () => {
      const path = join(dir(), 'empty.ndjson')
      writeFileSync(path, '')
      return path
    }},
    {kind: 'a file of blank lines', make: () => {
      const path = join(dir(), 'blank.ndjson.gz')
      writeFileSync(path, gzipSync('\n\n  \n'))
      return path
    }},
    {kind: 'an empty folder', make: () => dir()},
  ])('$kind', ({make}) => {
    it('is a warning naming it', async () => {
      const spec = make()
      const warnings: string[] = []
      expect(await read(spec, warnings)).toEqual([])
      expect(warnings).toEqual([`--from ${spec} holds no records`])
    })
  })
})

describe('counting and streaming', () => {
  it('counts a line that is not JSON once, whatever braces it holds', async () => {
    const path = join(dir(), 'garbage.txt')
    writeFileSync(path, Array.from({length: 1000}, (_, i) => `garbage line ${i} {not json`).join('\n'))
    const pieces = await read(path)
    expect(pieces).toHaveLength(1000)
    expect(pieces.every((p) => p.problem?.startsWith('not JSON'))).toBe(true)
    expect(pieces[999].origin).toBe(`${path}#999`)
  })

  it('still gives each record of a line holding several back to back, the broken one as a problem', async () => {
    const path = join(dir(), 'mixed.json')
    writeFileSync(path, `${JSON.stringify(events[0])} broken ${JSON.stringify(events[1])}\n`)
    const pieces = await read(path)
    expect(pieces.map((p) => p.problem === undefined)).toEqual([true, false, true])
  })

  it('refuses a line that is not UTF-8, as DuckDB and Athena do', async () => {
    const path = join(dir(), 'latin1.ndjson')
    writeFileSync(path, Buffer.concat([Buffer.from('{"event_id":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n'), Buffer.from(lines)]))
    const pieces = await read(path)
    expect(pieces[0].problem).toBe('not valid UTF-8')
    expect(ids(pieces.slice(1))).toEqual(events.map((e) => e.event_id))
  })

  it('cuts records written back to back without any newline as they stream, past the size one line may take', async () => {
    const many = lakeFactory(32).events(HOUR, 12_000)
    const path = join(dir(), 'no-newlines.json')
    writeFileSync(path, many.map((e) => JSON.stringify(e)).join(''))
    const pieces = await read(path)
    expect(pieces.length).toBe(12_000)
    expect(pieces.every((p) => p.problem === undefined)).toBe(true)
  })

  it('gives one problem for a run of bytes with no newline and no whole record, and reads on after it', async () => {
    const path = join(dir(), 'huge-line.txt')
    writeFileSync(path, Buffer.concat([Buffer.alloc(20 << 20, 'x'), Buffer.from(`\n${lines}`)]))
    const pieces = await read(path)
    expect(pieces[0].problem).toMatch(/^20971520 bytes without a newline or a whole JSON object/)
    expect(ids(pieces.slice(1))).toEqual(events.map((e) => e.event_id))
  })

  it('keeps the records before the damage in a truncated gzip file, with a warning', async () => {
    const path = join(dir(), 'cut.gz')
    const whole = gzipSync(lakeFactory(33).events(HOUR, 2000).map((e) => `${JSON.stringify(e)}\n`).join(''))
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length / 2)))
    const warnings: string[] = []
    const pieces = await read(path, warnings)
    expect(pieces.filter((p) => p.problem === undefined).length).toBeGreaterThan(100)
    expect(warnings).toEqual([`${path}: truncated gzip; the records before the damage are read`])
  })
})

describe('the lines of a stream', () => {
  /** Chunks that stop after the first until `release` is called: a reader that waits for the end never sees a line. */
  function gated(first: Buffer, rest: Buffer) {
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    async function* chunks() {
      yield first
      await released
      yield rest
    }
    return {chunks: chunks(), release}
  }

  it.each([
    {kind: 'plain text', encode: async (a: string, b: string) => [Buffer.from(a), Buffer.from(b)] as const},
    {kind: 'gzip', encode: async (a: string, b: string) => {
      // A sync flush makes the first part decodable before the rest exists, as a stream would be.
      const gzip = createGzip()
      const out: Buffer[] = []
      gzip.on('data', (c: Buffer) => out.push(c))
      gzip.write(a)
      await new Promise<void>((resolve) => gzip.flush(constants.Z_SYNC_FLUSH, () => resolve()))
      const first = Buffer.concat(out.splice(0))
      const ended = new Promise((resolve) => gzip.once('end', resolve))
      gzip.end(b)
      await ended
      return [first, Buffer.concat(out)] as const
    }},
  ])('hands out each line of $kind before the rest of the source is there', async ({encode}) => {
    const [first, rest] = await encode('{"a":1}\n{"b"', ':2}\n')
    const {chunks, release} = gated(first, rest)
    const lines = sourceLines(decodedChunks(chunks, () => {}))
    const one = await lines.next()
    expect(one.value).toEqual({bytes: Buffer.from('{"a":1}')})
    release()
    expect((await lines.next()).value).toEqual({bytes: Buffer.from('{"b":2}')})
    expect((await lines.next()).done).toBe(true)
  })
})
