import {DecodeScratch} from '../../lake/codec/decode-scratch.js'
import {gunzipObject, oversizeCorruption} from '../../lake/codec/gunzip-object.js'
import {type RecordSink, splitLineBytes, splitRecords} from '../../lake/codec/split-records.js'
import type {ObjectKey} from '../../lake/layout/object-key.js'
import {idBytes, idBytesAt} from '../../lake/ids/record-id.js'
import type {Sample} from '../report/report.js'
import type {FastPath} from './fast-path.js'
import {FACT, type ScannedLine, factOfField} from './fast-path-program.js'
import type {LineAbsorber} from './native-scan.js'
import {BACKSLASH, QUOTE} from './json-bytes.js'
import type {RecordValidator} from '../schema/record-validator.js'
import {HOUR_MS, formatDuration, hourStart} from '../../lake/scope.js'
import {objectDigest} from '../../lake/codec/object-digest.js'
import {FieldLocator, type LocatedValue} from './field-locator.js'
import {type IpPolicy, breaksIpPolicy, ipv4KindAt, ipv6KindAt} from './ip-address.js'
import {LagHistogram, type SourceMetrics, emptySourceMetrics, sampledRecord, tallyFields} from './source-metrics.js'


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
  /** Which records are the canary's: those whose `field` is `value` (a string, or a literal's JSON text). */
  canary?: CanaryRule
  /** The record field holding the client address, for the raw-ip check. @default none */
  ipField?: string
  /** What the address field may hold. @default 'anonymise' */
  ipPolicy?: IpPolicy
  /** Hash the object's bytes for duplicate-object (see ObjectDigests); without it the digest is ''. @default true */
  digest?: boolean
}

/**
 * The root fields scanObject reads from each proven-valid line (the canary's, the address): the
 * fast path compiled with them locates them as it scans (compileFastPath's `fields`).
 *
 * @example compileFastPath(schema, 'event_id', 'ts', {fields: locatedFields(options)})
 */
export function locatedFields(options: Pick<ScanOptions, 'canary' | 'ipField' | 'ipPolicy'>): string[] {
  const fields = options.canary ? [options.canary.field] : []
  if (options.ipField !== undefined && options.ipPolicy !== 'full') fields.push(options.ipField)
  return fields
}

/** `--canary FIELD=VALUE`. */
export interface CanaryRule {
  field: string
  value: string
}

/** Whether a parsed field value is the canary's: the string itself, or a literal spelled as VALUE. */
export function isCanaryValue(value: unknown, rule: CanaryRule): boolean {
  if (typeof value === 'string') return value === rule.value
  return (typeof value === 'number' || typeof value === 'boolean' || value === null) && JSON.stringify(value) === rule.value
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
  /** SHA-256 of the stored bytes, to find identical objects; '' when they were not hashed. */
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
  /** The records that are not the canary's. */
  real: SourceMetrics
  /** The canary's records (see ScanOptions.canary). */
  canary: SourceMetrics
  /** The ids of the canary's records, as `ids`, so its duplicates can be told from real ones. */
  canaryIds: Uint8Array
  canaryIdIndexes: Uint32Array
  /** Records whose address field breaks the --ip-policy. */
  rawIp: number
  rawIpSamples: Sample[]
  /** Records that hold the address field with a value other than null. */
  ipSeen: number
}

/** Grows with the records: ids and their indexes in typed arrays of their own (transferable). */
class IdList {
  ids: Uint8Array
  indexes: Uint32Array
  count = 0

  /** @param capacity the ids expected; the list doubles past them. */
  constructor(capacity = 1024) {
    this.ids = new Uint8Array(16 * capacity)
    this.indexes = new Uint32Array(capacity)
  }

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

  /** Adds the id that `from` holds at byte `at` (the canary's copy of an id just added to the record list). */
  addCopy(from: Uint8Array, at: number, index: number): void {
    const place = this.room() // may grow the list: take the place before taking the buffer
    this.ids.set(from.subarray(at, at + 16), place)
    this.commit(index)
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
    real: emptySourceMetrics(), canary: emptySourceMetrics(), canaryIds: new Uint8Array(0), canaryIdIndexes: new Uint32Array(0),
    rawIp: 0, rawIpSamples: [], ipSeen: 0,
  }
}

// One per thread: scanObject is synchronous and keeps no view of an object's text (samples,
// quarantined lines and ids are copies), so the next object may decode over it.
const scratch = new DecodeScratch()

/**
 * Decodes one object and judges each of its records: parse, schema, time against the partition
 * hour; collects the ids for duplicate detection, which needs every object and happens later.
 *
 * @example const scan = scanObject(parseObjectKey(key)!, await lake.read(key), options)
 */
export function scanObject(object: ObjectKey, bytes: Uint8Array, options: ScanOptions): ObjectScan {
  const {validator, fastPath, idField, timeField, toleranceMs, maxSamples} = options
  const digest = options.digest === false ? '' : objectDigest(bytes)
  const decoded = gunzipObject(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), object.gzipSuffix, {maxBytes: options.maxObjectBytes, scratch})
  const scan: ObjectScan = {
    key: object.key, hour: object.hour, bytes: bytes.length, digest, corruption: decoded.corruption,
    records: 0, valid: 0, invalid: 0, unparseable: 0, unparseableSamples: [], schemaSamples: [], schemaMessages: {},
    misplaced: 0, misplacedSamples: [], ids: new Uint8Array(0), idIndexes: new Uint32Array(0),
    real: emptySourceMetrics(), canary: emptySourceMetrics(), canaryIds: new Uint8Array(0), canaryIdIndexes: new Uint32Array(0),
    rawIp: 0, rawIpSamples: [], ipSeen: 0,
  }
  const {canary, ipField} = options
  const ipPolicy = options.ipPolicy ?? 'anonymise'
  const arrival = object.arrival.getTime()
  const lags = [new LagHistogram(), new LagHistogram()]
  const sources = [scan.real, scan.canary]
  const canaryIds = new IdList()
  const noteIp = (value: unknown, index: number) => {
    if (value === undefined || value === null) return
    scan.ipSeen++
    if (!breaksIpPolicy(value, ipPolicy)) return
    scan.rawIp++
    if (scan.rawIpSamples.length < maxSamples) {
      // Never the address itself: the report must not spread what it warns about.
      const what = ipPolicy === 'omit' ? 'holds an address though --ip-policy is omit' : typeof value === 'string' && value.includes(':') ? 'holds an IPv6 address with bits beyond its /48' : 'holds an IPv4 address whose last octet is not 0'
      scan.rawIpSamples.push({key: object.key, index, pointer: `/${ipField}`, message: what})
    }
  }
  const from = hourStart(object.hour) - toleranceMs
  const to = hourStart(object.hour) + HOUR_MS + toleranceMs
  // Room for an id every 320 bytes of text (pixel events run 300-600 bytes a line) spares most
  // objects the list's doublings, each a copy and a fresh buffer.
  const ids = new IdList(Math.max(1024, Math.ceil(decoded.text.length / 320)))
  let lastUnparseable = -1
  const quarantined: QuarantineEntry[] | undefined = options.quarantine ? (scan.quarantined = []) : undefined

  // The lag of a record placed in its hour: one in another hour is judged as misplaced instead.
  const placeInTime = (time: number, index: number, source: number) => {
    if (Number.isNaN(time)) return
    if (time >= from && time < to) {
      lags[source].add(arrival - time)
      return
    }
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
      const isCanary = canary !== undefined && fields !== undefined && isCanaryValue(fields[canary.field], canary)
      const source = isCanary ? 1 : 0
      const metrics = sources[source]
      metrics.records++
      if (fields) {
        const at = ids.room() // may grow the list: take the place before taking the buffer
        if (idBytes(fields[idField], Buffer.from(ids.ids.buffer), at)) {
          ids.commit(index)
          if (isCanary) canaryIds.addCopy(ids.ids, at, index)
        }
        if (ipField !== undefined) noteIp(fields[ipField], index)
      }
      if (sampledRecord(index)) tallyFields(value, metrics)
      if (!validator.isValid(value)) {
        metrics.invalid++
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
      metrics.valid++
      const time = fields && typeof fields[timeField] === 'string' ? Date.parse(fields[timeField] as string) : Number.NaN
      placeInTime(time, index, source)
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
    // Lines the fast path proves valid are never parsed: the canary's field and the address are
    // read from their bytes, where the scanner found them (or a FieldLocator, for a fast path
    // compiled without them), and only sampled lines are parsed for field tallies.
    const canaryBytes = canary && Buffer.from(canary.value, 'utf8')
    const canaryAt = canary ? fieldSource(fastPath, text, canary.field) : undefined
    const ipAt = ipField !== undefined && ipPolicy !== 'full' ? fieldSource(fastPath, text, ipField) : undefined
    const ipLocated = ipAt ? fastPath.fieldIndex(ipField!) : -1
    // The native scanner tells an anonymised address (the common case) from the line's facts.
    const anonymisedIp = ipAt && ipPolicy === 'anonymise' ? factOfField(ipLocated, 'anonymisedIp') : 0
    const found: LocatedValue = {start: 0, end: 0, string: false, escaped: false}
    // Plain lines, most of a healthy lake, the native scanner counts itself: their ids, their
    // lags, their addresses. It can where the fields those judge are located.
    const canaryField = canary ? fastPath.fieldIndex(canary.field) : -1
    const absorber: LineAbsorber | undefined = fastPath.native && (!canary || canaryField >= 0) && (!ipAt || ipLocated >= 0)
      ? {
          canaryField, canaryValue: canaryBytes || NO_BYTES, ipField: ipLocated, ipFact: anonymisedIp,
          fromMs: from, toMs: to, arrivalMs: arrival, ids, lag: lags[0],
          index: () => pieces,
          skip: (lines) => void (pieces += lines),
          counted(lines, ipSeen) {
            scan.records += lines
            scan.valid += lines
            scan.real.records += lines
            scan.real.valid += lines
            scan.ipSeen += ipSeen
          },
        }
      : undefined
    fastPath.scanText(text, (line) => {
      if (line.valid) {
        let source = 0
        if (canaryAt && canaryAt(line, found) && (found.escaped ? isCanaryValue(decodeString(text, found), canary!) : found.string ? equalRange(text, found, canaryBytes!) : isCanaryValue(JSON.parse(text.toString('latin1', found.start, found.end)), canary!))) source = 1
        const metrics = sources[source]
        metrics.records++
        metrics.valid++
        scan.records++
        scan.valid++
        if (line.idSlot >= 0) {
          // The native scanner added the id already, in its place.
          if (source === 1) canaryIds.addCopy(ids.ids, line.idSlot * 16, pieces)
        } else if (line.idStart >= 0) {
          const at = ids.room()
          // The native scanner's bytes for a UUID; any other id is read (or hashed) here.
          if (line.facts & FACT.ID_UUID ? copyId(line, ids.ids, at) : idBytesAt(text, line.idStart, line.idEnd, ids.ids, at)) {
            ids.commit(pieces)
            if (source === 1) canaryIds.addCopy(ids.ids, at, pieces)
          }
        }
        if (line.facts & anonymisedIp) scan.ipSeen++
        else if (ipAt && ipAt(line, found)) noteFastIp(text, found, pieces)
        if (sampledRecord(pieces)) tallyFields(JSON.parse(text.toString('utf8', line.start, line.end)), metrics)
        placeInTime(line.time, pieces, source)
        pieces++
      } else {
        pieces = splitLineBytes(text, line.start, line.end, pieces, sink, false, options)
      }
    }, absorber)
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
  scan.canaryIds = canaryIds.ids.slice(0, canaryIds.count * 16)
  scan.canaryIdIndexes = canaryIds.indexes.slice(0, canaryIds.count)
  scratch.release()
  for (const source of [0, 1]) {
    sources[source].lag = lags[source].pairs()
    sources[source].lagMaxMs = lags[source].maxMs
  }
  return scan

  function noteFastIp(bytes: Buffer, at: LocatedValue, index: number): void {
    if (!at.string) {
      // null, or a literal the schema allowed: only null is no address.
      if (at.end - at.start === 4 && bytes.toString('latin1', at.start, at.end) === 'null') return
      noteIp(JSON.parse(bytes.toString('latin1', at.start, at.end)), index)
      return
    }
    // The common case, an anonymised address, read from its bytes without a string.
    if (!at.escaped && ipPolicy === 'anonymise' && (ipv4KindAt(bytes, at.start, at.end) ?? ipv6KindAt(bytes, at.start, at.end)) === 'anonymised') {
      scan.ipSeen++
      return
    }
    noteIp(at.escaped ? decodeString(bytes, at) : bytes.toString('utf8', at.start, at.end), index)
  }
}

/**
 * Where a root field's value sits in a proven-valid line: read from what the scanner located
 * (ScannedLine.fields), or found by a FieldLocator when the fast path does not locate it.
 */
function fieldSource(fastPath: FastPath, text: Buffer, name: string): (line: ScannedLine, out: LocatedValue) => boolean {
  const k = fastPath.fieldIndex(name)
  if (k < 0) {
    const locator = new FieldLocator(text, name)
    return (line, out) => locator.find(line.start, line.end, out)
  }
  const escaped = factOfField(k, 'escaped')
  return (line, out) => {
    const start = line.fields[2 * k]
    if (start < 0) return false
    const end = line.fields[2 * k + 1]
    if (text[start] === QUOTE) {
      out.start = start + 1
      out.end = end - 1
      out.string = true
      out.escaped = false
      if (escaped !== 0 && line.facts & FACT.KNOWN) out.escaped = (line.facts & escaped) !== 0
      else for (let i = out.start; i < out.end; i++) if (text[i] === BACKSLASH) out.escaped = true
    } else {
      out.start = start
      out.end = end
      out.string = false
      out.escaped = false
    }
    return true
  }
}

const NO_BYTES = new Uint8Array(0)

/** A UUID id's 16 bytes, as the native scanner read them, into `out` at `at`; true, as idBytesAt for an id. */
function copyId(line: ScannedLine, out: Uint8Array, at: number): true {
  const from = line.idBytes
  for (let i = 0, o = line.idOffset; i < 16; i++) out[at + i] = from[o + i]
  return true
}

/** A located string value that holds escapes, decoded as JSON.parse would. */
function decodeString(text: Buffer, at: LocatedValue): string {
  return JSON.parse(text.toString('utf8', at.start - 1, at.end + 1)) as string
}

function equalRange(text: Uint8Array, at: LocatedValue, value: Uint8Array): boolean {
  if (at.end - at.start !== value.length) return false
  for (let i = 0; i < value.length; i++) if (text[at.start + i] !== value[i]) return false
  return true
}
