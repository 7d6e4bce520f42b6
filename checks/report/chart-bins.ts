import {CHECKS, type CheckName, type CheckReport, type HourLag} from './report.js'

/** One column of the hours chart: an hour, or a whole day when the scope is too long to draw by hour. */
export interface ChartBin {
  /** The short label under the axis: `05:00`, `02-10 05:00`, or `2026-02-10` for a day. */
  label: string
  /** The full label for a person: `2026-02-10 05:00–06:00 UTC`, or `2026-02-10 (UTC)`. */
  title: string
  /** The report's hours (`YYYY-MM-DDTHH`) this column adds up. */
  hours: string[]
  objects: number
  bytes: number
  records: number
  /** Records that are not the canary's: what gap and volume judge, and what the bars draw. */
  real: number
  canary: number
  valid: number
  invalid: number
  duplicates: number
  /** The real records expected (the hour's baseline, or a day's sum when every hour has one). */
  baseline: number | null
  learning: boolean
  /** False when any of its hours has not ended. */
  ended: boolean
  /** The hour's lag; null for a day column or where unknown. */
  lag: HourLag | null
  /** The checks with an error, and with a warning, in this column, in report order. */
  errors: CheckName[]
  warnings: CheckName[]
}

/** A scope longer than this many hours is drawn one column per day. */
export const MAX_HOUR_COLUMNS = 24 * 7

const byReportOrder = (a: CheckName, b: CheckName) => CHECKS.indexOf(a) - CHECKS.indexOf(b)

/**
 * The columns of the hours chart, from the report alone (so a saved report draws the same): one
 * per hour, or one per day past a week of hours. Fields an older report lacks (`bytes`, `lag`)
 * count as 0 and unknown.
 *
 * @example const {unit, bins} = chartBins(report) // unit 'hour', 24 bins for a day
 */
export function chartBins(report: CheckReport): {unit: 'hour' | 'day'; bins: ChartBin[]} {
  const unit = report.hours.length > MAX_HOUR_COLUMNS ? 'day' : 'hour'
  const oneDay = new Set(report.hours.map((h) => h.hour.slice(0, 10))).size <= 1
  const bins = new Map<string, ChartBin>()
  const binOf = new Map<string, ChartBin>()
  for (const h of report.hours) {
    const day = h.hour.slice(0, 10)
    const id = unit === 'hour' ? h.hour : day
    let bin = bins.get(id)
    if (!bin) {
      const clock = `${h.hour.slice(11, 13)}:00`
      const next = `${String((Number(h.hour.slice(11, 13)) + 1) % 24).padStart(2, '0')}:00`
      bin = {
        label: unit === 'day' ? day : oneDay ? clock : `${day.slice(5)} ${clock}`,
        title: unit === 'day' ? `${day} (UTC)` : `${day} ${clock}–${next} UTC`,
        hours: [], objects: 0, bytes: 0, records: 0, real: 0, canary: 0, valid: 0, invalid: 0, duplicates: 0,
        baseline: 0, learning: false, ended: true, lag: unit === 'hour' ? (h.lag ?? null) : null, errors: [], warnings: [],
      }
      bins.set(id, bin)
    }
    bin.hours.push(h.hour)
    binOf.set(h.hour, bin)
    bin.objects += h.objects
    bin.bytes += h.bytes ?? 0
    bin.records += h.records
    bin.canary += h.canary
    bin.real += h.records - h.canary
    bin.valid += h.valid
    bin.invalid += h.invalid
    bin.duplicates += h.duplicateRecords
    bin.baseline = bin.baseline === null || h.baseline === null ? null : bin.baseline + h.baseline
    bin.learning ||= h.learning
    bin.ended &&= h.ended
  }
  for (const f of report.findings) {
    const bin = f.hour === null ? undefined : binOf.get(f.hour)
    if (!bin) continue
    const list = f.severity === 'error' ? bin.errors : bin.warnings
    if (!list.includes(f.check)) list.push(f.check)
  }
  for (const bin of bins.values()) {
    bin.errors.sort(byReportOrder)
    bin.warnings.sort(byReportOrder)
  }
  return {unit, bins: [...bins.values()]}
}
