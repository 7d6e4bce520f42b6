import {createHash} from 'node:crypto'
import {gunzipObject, oversizeCorruption} from '../../lake/codec/gunzip-object.js'
import {type RecordSink, splitLineBytes, splitRecords} from '../../lake/codec/split-records.js'
import type {ObjectKey} from '../../lake/layout/object-key.js'
import {idBytes, idBytesAt} from '../../lake/ids/record-id.js'
import type {Sample} from '../report/report.js'
import type {FastPath} from './fast-path.js'
import type {RecordValidator} from '../schema/record-validator.js'
import {HOUR_MS, formatDuration, hourStart} from '../../lake/scope.js'


export interface ScanOptions {
  validator: RecordValidator
  /** Proves records valid from their bytes; records it cannot decide go to JSON.parse and ajv. */
  fastPath?: FastPath
  /** The record field holding its unique id. @default 'event_id' */
  idField: string
  /** The record field holding its ISO-8601 time. @default 'ts' */
  timeField: string
  /** How far a record's time may lie outside its partition hour, in ms. */
  toleranceMs: number
  /** Samples kept per kind of problem. */
  maxSamples: number
  /** Keep every schema-invalid or unparseable record itself, for `pixel check --quarantine`. @default false */
  quarantine?: boolean
  /** Lines longer than this are unparseable pieces, never decoded. @default MAX_LINE_BYTES, V8's longest string */
  maxLineBytes?: number
  /** An object that decodes to more is corrupt and not read (see gunzipObject). @default DEFAULT_MAX_OBJECT_BYTES, 1 GiB */
  maxObjectBytes?: number
}

/** One record the check rejected, whole: a line of `pixel check --quarantine FILE`. */
export interface QuarantineEntry {
  key: string
  index: number
  hour: string
  errors: {pointer: string; message: string}[]
  /** The parsed record (schema-invalid), or `line`: the raw text (not JSON). */
  record?: unknown
  line?: string
}

/** Everything one object tells the checks; plain data, so a worker thread can produce it. */
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
  ids: Uint8Array
  /** The record index of each id in `ids`. */
  idIndexes: Uint32Array
  /** With `quarantine`: the rejected records, in record order. */
  quarantined?: QuarantineEntry[]
}

/** Grows with the records: ids and their indexes in typed arrays of their own (transferable). */
class IdList {
  ids = new Uint8Array(16 * 1024)
  indexes = new Uint32Array(1024)
  count = 0

  room(): number {
    if (this.count === this.indexes.length) {
      const ids = new Uint8Array(this.ids.length * 2)
      ids.set(this.ids)
      const indexes = new Uint32Array(this.indexes.length * 2)
      indexes.set(this.indexes)
      this.ids = ids
      this.indexes = indexes
    }
    return this.count * 16
  }

  commit(index: number): void {
    this.indexes[this.count++] = index
  }
}

/**
 * The scan of an object too large to read at all (its stored size is past `maxObjectBytes`):
 * corrupt, with no records, and no digest (it is a copy of nothing).
 *
 * @example if (object.size > max) scan = unreadScan(object, object.size, max)
 */
export function unreadScan(object: ObjectKey, bytes: number, maxObjectBytes: number): ObjectScan {
  return {
    key: object.key, hour: object.hour, bytes, digest: '', corruption: oversizeCorruption(maxObjectBytes, 'stored'),
    records: 0, valid: 0, invalid: 0, unparseable: 0, unparseableSamples: [], schemaSamples: [], schemaMessages: {},
    misplaced: 0, misplacedSamples: [], ids: new Uint8Array(0), idIndexes: new Uint32Array(0),
  }
}

/**
 * Decodes one object and judges each of its records: parse, schema, time against the partition
 * hour; collects the ids for duplicate detection, which needs every object and happens later.
 *
 * @example const scan = scanObject(parseObjectKey(key)!, await lake.read(key), options)
 */
export function scanObject(object: ObjectKey, bytes: Uint8Array, options: ScanOptions): ObjectScan {
  const {validator, fastPath, idField, timeField, toleranceMs, maxSamples} = options
  const digest = createHash('sha256').update(bytes).digest('hex')
  const decoded = gunzipObject(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), object.gzipSuffix, {maxBytes: options.maxObjectBytes})
  const scan: ObjectScan = {
    key: object.key, hour: object.hour, bytes: bytes.length, digest, corruption: decoded.corruption,
    records: 0, valid: 0, invalid: 0, unparseable: 0, unparseableSamples: [], schemaSamples: [], schemaMessages: {},
    misplaced: 0, misplacedSamples: [], ids: new Uint8Array(0), idIndexes: new Uint32Array(0),
  }
  const from = hourStart(object.hour) - toleranceMs
  const to = hourStart(object.hour) + HOUR_MS + toleranceMs
  const ids = new IdList()
  let lastUnparseable = -1
  const quarantined: QuarantineEntry[] | undefined = options.quarantine ? (scan.quarantined = []) : undefined

  const placeInTime = (time: number, index: number) => {
    if (Number.isNaN(time) || (time >= from && time < to)) return
    scan.misplaced++
    if (scan.misplacedSamples.length < maxSamples) {
      const off = time < from ? time - (from + toleranceMs) : time - (to - toleranceMs)
      scan.misplacedSamples.push({key: object.key, index, pointer: `/${timeField}`, message: `${new Date(time).toISOString()} is ${formatDuration(off)} ${off < 0 ? 'before' : 'after'} its partition hour ${object.hour}`})
    }
  }

  const sink: RecordSink = {
    record(value, index) {
      scan.records++
      const fields = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
      if (fields) {
        const at = ids.room() // may grow the list: take the place before taking the buffer
        if (idBytes(fields[idField], Buffer.from(ids.ids.buffer), at)) ids.commit(index)
      }
      if (!validator.isValid(value)) {
        scan.invalid++
        const errors = validator.explain(value)
        quarantined?.push({key: object.key, index, hour: object.hour, errors, record: value})
        for (const {pointer, message} of errors) {
          const signature = `${pointer || '/'} ${message}`
          scan.schemaMessages[signature] = (scan.schemaMessages[signature] ?? 0) + 1
          if (scan.schemaSamples.length < maxSamples) scan.schemaSamples.push({key: object.key, index, pointer, message})
        }
        return
      }
      scan.valid++
      placeInTime(fields && typeof fields[timeField] === 'string' ? Date.parse(fields[timeField] as string) : Number.NaN, index)
    },
    unparseable(index, reason, snippet, piece) {
      scan.unparseable++
      quarantined?.push({key: object.key, index, hour: object.hour, errors: [{pointer: '', message: reason}], line: piece})
      lastUnparseable = index
      if (scan.unparseableSamples.length < maxSamples) scan.unparseableSamples.push({key: object.key, index, pointer: null, message: `${reason}; starts with ${JSON.stringify(snippet)}`})
    },
  }

  const text = decoded.text
  let pieces = 0
  if (fastPath) {
    fastPath.scanText(text, (line) => {
      if (line.valid) {
        scan.records++
        scan.valid++
        if (line.idStart >= 0) {
          const at = ids.room()
          if (idBytesAt(text, line.idStart, line.idEnd, ids.ids, at)) ids.commit(pieces)
        }
        placeInTime(line.time, pieces)
        pieces++
      } else {
        pieces = splitLineBytes(text, line.start, line.end, pieces, sink, false, options)
      }
    })
  } else {
    pieces = splitRecords(text, sink, options)
  }
  // The cut-off last piece of a corrupt object is damage already reported, not a bad record.
  if (decoded.corruption && lastUnparseable === pieces - 1 && pieces > 0) {
    scan.unparseable--
    scan.unparseableSamples = scan.unparseableSamples.filter((s) => s.index !== lastUnparseable)
    if (quarantined) scan.quarantined = quarantined.filter((q) => q.index !== lastUnparseable || q.line === undefined)
    scan.corruption += '; the last, cut-off piece is dropped'
  }
  scan.ids = ids.ids.slice(0, ids.count * 16)
  scan.idIndexes = ids.indexes.slice(0, ids.count)
  return scan
}
