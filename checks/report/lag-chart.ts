import type {ChartBin} from './chart-bins.js'
import {escapeHtml} from './escape-text.js'
import {CHART, type ChartSize, NARROW_CHART, labelEvery, niceScale} from './hours-chart.js'

/** The freshness strip shares the hours chart's width and columns, and is shorter. */
export const LAG_CHART: ChartSize = {...CHART, height: 180, top: 16, bottom: 30}
export const NARROW_LAG_CHART: ChartSize = {...NARROW_CHART, height: 200, top: 16, bottom: 30}

/**
 * Minutes as the report says them: `45m`, `1h30m`, `2d 3h`.
 *
 * @example formatMinutes(90) // '1h30m'
 */
export function formatMinutes(minutes: number): string {
  const m = Math.round(minutes)
  if (m < 60) return `${m}m`
  if (m < 24 * 60) return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
  return `${Math.floor(m / 1440)}d ${Math.floor((m % 1440) / 60)}h`
}

const round = (n: number) => Math.round(n * 10) / 10

// Steps a clock reads easily: 5m, 10m, 15m, 30m, 1h, 2h, 3h, 6h, 12h, a day.
const MINUTE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440]

/**
 * A round axis maximum in minutes at or above `minutes`, with three or four clock-friendly steps.
 *
 * @example minuteScale(200) // {max: 240, step: 60}
 */
export function minuteScale(minutes: number): {max: number; step: number} {
  if (!(minutes > 0)) return {max: 1, step: 1}
  const step = MINUTE_STEPS.find((s) => minutes / s <= 4) ?? niceScale(minutes, 4).step
  return {max: Math.ceil(minutes / step) * step, step}
}

export interface LagGeometry {
  yMax: number
  ticks: {value: number; y: number}[]
  limitY: number
  /** Per column with a known lag: the p95 bar and the p50 mark, in minutes and CHART units. */
  columns: {i: number; x: number; width: number; mid: number; p95: number; p50: number; y95: number; y50: number; stale: boolean}[]
}

/**
 * Where the freshness strip's bars go: each hour's p95 lag as a bar, its p50 as a mark, and the
 * `--freshness` limit as a line; a bar above the limit is stale (the freshness check's finding).
 *
 * @example lagGeometry(bins, 60).columns[0].stale
 */
export function lagGeometry(bins: ChartBin[], freshnessMinutes: number, size: ChartSize = LAG_CHART): LagGeometry {
  const left = size.left
  const right = size.width - size.right
  const top = size.top
  const bottom = size.height - size.bottom
  const slot = (right - left) / Math.max(1, bins.length)
  const known = bins.flatMap((b, i) => (b.lag ? [{i, p95: b.lag.p95Seconds / 60, p50: b.lag.p50Seconds / 60}] : []))
  const {max, step} = minuteScale(Math.max(freshnessMinutes, ...known.map((k) => k.p95)) * 1.1)
  const y = (minutes: number) => round(bottom - (Math.min(minutes, max) / max) * (bottom - top))
  const gap = Math.min(slot * 0.3, 8)
  return {
    yMax: max,
    ticks: Array.from({length: Math.round(max / step) + 1}, (_, i) => ({value: i * step, y: y(i * step)})),
    limitY: y(freshnessMinutes),
    columns: known.map((k) => ({
      i: k.i,
      x: round(left + k.i * slot + gap / 2),
      width: round(Math.max(1, slot - gap)),
      mid: round(left + (k.i + 0.5) * slot),
      p95: k.p95,
      p50: k.p50,
      y95: y(k.p95),
      y50: y(k.p50),
      stale: k.p95 > freshnessMinutes,
    })),
  }
}

/**
 * The freshness strip as inline SVG, aligned with the hours chart above it.
 *
 * @example html += lagChartSvg(bins, report.limits.freshnessMinutes)
 */
export function lagChartSvg(bins: ChartBin[], freshnessMinutes: number, size: ChartSize = LAG_CHART): string {
  const g = lagGeometry(bins, freshnessMinutes, size)
  const left = size.left
  const right = size.width - size.right
  const bottom = size.height - size.bottom
  const slot = (right - left) / Math.max(1, bins.length)
  const worst = g.columns.reduce<(typeof g.columns)[number] | undefined>((w, c) => (w === undefined || c.p95 > w.p95 ? c : w), undefined)
  const label = worst
    ? `Lag from record time to arrival per hour: the worst p95 is ${formatMinutes(worst.p95)} at ${bins[worst.i].title}; the limit is ${formatMinutes(freshnessMinutes)}`
    : 'No lag is known for these hours'
  const out: string[] = [`<svg class="chart lag-chart ${size === NARROW_LAG_CHART ? 'narrow' : 'wide'}" viewBox="0 0 ${size.width} ${size.height}" role="img" aria-label="${escapeHtml(label)}">`]
  out.push('<g class="grid">')
  for (const t of g.ticks) {
    out.push(`<line x1="${left}" x2="${right}" y1="${t.y}" y2="${t.y}"/>`)
    out.push(`<text class="axis" x="${left - 8}" y="${t.y}" text-anchor="end" dominant-baseline="middle">${formatMinutes(t.value)}</text>`)
  }
  out.push('</g>')
  out.push('<g class="lag">')
  for (const c of g.columns) {
    out.push(`<rect class="${c.stale ? 'p95 stale' : 'p95'}" x="${c.x}" y="${c.y95}" width="${c.width}" height="${round(Math.max(0.5, bottom - c.y95))}" rx="1.5"/>`)
    out.push(`<line class="p50" x1="${c.x}" x2="${round(c.x + c.width)}" y1="${c.y50}" y2="${c.y50}"/>`)
  }
  out.push('</g>')
  out.push(`<line class="limit" x1="${left}" x2="${right}" y1="${g.limitY}" y2="${g.limitY}"/>`)
  out.push(`<text class="axis limit-label" x="${right}" y="${round(g.limitY - 6)}" text-anchor="end">limit ${formatMinutes(freshnessMinutes)}</text>`)
  out.push(`<line class="floor" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`)
  const labelOf = labelEvery(bins, 'hour', size.labels)
  bins.forEach((bin, i) => {
    const text = labelOf(bin, i)
    if (text !== null) out.push(`<text class="axis" x="${round(left + (i + 0.5) * slot)}" y="${bottom + 20}" text-anchor="middle">${escapeHtml(text)}</text>`)
  })
  out.push('</svg>')
  return out.join('')
}
