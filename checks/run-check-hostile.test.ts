import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import type {LocalLake} from '../lake/store/local-lake.js'
import {type CheckOptions, runCheck} from './run-check.js'
import {compileValidator, loadSchema} from './schema/record-validator.js'
import {hourScope} from '../lake/scope.js'
import {lakeFactory, tempLake} from '../fixtures/test-support/temp-lake.js'

const HOUR = '2026-02-10T05'
const validator = compileValidator(await loadSchema())
type Factory = ReturnType<typeof lakeFactory>

/** A lake holding `hostile` objects between two healthy ones of 10 records each. */
async function lakeWith(hostile: (lake: LocalLake, f: Factory) => Promise<string[]>): Promise<{lake: LocalLake; keys: string[]}> {
  const lake = tempLake()
  const f = lakeFactory()
  await lake.write(f.key(HOUR, 1), f.gzip(f.events(HOUR, 10)))
  const keys = await hostile(lake, f)
  await lake.write(f.key(HOUR, 59), f.gzip(f.events(HOUR, 10)))
  return {lake, keys}
}

const check = (lake: LocalLake, options: Partial<CheckOptions> = {}) => runCheck({lake, scope: hourScope(HOUR), validator, now: new Date('2026-11-28T00:00:00Z'), ...options})

describe.each([0, 2])('runCheck with %i workers', (workers) => {
  it('reports a gzip bomb as a corrupt object, with its key, and judges the rest of the hour', async () => {
    const {lake, keys} = await lakeWith(async (lake, f) => {
      const key = f.key(HOUR, 30)
      await lake.write(key, gzipSync(Buffer.alloc(32 << 20, 0x0a), {level: 9}))
      return [key]
    })
    const report = await check(lake, {workers, maxObjectBytes: 4 << 20})
    expect(report.findings.map((x) => [x.check, x.key])).toEqual([['corrupt-object', keys[0]]])
    expect(report.findings[0].message).toContain('over the --max-object-size of 4 MiB once decoded, so not read')
    expect(report.summary).toMatchObject({objects: 3, records: 20, valid: 20})
  })

  it('reports an object stored larger than the bound without reading it', async () => {
    const {lake, keys} = await lakeWith(async (lake, f) => {
      const key = f.key(HOUR, 30)
      await lake.write(key, f.gzip(f.events(HOUR, 2000), {gzip: false}))
      return [key]
    })
    const read: string[] = []
    const watched = Object.assign(Object.create(lake) as LocalLake, {read: (key: string) => (read.push(key), lake.read(key))})
    const report = await check(watched, {workers, maxObjectBytes: 64 << 10})
    expect(report.findings.map((x) => [x.check, x.key])).toEqual([['corrupt-object', keys[0]]])
    expect(report.findings[0].message).toContain('over the --max-object-size of 65536 bytes as stored, so not read')
    expect(read).not.toContain(keys[0])
    expect(report.summary).toMatchObject({objects: 3, records: 20})
  })
})

describe('runCheck on empty objects', () => {
  it('reports each empty .gz object as corrupt, and no copy of the other', async () => {
    const {lake, keys} = await lakeWith(async (lake, f) => {
      const empty = [f.key(HOUR, 20), f.key(HOUR, 30)]
      for (const key of empty) await lake.write(key, Buffer.alloc(0))
      return empty
    })
    const report = await check(lake)
    expect(report.findings.map((x) => [x.check, x.key])).toEqual(keys.map((key) => ['corrupt-object', key]))
    expect(report.findings[0].message).toContain('empty object, not gzip')
  })

  it('finds nothing in two identical objects that hold no records', async () => {
    const {lake} = await lakeWith(async (lake, f) => {
      for (const minute of [20, 30, 40]) await lake.write(f.key(HOUR, minute), gzipSync(minute === 40 ? '\n\n' : ''))
      return []
    })
    expect((await check(lake)).findings).toEqual([])
  })

  it('still reports identical objects that hold records as copies', async () => {
    const {lake, keys} = await lakeWith(async (lake, f) => {
      const body = f.gzip(f.events(HOUR, 3))
      const copies = [f.key(HOUR, 20), f.key(HOUR, 30)]
      for (const key of copies) await lake.write(key, body)
      return copies
    })
    expect((await check(lake)).findings.map((x) => [x.check, x.key])).toEqual([['duplicate-object', keys[1]], ['duplicate-record', null]])
  })
})

describe.each([0, 2])('runCheck with %i workers on an object rewritten between the listing and its read', (workers) => {
  /**
   * Three objects of 3, 4 and 5 records (sizes no other shares) whose reads of `changed` return the
   * bytes of `to`, as if it were rewritten after the listing: `reads` counts each key's reads.
   */
  async function rewritten(changed: number, to: number) {
    const {lake, keys} = await lakeWith(async (lake, f) => {
      const keys = [f.key(HOUR, 20), f.key(HOUR, 30), f.key(HOUR, 40)]
      for (const [i, key] of keys.entries()) await lake.write(key, f.gzip(f.events(HOUR, 3 + i)))
      return keys
    })
    const reads = new Map<string, number>()
    const watched = Object.assign(Object.create(lake) as LocalLake, {read: (key: string) => {
      reads.set(key, (reads.get(key) ?? 0) + 1)
      return lake.read(key === keys[changed] ? keys[to] : key)
    }})
    const report = await check(watched, {workers})
    return {keys, reads, findings: report.findings.filter((x) => x.check === 'duplicate-object').map((x) => [x.key, x.samples[0].key])}
  }

  it('reports an object that now copies an earlier one, hashing the earlier one again', async () => {
    const {keys, reads, findings} = await rewritten(2, 0)
    expect(findings).toEqual([[keys[2], keys[0]]])
    expect(reads.get(keys[0])).toBe(2)
  })

  it('reports a later object that copies what an earlier one now holds', async () => {
    const {keys, reads, findings} = await rewritten(0, 2)
    expect(findings).toEqual([[keys[2], keys[0]]])
    expect(reads.get(keys[2])).toBe(2)
  })

  it('reads each object once when no size is shared', async () => {
    const {keys, reads, findings} = await rewritten(1, 1)
    expect(findings).toEqual([])
    expect(keys.map((key) => reads.get(key))).toEqual([1, 1, 1])
  })
})
