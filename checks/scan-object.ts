import {createHash} from 'node:crypto'
import {gunzipObject} from './decode/gunzip-object.js'
import {splitRecords} from './decode/split-records.js'
import type {PartitionKey} from './partition-key.js'
import {idBytes} from './record-id.js'
import type {Sample} from './report.js'
import type {RecordValidator} from './schema/record-validator.js'
import {hourStart} from './scope.js'

const HOUR_MS = 3_600_000

export interface ScanOptions {
  validator: RecordValidator
  /** The record field holding its unique id. @default 'event_id' */
  idField: string
  /** The record field holding its ISO-8601 time. @default 'ts' */
  timeField: string
  /** How far a record's time may lie outside its partition hour, in ms. */
  toleranceMs: number
  /** Samples kept per kind of problem. */
  maxSamples: number
}

/** Everything one object tells the checks; it is pure data, so a worker thread can produce it. */
export interface ObjectScan {
  key: string
  hour: string
  bytes: number
  /** SHA-256 of the stored bytes, to find identical objects. */
  digest: string
  corruption?: string
  records: number
  valid: number
  invalid: number
  unparseable: number
  unparseableSamples: Sample[]
  schemaSamples: Sample[]
  /** How many records failed with each `pointer message`, for the finding's summary line. */
  schemaMessages: Record<string, number>
  misplaced: number
  misplacedSamples: Sample[]
  /** The ids of the records that have one, 16 bytes each, in record order. */
  ids: Buffer
  /** The record index of each id in `ids`. */
  idIndexes: number[]
}

function formatOffset(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000)
  return minutes >= 60 ? `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m` : `${minutes}m`
}

/**
 * Decodes one object and judges each of its records: parse, schema, time against the partition
 * hour; collects the ids for duplicate detection, which needs every object and happens later.
 *
 * @example const scan = await scanObject(parsePartitionKey(key)!, await lake.read(key), options)
 */
export async function scanObject(object: PartitionKey, bytes: Buffer, options: ScanOptions): Promise<ObjectScan> {
  const {validator, idField, timeField, toleranceMs, maxSamples} = options
  const digest = createHash('sha256').update(bytes).digest('hex')
  const decoded = gunzipObject(bytes, object.gzipSuffix)
  const scan: ObjectScan = {
    key: object.key, hour: object.hour, bytes: bytes.length, digest, corruption: decoded.corruption,
    records: 0, valid: 0, invalid: 0, unparseable: 0, unparseableSamples: [], schemaSamples: [], schemaMessages: {},
    misplaced: 0, misplacedSamples: [], ids: Buffer.alloc(0), idIndexes: [],
  }
  const from = hourStart(object.hour) - toleranceMs
  const to = hourStart(object.hour) + HOUR_MS + toleranceMs
  let ids = Buffer.allocUnsafe(16 * 1024)
  let idCount = 0
  let lastUnparseable = -1

  const pieces = splitRecords(decoded.text.toString('utf8'), {
    record(value, index) {
      scan.records++
      const fields = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
      if (fields) {
        if (ids.length < (idCount + 1) * 16) ids = Buffer.concat([ids, Buffer.allocUnsafe(ids.length)])
        if (idBytes(fields[idField], ids, idCount * 16)) {
          idCount++
          scan.idIndexes.push(index)
        }
      }
      if (!validator.isValid(value)) {
        scan.invalid++
        const violations = validator.explain(value)
        for (const {pointer, message} of violations) {
          const signature = `${pointer || '/'} ${message}`
          scan.schemaMessages[signature] = (scan.schemaMessages[signature] ?? 0) + 1
          if (scan.schemaSamples.length < maxSamples) scan.schemaSamples.push({key: object.key, index, pointer, message})
        }
        return
      }
      scan.valid++
      const time = fields && typeof fields[timeField] === 'string' ? Date.parse(fields[timeField] as string) : Number.NaN
      if (!Number.isNaN(time) && (time < from || time >= to)) {
        scan.misplaced++
        if (scan.misplacedSamples.length < maxSamples) {
          const off = time < from ? time - (from + toleranceMs) : time - (to - toleranceMs)
          scan.misplacedSamples.push({key: object.key, index, pointer: `/${timeField}`, message: `${new Date(time).toISOString()} is ${formatOffset(off)} ${off < 0 ? 'before' : 'after'} its partition hour ${object.hour}`})
        }
      }
    },
    unparseable(index, reason, snippet) {
      scan.unparseable++
      lastUnparseable = index
      if (scan.unparseableSamples.length < maxSamples) scan.unparseableSamples.push({key: object.key, index, pointer: null, message: `${reason}; starts with ${JSON.stringify(snippet)}`})
    },
  })
  // The cut-off last piece of a corrupt object is damage already reported, not a bad record.
  if (decoded.corruption && lastUnparseable === pieces - 1 && pieces > 0) {
    scan.unparseable--
    scan.unparseableSamples = scan.unparseableSamples.filter((s) => s.index !== lastUnparseable)
    scan.corruption += `; the last, cut-off piece is dropped`
  }
  scan.ids = ids.subarray(0, idCount * 16)
  return scan
}
