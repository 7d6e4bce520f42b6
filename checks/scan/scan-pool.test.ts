import type {Worker} from 'node:worker_threads'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom} from '../../fixtures/random.js'
import {type ObjectKey, parseObjectKey} from '../../lake/layout/object-key.js'
import {loadSchema} from '../schema/record-validator.js'
import {compileProgram} from './fast-path-compile.js'
import {ScanPool} from './scan-pool.js'

const schema = await loadSchema()

describe('ScanPool', () => {
  it('rejects with the worker\'s error in one line, keeping its stack apart for DEBUG', async () => {
    const pool = new ScanPool(1, {schema, fastPath: false, idField: 'event_id', timeField: 'ts', toleranceMs: 0, maxSamples: 5})
    try {
      // Not an object key at all: scanObject throws inside the worker.
      const failed = pool.scan(null as unknown as ObjectKey, new Uint8Array(8))
      const error = await failed.then(() => undefined, (e: Error) => e)
      expect(error?.message).toMatch(/^scanning failed in a worker: Cannot read properties of null/)
      expect(error?.message).not.toContain('\n')
      expect(error?.stack).toMatch(/in the worker: TypeError: Cannot read properties of null[^]*scan-object/)
    } finally {
      await pool.close()
    }
  })
})

/** An object of `count` valid records of hour 05. */
function gzipRecords(count: number): Buffer {
  const rand = seededRandom(3)
  const lines = Array.from({length: count}, (_, k) => JSON.stringify(pixelEvent(rand, new Date(Date.UTC(2026, 1, 10, 5, 10, k)))))
  return gzipSync(`${lines.join('\n')}\n`)
}

const object = parseObjectKey('year=2026/month=02/day=10/hour=05/pixel-events-1-2026-02-10-05-20-00-0b7c4a1e-2f7d-4d6a-9c1b-3e5f7a9b1c2d.gz')!
const setup = {schema, program: compileProgram(schema, 'event_id', 'ts'), fastPath: true, idField: 'event_id', timeField: 'ts', toleranceMs: 15 * 60_000, maxSamples: 5}

describe.each([
  // A small Buffer lives in Node's shared pool, which cannot be moved to a worker.
  ['a small Buffer from the shared pool', (gz: Buffer) => Buffer.from(gz)],
  // A view into a larger buffer: moving that buffer would empty the caller's other bytes.
  ['a Buffer view into a larger buffer', (gz: Buffer) => Buffer.concat([Buffer.alloc(64 * 1024, 7), gz]).subarray(64 * 1024)],
])('ScanPool given %s', (_, place: (gz: Buffer) => Buffer) => {
  it('scans the object and leaves the caller\'s bytes in place', async () => {
    const bytes = place(gzipRecords(3))
    const before = Buffer.from(bytes)
    const pool = new ScanPool(1, setup)
    try {
      expect(await pool.scan(object, bytes)).toMatchObject({records: 3, valid: 3})
      expect(bytes.buffer.byteLength).toBeGreaterThan(0)
      expect(Buffer.compare(bytes, before)).toBe(0)
    } finally {
      await pool.close()
    }
  })
})

describe('ScanPool closing', () => {
  const exitCodes = (pool: ScanPool) => (pool as unknown as {workers: Worker[]}).workers.map((worker) => new Promise<number>((resolve) => worker.once('exit', resolve)))

  it('lets idle workers end on their own, with exit code 0, rather than terminating them', async () => {
    const pool = new ScanPool(2, setup)
    await Promise.all([pool.scan(object, gzipRecords(3)), pool.scan(object, gzipRecords(4))])
    const codes = exitCodes(pool)
    await pool.close()
    expect(await Promise.all(codes)).toEqual([0, 0])
  })

  it('terminates a worker still scanning (a check stopped half-way), whose object then fails', async () => {
    const pool = new ScanPool(1, setup)
    const scanning = pool.scan(object, gzipRecords(20_000)).then(() => 'scanned', (error: Error) => error.message)
    const codes = exitCodes(pool)
    await pool.close()
    expect(await Promise.all(codes)).toEqual([1])
    expect(await scanning).toBe('a scan worker stopped with exit code 1')
  })
})
