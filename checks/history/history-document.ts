import {HistoryError} from '../errors.js'
import type {FieldTally, JsonType} from '../scan/source-metrics.js'

/** The marker every line of a history document carries: pixel wrote it, in this layout. */
export const HISTORY_FORMAT = 'pixel-history/1'

/** Where a day's document lives below the history location: a Hive-style `day=` partition. */
export function historyKey(day: string): string {
  return `day=${day}/pixel-history.jsonl`
}

const KEY = /^day=(\d{4}-\d{2}-\d{2})\/pixel-history\.jsonl$/

/** The day a history key names, or undefined when the key is not one pixel writes. */
export function dayOfHistoryKey(key: string): string | undefined {
  return KEY.exec(key)?.[1]
}

export type Source = 'real' | 'canary'

/**
 * One line of a history document: one hour and one source (the canary's records, or the real
 * ones). Names are snake_case for Athena and DuckDB; `day` is the partition, not a column.
 */
export interface HistoryLine {
  format: typeof HISTORY_FORMAT
  /** `YYYY-MM-DDTHH`. */
  hour: string
  source: Source
  /** False for an hour that had not ended when it was checked (`--day today`): no baseline uses it. */
  ended: boolean
  /** True when the hour had a gap or volume finding when recorded: later baselines leave it out. */
  anomalous: boolean
  records: number
  valid: number
  invalid: number
  duplicates: number
  /** Objects holding at least one of the source's records. */
  objects: number
  /** Stored bytes of those objects, split between the sources in proportion to their records. */
  bytes: number
  /** Lag from record time to object arrival, in seconds at one-minute resolution; null without timed records. */
  lag_p50_s: number | null
  lag_p95_s: number | null
  lag_max_s: number | null
  /** Records whose fields were tallied (the first 64 of each object, then one in 64). */
  sampled: number
  fields: HistoryField[]
  fields_dropped: number
}

export interface HistoryField {
  pointer: string
  present: number
  nulls: number
  types: Partial<Record<JsonType, number>>
}

/** A day's document: its lines in (hour, source) order. */
export interface HistoryDay {
  day: string
  lines: HistoryLine[]
}

/** Fields as tallies keyed by pointer, for merging. */
export function fieldMap(fields: HistoryField[]): Record<string, FieldTally> {
  return Object.fromEntries(fields.map((f) => [f.pointer, {present: f.present, nulls: f.nulls, types: {...f.types}}]))
}

/**
 * Serialises a day as JSON lines, each line's keys in a fixed order, so the same metrics always
 * give the same bytes (a rebuilt history is byte-for-byte the same).
 *
 * @example await store.write(historyKey(day.day), serializeHistoryDay(day))
 */
export function serializeHistoryDay(day: HistoryDay): string {
  return day.lines
    .map((l) =>
      JSON.stringify({
        format: HISTORY_FORMAT, hour: l.hour, source: l.source, ended: l.ended, anomalous: l.anomalous,
        records: l.records, valid: l.valid, invalid: l.invalid, duplicates: l.duplicates, objects: l.objects, bytes: l.bytes,
        lag_p50_s: l.lag_p50_s, lag_p95_s: l.lag_p95_s, lag_max_s: l.lag_max_s, sampled: l.sampled,
        fields: [...l.fields].sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0)).map((f) => ({pointer: f.pointer, present: f.present, nulls: f.nulls, types: sortedTypes(f.types)})),
        fields_dropped: l.fields_dropped,
      }),
    )
    .map((line) => line + '\n')
    .join('')
}

function sortedTypes(types: Partial<Record<JsonType, number>>): Partial<Record<JsonType, number>> {
  return Object.fromEntries(Object.entries(types).sort(([a], [b]) => (a < b ? -1 : 1)))
}

const COUNTS = ['records', 'valid', 'invalid', 'duplicates', 'objects', 'bytes', 'sampled', 'fields_dropped'] as const
const LAGS = ['lag_p50_s', 'lag_p95_s', 'lag_max_s'] as const
const isCount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

/**
 * Reads a day's document, refusing anything pixel would not have written: a line that is not
 * JSON, lacks the format marker, names an hour of another day, or holds a count that is not one.
 *
 * @example parseHistoryDay('2026-02-10', text, 's3://bucket/history/day=2026-02-10/pixel-history.jsonl')
 */
export function parseHistoryDay(day: string, text: string, where: string): HistoryDay {
  const lines: HistoryLine[] = []
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return
    const fail = (why: string): never => {
      throw new HistoryError(`history document ${where} line ${i + 1} ${why}: it was not written by pixel check; point --history at a location of its own`)
    }
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch {
      fail('is not JSON')
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('is not a JSON object')
    const line = value as Record<string, unknown>
    if (line.format !== HISTORY_FORMAT) fail(`has no "format": "${HISTORY_FORMAT}"`)
    if (typeof line.hour !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(line.hour) || line.hour.slice(0, 10) !== day) fail(`names hour ${JSON.stringify(line.hour)}, not an hour of ${day}`)
    if (line.source !== 'real' && line.source !== 'canary') fail('has a "source" other than real or canary')
    if (typeof line.ended !== 'boolean' || typeof line.anomalous !== 'boolean') fail('lacks "ended" or "anomalous"')
    for (const name of COUNTS) if (!isCount(line[name])) fail(`has a "${name}" that is not a count`)
    for (const name of LAGS) if (line[name] !== null && typeof line[name] !== 'number') fail(`has a "${name}" that is not a number`)
    const fields = line.fields
    if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'object' && f !== null && typeof f.pointer === 'string' && isCount(f.present) && isCount(f.nulls) && typeof f.types === 'object' && f.types !== null)) {
      fail('has "fields" that are not {pointer, present, nulls, types}')
    }
    lines.push(line as unknown as HistoryLine)
  })
  if (lines.length === 0) throw new HistoryError(`history document ${where} is empty: it was not written by pixel check; delete it or point --history elsewhere`)
  return {day, lines}
}
