import {formatDuration} from '../../lake/scope.js'
import {type Finding, finding} from '../report/report.js'
import {type SourceMetrics, emptySourceMetrics, lagQuantile, mergeSourceMetrics} from '../scan/source-metrics.js'
import {plural} from './hour-tally.js'

/**
 * Reports each hour whose p95 lag, from a record's time to its object's arrival, exceeds
 * `limitMs` (records of both sources; one-minute resolution). `count` is the records later than
 * the limit.
 *
 * @example findFreshness([{hour, sources: [metrics.real, metrics.canary]}], 60 * 60_000)
 */
export function findFreshness(hours: {hour: string; sources: SourceMetrics[]}[], limitMs: number): Finding[] {
  const findings: Finding[] = []
  for (const h of hours) {
    const all = emptySourceMetrics()
    for (const s of h.sources) mergeSourceMetrics(all, s)
    const p95 = lagQuantile(all, 0.95)
    if (p95 === null || p95 <= limitMs) continue
    const late = all.lag.filter(([minute]) => minute * 60_000 >= limitMs).reduce((sum, [, n]) => sum + n, 0)
    findings.push(
      finding('freshness', {
        hour: h.hour,
        key: null,
        count: late,
        message: `hour ${h.hour}: 95% of records arrived within ${formatDuration(p95)} of their time, more than ${formatDuration(limitMs)} (${plural(late, 'record')} later than that)`,
      }),
    )
  }
  return findings
}
