import {escapeTerminal} from '../report/escape-text.js'
import {type CheckReport, type Finding, type Severity, failsOn} from '../report/report.js'

/** What every notification says, built once from a report and shared by SNS and Slack. */
export interface NotifySummary {
  /** `failed`: a finding reaches --fail-on; `passed`: findings below it; `clean`: no finding. */
  verdict: 'failed' | 'passed' | 'clean'
  /** The checked scope as a person reads it: `2026-02-10`, `2026-02-10T05`, `2026-02-01 to 2026-02-28`. */
  scope: string
  lake: string
  failOn: Severity | 'never'
  errors: number
  warnings: number
  records: number
  objects: number
  /** The findings to show: those that reach --fail-on first, errors before warnings, then report order. */
  top: Finding[]
  /** Findings not among `top`. */
  more: number
  reportUrl?: string
}

/**
 * The scope of a report as a person reads it.
 *
 * @example scopeLabel({scope: {from: '2026-02-10T00:00:00.000Z', to: '2026-02-11T00:00:00.000Z'}, hours: [...24]}) // '2026-02-10'
 */
export function scopeLabel(report: Pick<CheckReport, 'scope' | 'hours'>): string {
  const first = report.scope.from.slice(0, 10)
  const last = new Date(Date.parse(report.scope.to) - 1).toISOString().slice(0, 10)
  if (report.hours.length === 1) return report.hours[0].hour
  return first === last ? first : `${first} to ${last}`
}

/**
 * Builds the summary notifications send: verdict, counts and the top findings.
 *
 * @example const summary = notifySummary(report, 'error', {top: 5, reportUrl})
 */
export function notifySummary(report: CheckReport, failOn: Severity | 'never', options: {top?: number; reportUrl?: string} = {}): NotifySummary {
  const errors = report.findings.filter((f) => f.severity === 'error').length
  const failing = report.findings.filter((f) => failsOn(f, failOn)).length
  const rank = (f: Finding) => (failsOn(f, failOn) ? 0 : 2) + (f.severity === 'error' ? 0 : 1)
  // A stable sort keeps the report's own order (check, then hour) within a rank.
  const ranked = report.findings.map((f, i) => ({f, i})).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({f}) => f)
  const top = ranked.slice(0, options.top ?? 5)
  return {
    verdict: failing > 0 ? 'failed' : report.findings.length > 0 ? 'passed' : 'clean',
    scope: scopeLabel(report),
    lake: report.lake,
    failOn,
    errors,
    warnings: report.findings.length - errors,
    records: report.summary.records,
    objects: report.summary.objects,
    top,
    more: report.findings.length - top.length,
    reportUrl: options.reportUrl,
  }
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`

/** `9 errors, 5 warnings`. */
export function countsLabel(summary: NotifySummary): string {
  return `${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}`
}

/**
 * One line saying the verdict, as the terminal report's last line does.
 *
 * @example headline(summary) // 'pixel check failed: 2026-02-10, 9 errors, 5 warnings'
 */
export function headline(summary: NotifySummary): string {
  if (summary.verdict === 'clean') return `pixel check ok: ${summary.scope}, no findings`
  return `pixel check ${summary.verdict}: ${summary.scope}, ${countsLabel(summary)}`
}

/** Cuts text to at most `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/**
 * The summary as plain text (SNS's message body, Slack's fallback text): every string that came
 * from the lake has its control characters made visible, so that it reads as one line.
 *
 * @example await sns.publish({Message: summaryText(summary)})
 */
export function summaryText(summary: NotifySummary): string {
  const lines = [
    headline(summary),
    `lake ${escapeTerminal(summary.lake)}, ${summary.records.toLocaleString('en-US')} records in ${summary.objects.toLocaleString('en-US')} objects (--fail-on ${summary.failOn})`,
  ]
  if (summary.top.length > 0) {
    lines.push('', 'Top findings:')
    for (const f of summary.top) lines.push(`- ${f.severity} ${f.check}${f.hour ? ` ${f.hour}` : ''}: ${clip(escapeTerminal(f.message), 500)}`)
    if (summary.more > 0) lines.push(`- … and ${summary.more.toLocaleString('en-US')} more`)
  }
  if (summary.reportUrl) lines.push('', `Report: ${escapeTerminal(summary.reportUrl)}`)
  return lines.join('\n')
}
