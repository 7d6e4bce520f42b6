import {Worker} from 'node:worker_threads'
import {gzipSync} from 'node:zlib'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom} from '../../fixtures/random.js'
import {parseObjectKey} from '../../lake/layout/object-key.js'
import {loadSchema} from '../schema/record-validator.js'
import {compileProgram} from './fast-path-compile.js'
import {ScanPool} from './scan-pool.js'
import {discardWarmScanWorkers, prestartScanWorkers, takeWarmScanWorker, warmScanWorkers} from './warm-scan-workers.js'

const schema = await loadSchema()
const setup = {schema, program: compileProgram(schema, 'event_id', 'ts'), fastPath: true, idField: 'event_id', timeField: 'ts', toleranceMs: 15 * 60_000, maxSamples: 5}
const object = parseObjectKey('year=2026/month=02/day=10/hour=05/pixel-events-1-2026-02-10-05-20-00-0b7c4a1e-2f7d-4d6a-9c1b-3e5f7a9b1c2d.gz')!

/** An object of `count` valid records of hour 05. */
function gzipRecords(count: number): Uint8Array {
  const rand = seededRandom(3)
  const lines = Array.from({length: count}, (_, k) => JSON.stringify(pixelEvent(rand, new Date(Date.UTC(2026, 1, 10, 5, 10, k)))))
  return gzipSync(`${lines.join('\n')}\n`)
}

afterEach(() => discardWarmScanWorkers())

describe('prestartScanWorkers', () => {
  it('starts workers that wait to be taken, and starts no more than asked for in all', () => {
    prestartScanWorkers(2)
    prestartScanWorkers(2)
    expect(warmScanWorkers()).toBe(2)
  })

  it('hands out each started worker once, then none', async () => {
    prestartScanWorkers(1)
    const worker = takeWarmScanWorker()
    try {
      expect(worker).toBeDefined()
      expect(warmScanWorkers()).toBe(0)
      expect(takeWarmScanWorker()).toBeUndefined()
    } finally {
      await worker?.terminate()
    }
  })

  it('hands its workers to a ScanPool, which scans with them and stops the ones it does not need', async () => {
    prestartScanWorkers(3)
    const pool = new ScanPool(1, setup)
    try {
      expect(warmScanWorkers()).toBe(0)
      const scan = await pool.scan(object, gzipRecords(40))
      expect(scan).toMatchObject({records: 40, valid: 40, invalid: 0, unparseable: 0})
      expect(scan.idIndexes.length).toBe(40)
    } finally {
      await pool.close()
    }
  })

  it('stops every waiting worker on discardWarmScanWorkers by asking it to exit, never terminating it', async () => {
    const terminate = vi.spyOn(Worker.prototype, 'terminate')
    try {
      prestartScanWorkers(2)
      const exited = discardWarmScanWorkers()
      expect(warmScanWorkers()).toBe(0)
      expect(await exited).toEqual([0, 0])
      expect(terminate).not.toHaveBeenCalled()
    } finally {
      terminate.mockRestore()
    }
  })
})
