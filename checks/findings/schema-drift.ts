import {type FieldDrift, type Finding, finding} from '../report/report.js'
import type {FieldTally, JsonType} from '../scan/source-metrics.js'

/** Field tallies over a number of sampled records. */
export interface FieldShares {
  sampled: number
  fields: Record<string, FieldTally>
}

export interface DriftLimits {
  /** A field never seen before is drift once in more than this share of records. @default 0.01 */
  newShare: number
  /** A field that was in more than this share of records is drift once it is gone. @default 0.5 */
  goneShare: number
  /** A change of a field's null share by more than this is drift. @default 0.3 */
  nullShift: number
}

export const DRIFT_LIMITS: DriftLimits = {newShare: 0.01, goneShare: 0.5, nullShift: 0.3}

const pct = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`
const nonNullTypes = (t: FieldTally) => (Object.keys(t.types) as JsonType[]).filter((k) => k !== 'null' && (t.types[k] ?? 0) > 0)

/**
 * Compares the fields of a day's records with those of the days before it (the history's last 7):
 * a field that is new in more than 1% of records, a field that was in more than half and is gone,
 * a field whose JSON type changed, or whose null share moved by more than 30 points. One finding
 * per field. Shares come from sampled records (see sampledRecord), so they are estimates.
 *
 * @example findSchemaDrift('2026-02-10', today, lastWeek, 7)
 */
export function findSchemaDrift(day: string, current: FieldShares, past: FieldShares, pastDays: number, limits: DriftLimits = DRIFT_LIMITS): Finding[] {
  if (current.sampled === 0 || past.sampled === 0) return []
  const since = `the ${pastDays === 1 ? 'day' : `${pastDays} days`} before ${day}`
  const findings: Finding[] = []
  const pointers = [...new Set([...Object.keys(current.fields), ...Object.keys(past.fields)])].sort()
  for (const pointer of pointers) {
    const now = current.fields[pointer]
    const before = past.fields[pointer]
    const nowShare = (now?.present ?? 0) / current.sampled
    const beforeShare = (before?.present ?? 0) / past.sampled
    let message: string | undefined
    let change: FieldDrift['change'] = 'new'
    if (!before) {
      if (nowShare > limits.newShare) message = `field ${pointer} is new on ${day}: in ${pct(nowShare)} of records, never seen in ${since}`
    } else if (!now) {
      change = 'gone'
      if (beforeShare > limits.goneShare) message = `field ${pointer} is gone on ${day}: it was in ${pct(beforeShare)} of records in ${since}`
    } else {
      const known = new Set(nonNullTypes(before))
      const added = known.size === 0 ? [] : nonNullTypes(now).filter((t) => !known.has(t) && (now.types[t] ?? 0) / now.present > limits.newShare)
      const nullsNow = now.nulls / current.sampled
      const nullsBefore = before.nulls / past.sampled
      if (added.length > 0) {
        change = 'type'
        message = `field ${pointer} changed type on ${day}: now ${added.join(', ')} in ${pct((now.types[added[0]] ?? 0) / current.sampled)} of records, only ${[...known].join(', ')} in ${since}`
      } else if (Math.abs(nullsNow - nullsBefore) > limits.nullShift) {
        change = 'nulls'
        message = `field ${pointer} is null in ${pct(nullsNow)} of records on ${day}, against ${pct(nullsBefore)} in ${since}`
      }
    }
    if (message) findings.push({...finding('schema-drift', {hour: null, key: null, count: now?.present ?? 0, message}), drift: {pointer, change}})
  }
  return findings
}
