import {escapeTerminal} from './escape-text.js'
import {formatBytes} from './format-bytes.js'
import {CHECKS, type CheckReport, type Finding, type Severity, failsOn} from './report.js'

export interface TerminalStyle {
  color: boolean
}

const number = (n: number) => n.toLocaleString('en-US')

// A stray-key storm can make thousands of findings of one check: the screen shows the first ones.
const MAX_SHOWN = 20

/**
 * Renders a report for a person at a terminal: a summary, the per-hour table, then the findings
 * grouped by check with their exact keys. Every string that came from the lake is escaped.
 *
 * @example process.stdout.write(terminalReport(report, 'error', {color: process.stdout.isTTY}))
 */
export function terminalReport(report: CheckReport, failOn: Severity | 'never', style: TerminalStyle): string {
  const paint = (code: string, text: string) => (style.color ? `\u001b[${code}m${text}\u001b[0m` : text)
  const red = (t: string) => paint('31', t)
  const yellow = (t: string) => paint('33', t)
  const green = (t: string) => paint('32', t)
  const dim = (t: string) => paint('2', t)
  const bold = (t: string) => paint('1', t)
  const safe = escapeTerminal
  const {summary} = report
  const lines: string[] = []

  const lastDay = new Date(Date.parse(report.scope.to) - 1).toISOString().slice(0, 10)
  const span = lastDay === report.scope.from.slice(0, 10) ? report.scope.from.slice(0, 10) : `${report.scope.from.slice(0, 10)} to ${lastDay}`
  const notEnded = report.hours.filter((h) => !h.ended).length
  const days = report.hours.length === 1
    ? `${report.hours[0].hour}${notEnded ? ' (not ended)' : ''}`
    : `${span} (${report.hours.length} hours, UTC${notEnded ? `; ${notEnded} not ended` : ''})`
  lines.push(`${bold('pixel check')} ${safe(report.lake)}  ${days}`)
  lines.push(
    `  ${number(summary.objects)} objects, ${formatBytes(summary.bytes)}, ${number(summary.records)} records: ` +
      `${number(summary.valid)} valid, ${number(summary.invalid)} invalid, ${number(summary.unparseable)} unparseable, ` +
      `${number(summary.duplicateRecords)} duplicate`,
  )
  lines.push('')

  const flagged = new Map<string, Set<string>>()
  for (const f of report.findings) {
    if (f.hour === null) continue
    if (!flagged.has(f.hour)) flagged.set(f.hour, new Set())
    flagged.get(f.hour)!.add(f.check)
  }
  const hourCell = (hour: string) => (lastDay === report.scope.from.slice(0, 10) ? '' : `${hour.slice(0, 10)} `) + hour.slice(11) + ':00'
  // Baselines exist only with a history: without one the column would only ever say "-".
  const withHistory = report.hours.some((h) => h.baseline !== null || h.learning)
  const header = ['hour', 'objects', 'records', 'valid', 'invalid', 'duplicate', 'canary', ...(withHistory ? ['baseline'] : [])]
  const baseline = (h: CheckReport['hours'][number]) => (h.baseline !== null ? number(Math.round(h.baseline)) : h.learning ? 'learning' : '-')
  const rows = report.hours.map((h) => [
    hourCell(h.hour), number(h.objects), number(h.records), number(h.valid), number(h.invalid), number(h.duplicateRecords), number(h.canary),
    ...(withHistory ? [baseline(h)] : []),
  ])
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i].length)))
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  lines.push(`  ${dim(format(header))}`)
  report.hours.forEach((h, i) => {
    const checks = [...(flagged.get(h.hour) ?? [])].sort((a, b) => CHECKS.indexOf(a as never) - CHECKS.indexOf(b as never))
    const hasError = report.findings.some((f) => f.hour === h.hour && f.severity === 'error')
    // An hour under way or yet to come is not final: its zeros are not a gap, so say so.
    const notes = [...(checks.length === 0 ? [] : [(hasError ? red : yellow)(checks.join(', '))]), ...(h.ended ? [] : [dim('not ended')])]
    lines.push(`  ${format(rows[i])}${notes.map((n) => `  ${n}`).join('')}`)
  })
  lines.push('')

  const byCheck = new Map<string, Finding[]>()
  for (const f of report.findings) byCheck.set(f.check, [...(byCheck.get(f.check) ?? []), f])
  for (const [check, findings] of byCheck) {
    const severity = findings[0].severity
    const mark = severity === 'error' ? red('✖ error  ') : yellow('▲ warning')
    lines.push(`${mark} ${bold(check)} (${findings.length})`)
    for (const f of findings.slice(0, MAX_SHOWN)) {
      lines.push(`    ${dim(f.hour ?? '-------------')}  ${safe(f.message)}`)
      for (const s of f.samples) {
        const where = `${s.key}${s.index === null ? '' : `#${s.index}`}${s.pointer ? ` ${s.pointer}` : ''}`
        lines.push(`        ${dim(safe(where))}  ${safe(s.message)}`)
      }
    }
    if (findings.length > MAX_SHOWN) lines.push(`    … and ${number(findings.length - MAX_SHOWN)} more ${check} findings (--json lists every one)`)
    lines.push('')
  }

  const errors = report.findings.filter((f) => f.severity === 'error').length
  const warnings = report.findings.length - errors
  const failing = report.findings.filter((f) => failsOn(f, failOn)).length
  const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`
  if (report.findings.length === 0) lines.push(green('✔ no findings: the scope landed complete, once and well-formed'))
  else if (failing === 0) lines.push(`${yellow('✔ passed')} with ${counts} (--fail-on ${failOn})`)
  else lines.push(`${red('✖ failed')}: ${counts} (--fail-on ${failOn})`)
  return lines.join('\n') + '\n'
}
