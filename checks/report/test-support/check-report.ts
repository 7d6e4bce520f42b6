import type {CheckReport, Finding, HourSummary, ReportLimits} from '../report.js'

/** The limits `pixel check` judges by when no flag says otherwise. */
export const DEFAULT_TEST_LIMITS: ReportLimits = {failOn: 'error', minRecords: 1, toleranceMinutes: 15, lateAfterMinutes: 60, freshnessMinutes: 60, volumeDrop: 0.5, volumeSpike: 3}

/** An hour of a report: healthy, ended, 80 records in 2 objects, unless `fields` say otherwise. */
export function hourSummary(hour: string, fields: Partial<HourSummary> = {}): HourSummary {
  return {hour, objects: 2, bytes: 6_000, records: 80, valid: 80, invalid: 0, duplicateRecords: 0, ended: true, canary: 0, baseline: null, learning: false, lag: {p50Seconds: 600, p95Seconds: 1500, maxSeconds: 1700}, ...fields}
}

/**
 * A report over `hours` holding `findings`, its summary added up from the hours.
 *
 * @example checkReport([hourSummary('2026-02-10T05')], [finding('gap', {...})])
 */
export function checkReport(hours: HourSummary[], findings: Finding[] = [], fields: Partial<CheckReport & {engine: string}> = {}): CheckReport & {engine: string} {
  const sum = (pick: (h: HourSummary) => number) => hours.reduce((n, h) => n + pick(h), 0)
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    scope: {from: `${hours[0].hour}:00:00.000Z`, to: new Date(Date.parse(`${hours.at(-1)!.hour}:00:00.000Z`) + 3_600_000).toISOString()},
    lake: 's3://my-bucket/events/',
    engine: 'local',
    limits: DEFAULT_TEST_LIMITS,
    summary: {objects: sum((h) => h.objects), bytes: sum((h) => h.bytes), records: sum((h) => h.records), valid: sum((h) => h.valid), invalid: sum((h) => h.invalid), unparseable: 0, duplicateRecords: sum((h) => h.duplicateRecords)},
    hours,
    findings,
    ...fields,
  }
}

/** Every hour of a UTC day, `YYYY-MM-DD`, as report hour labels. */
export function dayHours(day: string): string[] {
  return Array.from({length: 24}, (_, i) => `${day}T${String(i).padStart(2, '0')}`)
}
