/** The JSON types a field can hold, as the history records them. */
export type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array'

/** How often one field (a JSON pointer) was present, null, and of each type, in sampled records. */
export interface FieldTally {
  present: number
  nulls: number
  types: Partial<Record<JsonType, number>>
}

/** What one source's records (real or canary) of an object, or of an hour, tell the history. */
export interface SourceMetrics {
  records: number
  valid: number
  invalid: number
  /** Lag from a valid record's time to its object's arrival, as [minute, count] pairs, minutes ascending. */
  lag: [number, number][]
  /** The largest lag in ms, or -1 when no valid record had a time. */
  lagMaxMs: number
  /** Records whose fields were tallied (see sampledRecord). */
  sampled: number
  /** Per JSON pointer, to FIELD_DEPTH levels; at most MAX_FIELDS pointers. */
  fields: Record<string, FieldTally>
  /** Pointers left out because MAX_FIELDS was reached or the name was longer than MAX_NAME. */
  fieldsDropped: number
}

/** Lag is kept in whole minutes up to a day; the last bucket holds a day or more. */
export const LAG_BUCKETS = 1441
/** How deep field statistics go: `/params` and `/params/utm_source`, not deeper. */
export const FIELD_DEPTH = 2
/** The most distinct pointers kept, so a storm of random keys cannot grow the history. */
export const MAX_FIELDS = 256
const MAX_NAME = 128

/**
 * Whether the record at `index` of its object has its fields tallied: the first 64 records of
 * every object, then one in 64. Parsing every record would undo the fast path; shares of present,
 * null and typed values from such a sample are estimates, exact on objects of up to 64 records.
 *
 * @example sampledRecord(63) // true; sampledRecord(65) // false
 */
export function sampledRecord(index: number): boolean {
  return index < 64 || (index & 63) === 0
}

export function emptySourceMetrics(): SourceMetrics {
  return {records: 0, valid: 0, invalid: 0, lag: [], lagMaxMs: -1, sampled: 0, fields: {}, fieldsDropped: 0}
}

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value === 'object' ? 'object' : (typeof value as JsonType)
}

// Most names hold neither character: no regex runs for them (this is per field of every sampled record).
const escapeToken = (name: string) => (name.includes('~') || name.includes('/') ? name.replace(/~/g, '~0').replace(/\//g, '~1') : name)

/**
 * A field's place in the tally: its pointer, its tally in `fields` (undefined once dropped) and
 * its children by name. Names from JSON.parse are internalized strings, so a Map lookup by name
 * reuses their hash, where building the pointer and looking it up in `fields` hashed a new
 * string for every field of every sampled record: a bench day's record took 1.37 us to tally
 * (0.9 us to parse), now 0.39.
 */
interface FieldNode {
  pointer: string
  tally: FieldTally | undefined
  children: Map<string, FieldNode> | undefined
}

const fieldTrees = new WeakMap<SourceMetrics, Map<string, FieldNode>>()

/** The node of `name` among `siblings` (below `prefix`), made at first sight, its tally put in `metrics.fields`. */
function fieldNode(metrics: SourceMetrics, siblings: Map<string, FieldNode>, prefix: string, name: string): FieldNode {
  const pointer = `${prefix}/${escapeToken(name)}`
  let tally: FieldTally | undefined = metrics.fields[pointer]
  if (!tally && Object.keys(metrics.fields).length < MAX_FIELDS) tally = metrics.fields[pointer] = {present: 0, nulls: 0, types: {}}
  const node: FieldNode = {pointer, tally, children: undefined}
  // A pointer left out stays out: `fields` only grows, so it would be left out again.
  siblings.set(name, node)
  return node
}

/**
 * Adds one parsed record's fields to `fields`, to FIELD_DEPTH levels.
 *
 * @example tallyFields({a: null}, metrics) // metrics.fields['/a'] = {present: 1, nulls: 1, types: {null: 1}}
 */
export function tallyFields(record: unknown, metrics: SourceMetrics): void {
  metrics.sampled++
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return
  let root = fieldTrees.get(metrics)
  if (!root) fieldTrees.set(metrics, (root = new Map()))
  const walk = (value: Record<string, unknown>, siblings: Map<string, FieldNode>, prefix: string, depth: number) => {
    // for-in, not Object.keys: no array a record, and V8 reads value[name] from the enum cache. A
    // parsed record's prototype is Object.prototype, which has no enumerable properties.
    for (const name in value) {
      if (name.length > MAX_NAME) {
        metrics.fieldsDropped++
        continue
      }
      const node = siblings.get(name) ?? fieldNode(metrics, siblings, prefix, name)
      const tally = node.tally
      if (!tally) {
        metrics.fieldsDropped++
        continue
      }
      const child = value[name]
      const type = typeOf(child)
      tally.present++
      if (type === 'null') tally.nulls++
      tally.types[type] = (tally.types[type] ?? 0) + 1
      if (type === 'object' && depth < FIELD_DEPTH) walk(child as Record<string, unknown>, (node.children ??= new Map()), node.pointer, depth + 1)
    }
  }
  walk(record as Record<string, unknown>, root, '', 1)
}

/** A lag histogram being filled, one typed array per source and object. */
export class LagHistogram {
  readonly counts = new Uint32Array(LAG_BUCKETS)
  maxMs = -1

  add(lagMs: number): void {
    const minute = lagMs <= 0 ? 0 : Math.min(LAG_BUCKETS - 1, Math.floor(lagMs / 60_000))
    this.counts[minute]++
    if (lagMs > this.maxMs) this.maxMs = lagMs
  }

  /** The non-empty buckets as [minute, count] pairs. */
  pairs(): [number, number][] {
    const out: [number, number][] = []
    for (let m = 0; m < LAG_BUCKETS; m++) if (this.counts[m] > 0) out.push([m, this.counts[m]])
    return out
  }
}

/**
 * Adds `from` into `into`: counts, lag buckets, field tallies (within MAX_FIELDS).
 *
 * @example mergeSourceMetrics(hourMetrics.real, scan.real)
 */
export function mergeSourceMetrics(into: SourceMetrics, from: SourceMetrics): void {
  into.records += from.records
  into.valid += from.valid
  into.invalid += from.invalid
  into.sampled += from.sampled
  into.fieldsDropped += from.fieldsDropped
  if (from.lagMaxMs > into.lagMaxMs) into.lagMaxMs = from.lagMaxMs
  if (from.lag.length > 0) {
    const merged = new Map(into.lag)
    for (const [m, n] of from.lag) merged.set(m, (merged.get(m) ?? 0) + n)
    into.lag = [...merged].sort((a, b) => a[0] - b[0])
  }
  for (const [pointer, tally] of Object.entries(from.fields)) {
    let target = into.fields[pointer]
    if (!target) {
      if (Object.keys(into.fields).length >= MAX_FIELDS) {
        into.fieldsDropped++
        continue
      }
      target = into.fields[pointer] = {present: 0, nulls: 0, types: {}}
    }
    target.present += tally.present
    target.nulls += tally.nulls
    for (const [type, n] of Object.entries(tally.types) as [JsonType, number][]) target.types[type] = (target.types[type] ?? 0) + n
  }
}

/**
 * The lag below which a share `q` of the records fall, in ms, at the histogram's one-minute
 * resolution (the upper edge of the bucket, never above the exact maximum); null without records.
 *
 * @example lagQuantile(metrics, 0.95) // 1_380_000
 */
export function lagQuantile(metrics: Pick<SourceMetrics, 'lag' | 'lagMaxMs'>, q: number): number | null {
  const total = metrics.lag.reduce((sum, [, n]) => sum + n, 0)
  if (total === 0) return null
  const rank = Math.ceil(q * total)
  let seen = 0
  for (const [minute, n] of metrics.lag) {
    seen += n
    if (seen >= rank) return Math.min((minute + 1) * 60_000, metrics.lagMaxMs)
  }
  return metrics.lagMaxMs
}
