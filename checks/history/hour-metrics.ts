import type {ObjectScan} from '../scan/scan-object.js'
import {type SourceMetrics, emptySourceMetrics, lagQuantile, mergeSourceMetrics} from '../scan/source-metrics.js'
import type {HourLag} from '../report/report.js'
import type {HistoryLine, Source} from './history-document.js'

/** One source's records of one hour, as the history records them. */
export interface SourceHour extends SourceMetrics {
  objects: number
  bytes: number
  duplicates: number
}

/** What an hour of the lake held, per source. */
export interface HourMetrics {
  hour: string
  real: SourceHour
  canary: SourceHour
}

function emptySourceHour(): SourceHour {
  return {...emptySourceMetrics(), objects: 0, bytes: 0, duplicates: 0}
}

/**
 * Adds up the per-source metrics of every object of the scope, hour by hour.
 *
 * @example const metrics = new HourMetricsCollector(scope.hours); metrics.add(scan); metrics.get(hour)
 */
export class HourMetricsCollector {
  private readonly byHour = new Map<string, HourMetrics>()

  constructor(hours: string[]) {
    for (const hour of hours) this.byHour.set(hour, {hour, real: emptySourceHour(), canary: emptySourceHour()})
  }

  add(scan: ObjectScan): void {
    const hour = this.byHour.get(scan.hour)
    if (!hour) return
    const total = scan.real.records + scan.canary.records
    for (const source of ['real', 'canary'] as const) {
      const from = scan[source]
      const into = hour[source]
      mergeSourceMetrics(into, from)
      if (from.records > 0) into.objects++
    }
    // Stored bytes cannot be split exactly between records of one object: share them by records.
    const canaryBytes = total === 0 ? 0 : Math.round((scan.bytes * scan.canary.records) / total)
    hour.canary.bytes += canaryBytes
    hour.real.bytes += scan.bytes - canaryBytes
  }

  /** Sets the duplicates found once every object was seen. */
  setDuplicates(hour: string, total: number, canary: number): void {
    const metrics = this.byHour.get(hour)
    if (!metrics) return
    metrics.canary.duplicates = canary
    metrics.real.duplicates = total - canary
  }

  get(hour: string): HourMetrics {
    return this.byHour.get(hour)!
  }

  /** The hour's lag over both sources, as the freshness check judges it; null when no record had one. */
  lag(hour: string): HourLag | null {
    const m = this.byHour.get(hour)
    if (!m) return null
    // Only the lag buckets: merging whole metrics would copy every field tally too.
    const merged = new Map(m.real.lag)
    for (const [minute, n] of m.canary.lag) merged.set(minute, (merged.get(minute) ?? 0) + n)
    const all = {lag: [...merged].sort((a, b) => a[0] - b[0]), lagMaxMs: Math.max(m.real.lagMaxMs, m.canary.lagMaxMs)}
    const p50 = lagQuantile(all, 0.5)
    const p95 = lagQuantile(all, 0.95)
    if (p50 === null || p95 === null) return null
    // A record stamped after its object arrived (a skewed clock) counts as no lag, as in the histogram.
    const s = (ms: number) => Math.max(0, Math.round(ms / 1000))
    return {p50Seconds: s(p50), p95Seconds: s(p95), maxSeconds: s(all.lagMaxMs)}
  }
}

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000))

/**
 * The history line of one hour and source.
 *
 * @example historyLine(metrics.get(hour), 'real', {ended: true, anomalous: false})
 */
export function historyLine(hour: HourMetrics, source: Source, judged: {ended: boolean; anomalous: boolean}): HistoryLine {
  const m = hour[source]
  return {
    format: 'pixel-history/1',
    hour: hour.hour,
    source,
    ended: judged.ended,
    anomalous: judged.anomalous,
    records: m.records,
    valid: m.valid,
    invalid: m.invalid,
    duplicates: m.duplicates,
    objects: m.objects,
    bytes: m.bytes,
    lag_p50_s: seconds(lagQuantile(m, 0.5)),
    lag_p95_s: seconds(lagQuantile(m, 0.95)),
    lag_max_s: m.lagMaxMs < 0 ? null : seconds(m.lagMaxMs),
    sampled: m.sampled,
    fields: Object.entries(m.fields).map(([pointer, t]) => ({pointer, present: t.present, nulls: t.nulls, types: t.types})),
    fields_dropped: m.fieldsDropped,
  }
}
