import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach} from 'vitest'
import {gzipRecords} from '../../pipeline/lake-object.js'
import {type PixelEvent, pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom, seededUuid} from '../../fixtures/random.js'
import {LocalLake} from '../lake/local-lake.js'
import {objectKey} from '../partition-key.js'

const made: string[] = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, {recursive: true, force: true})
})

/** A fresh, empty folder lake that is removed after the test. */
export function tempLake(): LocalLake {
  const dir = mkdtempSync(join(tmpdir(), 'pixel-lake-'))
  made.push(dir)
  return new LocalLake(dir)
}

/** Small typed factories for lake contents, seeded so every run builds the same lake. */
export function lakeFactory(seed = 1) {
  const rand = seededRandom(seed)
  return {
    /** `n` valid events spread over the hour `hour` (`YYYY-MM-DDTHH`). */
    events(hour: string, n: number, overrides: Partial<PixelEvent> = {}): PixelEvent[] {
      const start = Date.parse(`${hour}:00:00.000Z`)
      return Array.from({length: n}, (_, i) => pixelEvent(rand, new Date(start + Math.floor((i * 3_600_000) / Math.max(n, 1))), overrides))
    },
    /** The key Firehose would give an object of `hour` arriving `arrivalMinutes` after the hour began. */
    key(hour: string, arrivalMinutes = 20): string {
      const start = new Date(`${hour}:00:00.000Z`)
      return objectKey({stream: 'pixel', version: 1, hour: start, arrival: new Date(start.getTime() + arrivalMinutes * 60_000), uuid: seededUuid(rand)})
    },
    gzip: gzipRecords,
  }
}
