import type {HistoryDay} from './history-document.js'

const DAY_MS = 86_400_000

/** What an hour is expected to hold, from the same hour on the same weekday of past weeks. */
export interface VolumeBaseline {
  /** The expected real records, or null while learning. */
  expected: number | null
  /** How many past weeks gave a usable count. */
  weeks: number
}

/** A past week must be recorded, ended and not anomalous to count; this many are needed. */
export const MIN_BASELINE_WEEKS = 3

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * The baseline of an hour: the median of its real records on the same weekday over the last
 * `weeks` weeks, leaving out weeks not recorded, hours not ended when recorded, and hours that
 * were anomalous (a gap or a volume finding), so a past outage cannot lower the bar. With fewer
 * than MIN_BASELINE_WEEKS usable weeks (or `weeks`, if smaller) the hour is learning.
 *
 * The median of a few weeks is kept over a mean or a seasonal model on purpose: one odd week
 * (a holiday, a launch) moves it not at all, and it needs nothing but the lake's own history.
 *
 * @example volumeBaseline('2026-02-10T05', (day) => history.get(day), 4) // {expected: 412, weeks: 4}
 */
export function volumeBaseline(hour: string, dayOf: (day: string) => HistoryDay | undefined, weeks: number): VolumeBaseline {
  const at = Date.parse(`${hour}:00:00.000Z`)
  const counts: number[] = []
  for (let w = 1; w <= weeks; w++) {
    const past = new Date(at - w * 7 * DAY_MS).toISOString().slice(0, 13)
    const line = dayOf(past.slice(0, 10))?.lines.find((l) => l.hour === past && l.source === 'real')
    if (line && line.ended && !line.anomalous) counts.push(line.records)
  }
  const needed = Math.min(MIN_BASELINE_WEEKS, weeks)
  return {expected: counts.length >= needed && counts.length > 0 ? median(counts) : null, weeks: counts.length}
}
