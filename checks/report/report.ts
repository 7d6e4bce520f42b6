/** The checks pixel runs, in the order reports list them. Names are a contract of the JSON report. */
export const CHECKS = [
  'gap',
  'duplicate-partition',
  'duplicate-object',
  'duplicate-record',
  'corrupt-object',
  'unparseable-record',
  'schema',
  'misplaced-record',
  'late-arrival',
  'unexpected-key',
  'canary-missing',
  'volume',
  'freshness',
  'schema-drift',
  'raw-ip',
] as const

export type CheckName = (typeof CHECKS)[number]

/** Checks whose findings are about the whole scope, never one hour (their `hour` is null). */
export const SCOPE_CHECKS: readonly CheckName[] = ['schema-drift']
export type Severity = 'error' | 'warning'

export const SEVERITY: Record<CheckName, Severity> = {
  gap: 'error',
  'duplicate-partition': 'error',
  'duplicate-object': 'error',
  'duplicate-record': 'error',
  'corrupt-object': 'error',
  'unparseable-record': 'error',
  schema: 'error',
  'misplaced-record': 'warning',
  'late-arrival': 'warning',
  'unexpected-key': 'warning',
  'canary-missing': 'error',
  // A drop is an error; a spike (a warning) sets its own severity.
  volume: 'error',
  freshness: 'warning',
  'schema-drift': 'warning',
  'raw-ip': 'error',
}

/** One example behind a finding: where it is, and what is wrong there. */
export interface Sample {
  key: string
  /** The record's place in its object (0-based), null for object-level samples. */
  index: number | null
  /** JSON pointer into the record, null where the sample is not about one value. */
  pointer: string | null
  message: string
}

export interface Finding {
  check: CheckName
  severity: Severity
  /** `YYYY-MM-DDTHH`, or null when the finding is not about one hour. */
  hour: string | null
  /** The object's key, or null when the finding is not about one object. */
  key: string | null
  count: number
  message: string
  samples: Sample[]
  /** Only on `schema-drift` findings: the field (a JSON pointer) and how it changed. */
  drift?: FieldDrift
}

/** How a field's shape changed against the days before (see schema-drift). */
export interface FieldDrift {
  pointer: string
  change: 'new' | 'gone' | 'type' | 'nulls'
}

/** An hour's lag from a record's time to its object's arrival, in seconds at one-minute resolution. */
export interface HourLag {
  p50Seconds: number
  p95Seconds: number
  maxSeconds: number
}

export interface HourSummary {
  hour: string
  objects: number
  records: number
  valid: number
  invalid: number
  duplicateRecords: number
  /** False for an hour still under way or yet to come (checking `today`): its counts are not final, and it is never a gap. */
  ended: boolean
  /** The canary's records among `records` (see --canary); gap and volume judge only the others. */
  canary: number
  /** The real records the hour is expected to hold (see --history), or null while learning or without history. */
  baseline: number | null
  /** True when a history is kept but fewer than 3 past weeks of this hour can be used yet. */
  learning: boolean
  /** The stored bytes of the hour's objects. */
  bytes: number
  /** The lag of the hour's valid records in their hour (both sources), or null when none had a time. */
  lag: HourLag | null
}

/** The limits the scope was judged by, so that a saved report can be drawn as it was judged. */
export interface ReportLimits {
  failOn: Severity | 'never'
  minRecords: number
  toleranceMinutes: number
  lateAfterMinutes: number
  freshnessMinutes: number
  volumeDrop: number
  volumeSpike: number
}

export interface CheckReport {
  ok: boolean
  scope: {from: string; to: string}
  lake: string
  summary: {objects: number; bytes: number; records: number; valid: number; invalid: number; unparseable: number; duplicateRecords: number}
  hours: HourSummary[]
  findings: Finding[]
  limits: ReportLimits
}

/** Builds a finding with the severity its check always has. */
export function finding(check: CheckName, fields: Omit<Finding, 'check' | 'severity' | 'samples'> & {samples?: Sample[]; severity?: Severity}): Finding {
  return {check, severity: fields.severity ?? SEVERITY[check], hour: fields.hour, key: fields.key, count: fields.count, message: fields.message, samples: fields.samples ?? []}
}

/** Whether a finding reaches the `--fail-on` threshold. */
export function failsOn(finding: Finding, threshold: Severity | 'never'): boolean {
  if (threshold === 'never') return false
  return threshold === 'warning' || finding.severity === 'error'
}
