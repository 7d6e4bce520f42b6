import {createHash} from 'node:crypto'
import {type ChartBin, chartBins} from './chart-bins.js'
import {CHECK_DESCRIPTIONS} from './check-descriptions.js'
import {escapeHtml, jsonForScript} from './escape-text.js'
import {formatBytes} from './format-bytes.js'
import {NARROW_CHART, hoursChartSvg} from './hours-chart.js'
import {REPORT_SCRIPT} from './html-script.js'
import {REPORT_CSS} from './html-style.js'
import {NARROW_LAG_CHART, formatMinutes, lagChartSvg} from './lag-chart.js'
import {CHECKS, type CheckName, type CheckReport, type Finding, type HourLag, type HourSummary} from './report.js'

/**
 * A report as `pixel check --json` prints it: the engine that read the lake, the advice that did
 * not change the verdict, and what a SQL engine did not check come with it (older reports lack them).
 */
export type ReportWithEngine = CheckReport & {engine?: string; warnings?: string[]; notChecked?: {pointer: string; keyword: string; reason: string}[]}

// A stray-key storm can make thousands of findings of one check: the page shows the first ones.
export const MAX_FINDINGS_SHOWN = 50

const number = (n: number) => n.toLocaleString('en-US')
const plural = (n: number, one: string, many = `${one}s`) => `${number(n)} ${n === 1 ? one : many}`
const text = escapeHtml
const GLYPH = {error: '✖', warning: '▲'} as const

/**
 * The CSP source that allows exactly this inline text: `'sha256-…'` of its UTF-8 bytes.
 *
 * @example hashSource('alert(1)') // "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
 */
export function hashSource(inline: string): string {
  return `'sha256-${createHash('sha256').update(inline, 'utf8').digest('base64')}'`
}

/**
 * The report's Content-Security-Policy: nothing may load from anywhere (no request leaves the
 * file), and only the page's own script and style sheet, named by hash, may run or apply; a
 * slipped escape still runs nothing.
 *
 * @example contentSecurityPolicy(REPORT_SCRIPT, REPORT_CSS)
 */
export function contentSecurityPolicy(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${hashSource(script)}`,
    `style-src ${hashSource(style)}`,
    "img-src 'none'",
    "connect-src 'none'",
    "font-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ')
}

function scopeText(report: CheckReport): string {
  const from = report.scope.from.slice(0, 10)
  const last = new Date(Date.parse(report.scope.to) - 1).toISOString().slice(0, 10)
  const notEnded = report.hours.filter((h) => !h.ended).length
  const open = notEnded === 0 ? '' : `; ${number(notEnded)} not ended`
  if (report.hours.length === 1) return `${report.hours[0].hour} (one hour, UTC${open})`
  return `${from === last ? from : `${from} to ${last}`} (${plural(report.hours.length, 'hour')}, UTC${open})`
}

function verdict(report: CheckReport): {kind: 'passed' | 'warned' | 'failed'; title: string; icon: string} {
  if (!report.ok) return {kind: 'failed', title: 'Failed', icon: GLYPH.error}
  if (report.findings.length > 0) return {kind: 'warned', title: 'Passed, with findings below --fail-on', icon: '✔'}
  return {kind: 'passed', title: 'Passed: complete, once and well-formed', icon: '✔'}
}

function copyable(value: string, what: string): string {
  return `<div class="copyable"><code>${text(value)}</code><button type="button" class="copy" data-copy="${text(value)}" aria-label="Copy ${what}">Copy</button></div>`
}

function banner(report: ReportWithEngine): string {
  const v = verdict(report)
  const errors = report.findings.filter((f) => f.severity === 'error').length
  const warnings = report.findings.length - errors
  const s = report.summary
  const pills = [
    `<span class="pill ${errors > 0 ? 'error' : 'ok'}"><span aria-hidden="true">${errors > 0 ? GLYPH.error : '✔'}</span>${plural(errors, 'error')}</span>`,
    `<span class="pill ${warnings > 0 ? 'warning' : 'ok'}"><span aria-hidden="true">${warnings > 0 ? GLYPH.warning : '✔'}</span>${plural(warnings, 'warning')}</span>`,
  ]
  const facts: [string, string][] = [
    ['Scope', text(scopeText(report))],
    ['Lake', `<code>${text(report.lake)}</code>`],
    ['Engine', text(report.engine ?? 'local')],
  ]
  if (report.limits) facts.push(['Fails on', `${text(report.limits.failOn)} <span class="muted">(--fail-on)</span>`])
  const notes = [
    ...(report.warnings ?? []).map((w) => text(w)),
    ...(report.notChecked ?? []).map((n) => `not checked on this engine: <code>${text(n.pointer)}</code> (${text(n.keyword)}): ${text(n.reason)}`),
  ]
  const stat = (value: string, label: string, bad = false) => `<div class="stat${bad ? ' bad' : ''}"><b>${value}</b><span>${label}</span></div>`
  return `<header class="card banner ${v.kind}" aria-labelledby="verdict">
<p class="eyebrow">pixel check</p>
<div class="verdict"><span class="verdict-icon" aria-hidden="true">${v.icon}</span><h1 id="verdict">${text(v.title)}</h1>${pills.join('')}</div>
<dl class="facts">${facts.map(([k, v2]) => `<dt>${k}</dt><dd>${v2}</dd>`).join('')}</dl>
<div class="stats">${[
    stat(number(s.objects), 'objects'),
    stat(formatBytes(s.bytes), 'stored'),
    stat(number(s.records), 'records'),
    stat(number(s.valid), 'valid'),
    stat(number(s.invalid), 'invalid', s.invalid > 0),
    stat(number(s.unparseable), 'unparseable', s.unparseable > 0),
    stat(number(s.duplicateRecords), 'duplicate', s.duplicateRecords > 0),
  ].join('')}</div>
${notes.length === 0 ? '' : `<ul class="notes" aria-label="Notes">${notes.map((n) => `<li>${n}</li>`).join('')}</ul>`}
</header>`
}

const lagText = (lag: HourLag | null, which: 'p50Seconds' | 'p95Seconds') => (lag ? formatMinutes(lag[which] / 60) : '–')

/** What the tooltip lists for a column, as text pairs the page's script writes with textContent. */
function tooltipOf(bin: ChartBin): {title: string; rows: [string, string][]; flags: [string, string][]} {
  const rows: [string, string][] = [
    [bin.canary > 0 ? 'real records' : 'records', number(bin.real)],
    ...(bin.canary > 0 ? [['canary records', number(bin.canary)] as [string, string]] : []),
    ['objects', number(bin.objects)],
    ['bytes', formatBytes(bin.bytes)],
    ['valid', number(bin.valid)],
    ['invalid', number(bin.invalid)],
    ['duplicates', number(bin.duplicates)],
  ]
  if (bin.baseline !== null) rows.push(['baseline', number(Math.round(bin.baseline))])
  else if (bin.learning) rows.push(['baseline', 'learning'])
  if (bin.lag) rows.push(['lag p50 / p95', `${lagText(bin.lag, 'p50Seconds')} / ${lagText(bin.lag, 'p95Seconds')}`])
  const flags: [string, string][] = [
    ...bin.errors.map((c) => ['error', `${GLYPH.error} ${c}`] as [string, string]),
    ...bin.warnings.map((c) => ['warning', `${GLYPH.warning} ${c}`] as [string, string]),
  ]
  if (!bin.ended) flags.push(['open', 'not ended: counts are not final'])
  return {title: bin.title, rows, flags}
}

function hoursSection(report: CheckReport, unit: 'hour' | 'day', bins: ChartBin[]): string {
  const limits = {volumeDrop: report.limits?.volumeDrop ?? 0.5, volumeSpike: report.limits?.volumeSpike ?? 3}
  const hasBand = bins.some((b) => b.baseline !== null)
  const legend = [
    `<li><span class="key bar"></span>real records</li>`,
    ...(bins.some((b) => b.canary > 0) ? [`<li><span class="key canary"></span>canary (right axis)</li>`] : []),
    ...(hasBand ? [`<li><span class="key band"></span>baseline, and the normal range ×${limits.volumeDrop}–×${limits.volumeSpike}</li>`] : []),
    ...(bins.some((b) => !b.ended) ? [`<li><span class="key open"></span>not ended</li>`] : []),
    ...(bins.some((b) => b.errors.length > 0) ? [`<li><span class="glyph error" aria-hidden="true">${GLYPH.error}</span>error</li>`] : []),
    ...(bins.some((b) => b.errors.length === 0 && b.warnings.length > 0) ? [`<li><span class="glyph warning" aria-hidden="true">${GLYPH.warning}</span>warning</li>`] : []),
  ]
  const learning = !hasBand && bins.some((b) => b.learning) ? ' Baselines are still being learnt: fewer than 3 past weeks are recorded.' : ''
  return `<section class="card" aria-labelledby="hours-title">
<h2 id="hours-title">${unit === 'hour' ? 'Hours' : 'Days'}</h2>
<p class="section-note muted">Real records per ${unit}${bins.some((b) => b.canary > 0) ? ', with the canary' : ''}. Marks above a column name what fired there.${learning}</p>
<div class="chart-box">${hoursChartSvg(bins, unit, limits)}${hoursChartSvg(bins, unit, limits, NARROW_CHART)}<div class="tooltip" hidden aria-hidden="true"></div></div>
<ul class="legend">${legend.join('')}</ul>
<p class="hint">Point at a column, or Tab into the chart and use ← and →, to see its objects, bytes, valid, invalid and duplicate records.</p>
</section>`
}

function freshnessSection(report: CheckReport, bins: ChartBin[]): string {
  if (!bins.some((b) => b.lag !== null)) return ''
  const limit = report.limits?.freshnessMinutes ?? 60
  return `<section class="card" aria-labelledby="freshness-title">
<h2 id="freshness-title">Freshness</h2>
<p class="section-note muted">Lag from a record’s time to its object’s arrival, per hour (one-minute resolution). An hour whose p95 passes the limit is stale.</p>
<div class="chart-box">${lagChartSvg(bins, limit)}${lagChartSvg(bins, limit, NARROW_LAG_CHART)}</div>
<ul class="legend"><li><span class="key p95"></span>p95</li>${bins.some((b) => b.lag !== null && b.lag.p95Seconds / 60 > limit) ? '<li><span class="key stale"></span>p95 over the limit</li>' : ''}<li><span class="key p50"></span>p50</li><li><span class="key limit"></span>--freshness ${text(formatMinutes(limit))}</li></ul>
</section>`
}

function sparkline(values: number[]): string {
  const max = Math.max(1, ...values)
  const step = values.length > 1 ? 96 / (values.length - 1) : 0
  const points = values.map((v, i) => `${Math.round(i * step * 10) / 10},${Math.round((20 - (v / max) * 18) * 10) / 10}`).join(' ')
  return `<svg class="spark" viewBox="0 0 96 22" aria-hidden="true"><polyline points="${points}"/></svg>`
}

function flagsCell(errors: number, warnings: number): string {
  const parts = [
    ...(errors > 0 ? [`<span class="glyph error" aria-hidden="true">${GLYPH.error}</span> ${plural(errors, 'error')}`] : []),
    ...(warnings > 0 ? [`<span class="glyph warning" aria-hidden="true">${GLYPH.warning}</span> ${plural(warnings, 'warning')}`] : []),
  ]
  return parts.length === 0 ? '<span class="muted">none</span>' : parts.join(' &nbsp;')
}

function daysSection(report: CheckReport): string {
  const days = [...new Set(report.hours.map((h) => h.hour.slice(0, 10)))]
  if (days.length < 2) return ''
  const rows: string[] = []
  let before: number | undefined
  for (const day of days) {
    const hours = report.hours.filter((h) => h.hour.startsWith(day))
    const sum = (pick: (h: HourSummary) => number) => hours.reduce((n, h) => n + pick(h), 0)
    const real = sum((h) => h.records - h.canary)
    const found = report.findings.filter((f) => f.hour !== null && f.hour.startsWith(day))
    const errors = found.filter((f) => f.severity === 'error').length
    const worst = hours.reduce((w, h) => Math.max(w, h.lag?.p95Seconds ?? -1), -1)
    let trend = '<span class="muted">–</span>'
    if (before !== undefined && before > 0) {
      const change = (real - before) / before
      const pct = `${Math.abs(change * 100).toFixed(Math.abs(change) < 0.1 ? 1 : 0)}%`
      trend = Math.abs(change) < 0.005 ? 'same' : change > 0 ? `<span class="trend up">▲ ${pct}</span>` : `<span class="trend down">▼ ${pct}</span>`
    }
    before = real
    const open = hours.some((h) => !h.ended)
    rows.push(`<tr class="${errors > 0 ? 'flag-error' : found.length > 0 ? 'flag-warning' : ''}${open ? ' open' : ''}"><td>${text(day)}${open ? ' <span class="muted">(not ended)</span>' : ''}</td><td>${number(real)}</td><td>${sparkline(hours.map((h) => h.records - h.canary))}</td><td>${trend}</td><td>${number(sum((h) => h.objects))}</td><td>${formatBytes(sum((h) => h.bytes ?? 0))}</td><td>${number(sum((h) => h.invalid))}</td><td>${number(sum((h) => h.duplicateRecords))}</td><td>${worst < 0 ? '–' : formatMinutes(worst / 60)}</td><td class="text">${flagsCell(errors, found.length - errors)}</td></tr>`)
  }
  return `<section class="card" aria-labelledby="days-title">
<h2 id="days-title">Day by day</h2>
<p class="section-note muted">One row per day of the range; the trend compares its real records with the day before.</p>
<div class="table-box" tabindex="0" role="region" aria-label="Days of the range"><table><thead><tr><th scope="col">day</th><th scope="col">records</th><th scope="col" class="text">by hour</th><th scope="col">trend</th><th scope="col">objects</th><th scope="col">stored</th><th scope="col">invalid</th><th scope="col">duplicate</th><th scope="col">worst p95 lag</th><th scope="col" class="text">findings</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>
</section>`
}

/** Samples in a row that share a key sit under it once: five copies in one object name it once. */
function sampleGroups(samples: Finding['samples']): string {
  const groups: {key: string; samples: Finding['samples']}[] = []
  for (const s of samples) {
    const last = groups.at(-1)
    if (last && last.key === s.key) last.samples.push(s)
    else groups.push({key: s.key, samples: [s]})
  }
  return groups.map((g) => {
    const rows = g.samples.map((s) => {
      const where = [s.index === null ? '' : `#${number(s.index)}`, s.pointer ?? ''].filter(Boolean).join(' ')
      return `<li><span class="where">${where === '' ? '<span class="muted">object</span>' : `<code>${text(where)}</code>`}</span><span class="what">${text(s.message)}</span></li>`
    })
    return `<li class="sample">${copyable(g.key, 'sample key')}<ul class="sample-rows">${rows.join('')}</ul></li>`
  }).join('')
}

function findingItem(f: Finding): string {
  const head = [
    `<span class="glyph ${f.severity}"><span aria-hidden="true">${GLYPH[f.severity]}</span> ${f.severity}</span>`,
    `<span class="hour">${f.hour === null ? 'whole scope' : text(f.hour)}</span>`,
    `<span>count ${number(f.count)}</span>`,
  ]
  const more = f.samples.length > 0 && f.count > f.samples.length ? `<p class="more">${plural(f.samples.length, 'sample')} shown of ${number(f.count)}.</p>` : ''
  // A finding with nothing to copy or sample (a gap, a volume drop) is one line: thirteen gaps read as a list, not as cards.
  const compact = f.key === null && f.samples.length === 0 ? ' compact' : ''
  return `<li class="finding ${f.severity}${compact}"><div class="finding-head">${head.join('')}</div><p class="message">${text(f.message)}</p>${f.key === null ? '' : copyable(f.key, 'key')}${f.samples.length === 0 ? '' : `<ul class="samples" aria-label="samples">${sampleGroups(f.samples)}</ul>`}${more}</li>`
}

const DRIFT_CHANGE = {new: 'new field', gone: 'gone', type: 'type changed', nulls: 'null share moved'} as const

function driftTable(findings: Finding[]): string {
  const rows = findings.map((f) => {
    const pointer = f.drift?.pointer ?? /^field (\S+)/.exec(f.message)?.[1] ?? '–'
    const change = f.drift ? DRIFT_CHANGE[f.drift.change] : '–'
    return `<tr><td><code>${text(pointer)}</code></td><td class="text">${text(change)}</td><td>${number(f.count)}</td><td class="text">${text(f.message)}</td></tr>`
  })
  return `<div class="table-box" tabindex="0" role="region" aria-label="Schema drift"><table><thead><tr><th scope="col">field</th><th scope="col" class="text">change</th><th scope="col">records</th><th scope="col" class="text">detail</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`
}

function findingsSection(report: CheckReport): string {
  if (report.findings.length === 0) {
    return `<section class="card" aria-labelledby="findings-title"><h2 id="findings-title">Findings</h2><p class="none"><span aria-hidden="true">✔</span> No findings: the scope landed complete, once and well-formed.</p></section>`
  }
  const byCheck = new Map<CheckName, Finding[]>()
  for (const f of report.findings) byCheck.set(f.check, [...(byCheck.get(f.check) ?? []), f])
  const checks = [...byCheck.keys()].sort((a, b) => CHECKS.indexOf(a) - CHECKS.indexOf(b))
  const severityOf = (list: Finding[]) => (list.some((f) => f.severity === 'error') ? 'error' : 'warning')
  const toc = checks.map((c) => {
    const list = byCheck.get(c)!
    return `<li><a href="#check-${c}"><span class="glyph ${severityOf(list)}" aria-hidden="true">${GLYPH[severityOf(list)]}</span><span class="mono">${c}</span> <span class="muted">${number(list.length)}</span></a></li>`
  })
  const groups = checks.map((c) => {
    const list = byCheck.get(c)!
    const severity = severityOf(list)
    const shown = list.slice(0, MAX_FINDINGS_SHOWN)
    const body = c === 'schema-drift' ? driftTable(shown) : `<ol class="findings">${shown.map(findingItem).join('')}</ol>`
    const rest = list.length > shown.length ? `<p class="more">… and ${plural(list.length - shown.length, `more ${c} finding`)} (pixel check --json lists every one).</p>` : ''
    return `<section class="check" id="check-${c}" aria-labelledby="title-${c}"><h3 id="title-${c}"><span class="pill ${severity}"><span aria-hidden="true">${GLYPH[severity]}</span>${severity}</span><span class="name">${c}</span><span class="n">${plural(list.length, 'finding')}</span></h3><p class="about">${text(CHECK_DESCRIPTIONS[c] ?? '')}</p>${body}${rest}</section>`
  })
  return `<section class="card" aria-labelledby="findings-title">
<h2 id="findings-title">Findings</h2>
<p class="section-note muted">Grouped by check, errors first as in the terminal. Keys are exact: select one, or press Copy.</p>
<ul class="toc" aria-label="Checks that fired">${toc.join('')}</ul>
${groups.join('\n')}
</section>`
}

function hourTable(report: CheckReport): string {
  if (report.hours.length === 0 || report.hours.length > 24 * 7) return ''
  const withHistory = report.hours.some((h) => h.baseline !== null || h.learning)
  const withLag = report.hours.some((h) => h.lag)
  const withCanary = report.hours.some((h) => h.canary > 0)
  const oneDay = new Set(report.hours.map((h) => h.hour.slice(0, 10))).size === 1
  const fired = new Map<string, {errors: Set<string>; warnings: Set<string>}>()
  for (const f of report.findings) {
    if (f.hour === null) continue
    if (!fired.has(f.hour)) fired.set(f.hour, {errors: new Set(), warnings: new Set()})
    fired.get(f.hour)![f.severity === 'error' ? 'errors' : 'warnings'].add(f.check)
  }
  const head = ['hour', 'objects', 'stored', 'records', 'valid', 'invalid', 'duplicate', ...(withCanary ? ['canary'] : []), ...(withHistory ? ['baseline'] : []), ...(withLag ? ['lag p50', 'lag p95'] : [])]
  const rows = report.hours.map((h) => {
    const f = fired.get(h.hour)
    const notes = [
      ...[...(f?.errors ?? [])].map((c) => `<span class="glyph error" aria-hidden="true">${GLYPH.error}</span> ${c}`),
      ...[...(f?.warnings ?? [])].map((c) => `<span class="glyph warning" aria-hidden="true">${GLYPH.warning}</span> ${c}`),
      ...(h.ended ? [] : ['<span class="muted">not ended</span>']),
    ]
    const cells = [
      number(h.objects), formatBytes(h.bytes ?? 0), number(h.records), number(h.valid), number(h.invalid), number(h.duplicateRecords),
      ...(withCanary ? [number(h.canary)] : []),
      ...(withHistory ? [h.baseline !== null ? number(Math.round(h.baseline)) : h.learning ? 'learning' : '–'] : []),
      ...(withLag ? [lagText(h.lag ?? null, 'p50Seconds'), lagText(h.lag ?? null, 'p95Seconds')] : []),
    ]
    const label = oneDay ? `${h.hour.slice(11)}:00` : `${h.hour.slice(0, 10)} ${h.hour.slice(11)}:00`
    return `<tr class="${f?.errors.size ? 'flag-error' : f?.warnings.size ? 'flag-warning' : ''}${h.ended ? '' : ' open'}"><th scope="row">${text(label)}</th>${cells.map((c) => `<td>${c}</td>`).join('')}<td class="text">${notes.join(', ') || '<span class="muted">–</span>'}</td></tr>`
  })
  return `<section class="card" aria-labelledby="table-title">
<h2 id="table-title">Every hour</h2>
<div class="table-box" tabindex="0" role="region" aria-label="Every hour"><table><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}<th scope="col" class="text">checks</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>
</section>`
}

/**
 * Renders a report as one self-contained HTML page: the verdict, the hours chart, freshness, the
 * days of a range, the findings by check with their exact keys, and every hour as a table. It
 * reads nothing but `report` (a report saved with --json renders the same), loads nothing, and
 * treats everything that came from the lake as text; the report itself is embedded as JSON.
 *
 * @example await writeFile('pixel-check.html', htmlReport(report))
 */
export function htmlReport(report: ReportWithEngine): string {
  const {unit, bins} = chartBins(report)
  const v = verdict(report)
  const title = `pixel check ${v.kind === 'failed' ? 'failed' : 'passed'}: ${scopeText(report)}, ${report.lake}`
  const body = [
    banner(report),
    report.hours.length > 0 ? hoursSection(report, unit, bins) : '',
    unit === 'hour' ? freshnessSection(report, bins) : '',
    daysSection(report),
    findingsSection(report),
    hourTable(report),
  ].filter(Boolean)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${text(contentSecurityPolicy(REPORT_SCRIPT, REPORT_CSS))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pixel check">
<title>${text(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${body.join('\n')}
<footer><p>Written by <code>pixel check --html</code>. The report’s JSON is inside this file (<code>script#pixel-report</code>); <code>pixel report REPORT.json --html FILE</code> draws a saved one.</p></footer>
</main>
<div id="status" class="visually-hidden" role="status" aria-live="polite"></div>
<script type="application/json" id="pixel-report">${jsonForScript(report)}</script>
<script type="application/json" id="pixel-chart">${jsonForScript(bins.map(tooltipOf))}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`
}
