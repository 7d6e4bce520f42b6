import {HOUR_MS, type Scope, scopeDays} from '../lake/scope.js'
import {findCanaryMissing} from './findings/canary-missing.js'
import {findFreshness} from './findings/freshness.js'
import {findGaps} from './findings/gaps.js'
import {findSchemaDrift, type FieldShares} from './findings/schema-drift.js'
import {type VolumeLimits, findVolume} from './findings/volume.js'
import {type HistoryDay, fieldMap} from './history/history-document.js'
import type {HistoryStore} from './history/history-store.js'
import {type HourMetricsCollector, historyLine} from './history/hour-metrics.js'
import {volumeBaseline} from './history/volume-baseline.js'
import type {Finding, HourSummary} from './report/report.js'
import {emptySourceMetrics, mergeSourceMetrics} from './scan/source-metrics.js'

export interface DayJudgement {
  history?: HistoryStore
  /** Whether --canary names the canary's records (not `none`). */
  canary: boolean
  baselineWeeks: number
  volume: VolumeLimits
  freshnessMs: number
  minRecords: number
}

/** Schema drift compares a day with this many days before it. */
export const DRIFT_DAYS = 7
const DAY_MS = 24 * HOUR_MS

const dayBefore = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00.000Z`) - n * DAY_MS).toISOString().slice(0, 10)

function sharesOf(sources: {sampled: number; fields: FieldShares['fields']; fieldsDropped: number}[]): FieldShares {
  const all = emptySourceMetrics()
  for (const s of sources) mergeSourceMetrics(all, {...emptySourceMetrics(), sampled: s.sampled, fields: s.fields, fieldsDropped: s.fieldsDropped})
  return {sampled: all.sampled, fields: all.fields}
}

/** Days read from the history, by day; undefined for a day never recorded. */
export type RecordedDays = Map<string, HistoryDay | undefined>

const historyWindow = (baselineWeeks: number) => Math.max(baselineWeeks * 7, DRIFT_DAYS)

/**
 * Reads every recorded day a scope's judgement will look at (the baseline weeks and the drift
 * days before each of its days, never a day of the scope itself, which may be recorded during the
 * run). Done before the lake is read, so a broken history stops the check at once.
 *
 * @example const recorded = await readHistoryWindow(history, scope, 4)
 */
export async function readHistoryWindow(history: HistoryStore, scope: Scope, baselineWeeks: number): Promise<RecordedDays> {
  const days = scopeDays(scope)
  const recorded: RecordedDays = new Map()
  for (let i = historyWindow(baselineWeeks); i >= 1; i--) {
    const day = dayBefore(days[0], i)
    recorded.set(day, await history.read(day))
  }
  return recorded
}

/**
 * Runs the checks that judge an hour against what is expected of it (gap, canary-missing, volume,
 * freshness, schema-drift), day by day in order; with a history, each day is judged against the
 * days recorded before it (never itself), then recorded, so a range builds its own history as it
 * goes. Sets each hour's `baseline` and `learning`.
 *
 * @example const findings = await judgeDays(scope, hourList, metrics, {history, canary: true, baselineWeeks: 4, ...})
 */
export async function judgeDays(scope: Scope, hours: HourSummary[], metrics: HourMetricsCollector, options: DayJudgement, recorded: RecordedDays = new Map()): Promise<Finding[]> {
  const {history} = options
  const cache = new Map(recorded)
  const inScope = new Set(scope.hours)
  const canaryInScope = hours.some((h) => h.canary > 0)
  const window = historyWindow(options.baselineWeeks)
  const findings: Finding[] = []
  for (const day of scopeDays(scope)) {
    const dayHours = hours.filter((h) => h.hour.startsWith(day))
    const past: HistoryDay[] = []
    if (history) for (let i = 1; i <= window; i++) {
      const before = dayBefore(day, i)
      if (!cache.has(before)) cache.set(before, await history.read(before))
      const doc = cache.get(before)
      if (doc) past.push(doc)
    }
    const canaryKnown = options.canary && (canaryInScope || past.some((doc) => doc.lines.some((l) => l.source === 'canary' && l.records > 0)))

    const gaps = findGaps(dayHours, options.minRecords)
    const gapHours = new Set(gaps.map((f) => f.hour!))
    const judged = dayHours.map((h) => {
      const baseline = history ? volumeBaseline(h.hour, (d) => cache.get(d), options.baselineWeeks) : {expected: null, weeks: 0}
      h.baseline = baseline.expected
      h.learning = history !== undefined && baseline.expected === null
      return {hour: h.hour, real: h.records - h.canary, canary: h.canary, ended: h.ended, baseline}
    })
    const volume = findVolume(judged, gapHours, options.volume)
    findings.push(
      ...gaps,
      ...findCanaryMissing(judged, canaryKnown),
      ...volume,
      ...findFreshness(judged.filter((h) => h.ended).map((h) => ({hour: h.hour, sources: [metrics.get(h.hour).real, metrics.get(h.hour).canary]})), options.freshnessMs),
    )
    if (!history) continue

    const lastWeek = past.filter((doc) => doc.day >= dayBefore(day, DRIFT_DAYS))
    findings.push(
      ...findSchemaDrift(
        day,
        sharesOf(dayHours.flatMap((h) => [metrics.get(h.hour).real, metrics.get(h.hour).canary])),
        sharesOf(lastWeek.flatMap((doc) => doc.lines.map((l) => ({sampled: l.sampled, fields: fieldMap(l.fields), fieldsDropped: l.fields_dropped})))),
        DRIFT_DAYS,
      ),
    )
    // Only a whole day is recorded: a document always holds every hour of its day.
    if (dayHours.length !== 24 || !dayHours.every((h) => inScope.has(h.hour))) continue
    const anomalous = new Set([...gapHours, ...volume.map((f) => f.hour!)])
    const doc: HistoryDay = {
      day,
      lines: dayHours.flatMap((h) => (['real', 'canary'] as const).map((source) => historyLine(metrics.get(h.hour), source, {ended: h.ended, anomalous: anomalous.has(h.hour)}))),
    }
    await history.write(doc)
    cache.set(day, doc)
  }
  return findings
}
