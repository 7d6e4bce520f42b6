import {describe, expect, it} from 'vitest'
import type {ObjectKey} from '../../lake/layout/object-key.js'
import {loadSchema} from '../schema/record-validator.js'
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
