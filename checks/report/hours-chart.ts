import type {ChartBin} from './chart-bins.js'
import {escapeHtml} from './escape-text.js'

/** A chart's coordinate system: the SVG scales to its box, so these are user units, not pixels. */
export interface ChartSize {
  width: number
  height: number
  left: number
  right: number
  top: number
  bottom: number
  /** Axis labels at most this many to a row (a phone has room for few). */
  labels: number
}

/** The wide chart, and the narrow one a phone shows instead (taller for its width, fewer labels). */
export const CHART: ChartSize = {width: 960, height: 300, left: 56, right: 52, top: 40, bottom: 34, labels: 8}
export const NARROW_CHART: ChartSize = {width: 480, height: 320, left: 46, right: 36, top: 40, bottom: 34, labels: 5}

export interface Slot {
  x: number
  width: number
  /** The centre of the slot, where its bar, canary point and marker sit. */
  mid: number
}

export interface Bar extends Slot {
  y: number
  height: number
}

export interface HoursGeometry {
  plot: {left: number; right: number; top: number; bottom: number}
  slots: Slot[]
  yMax: number
  yTicks: {value: number; y: number}[]
  bars: Bar[]
  /** Canary points (right axis), or null when no canary record is in the scope. */
  canary: {points: {x: number; y: number}[]; max: number; ticks: {value: number; y: number}[]} | null
  /** Per column with a baseline: the normal range (volume drop to spike, clipped to the plot) and the baseline itself. */
  band: {x: number; width: number; low: number; high: number; baseline: number}[]
  /** Columns whose hours have not all ended: not final, never a gap. */
  notEnded: Slot[]
  markers: {x: number; severity: 'error' | 'warning'}[]
  xLabels: {x: number; text: string}[]
}

/**
 * A round axis maximum at or above `value`, and its ticks: 1, 2 or 5 times a power of ten per step.
 *
 * @example niceScale(87) // {max: 100, step: 25}
 */
export function niceScale(value: number, ticks = 4): {max: number; step: number} {
  if (!(value > 0)) return {max: 1, step: 1}
  const rough = value / ticks
  const power = 10 ** Math.floor(Math.log10(rough))
  // 2.5 only where it stays whole (25, 250…): an axis of records never reads 7.5.
  const step = (power >= 10 ? [1, 2, 2.5, 5, 10] : [1, 2, 5, 10]).map((m) => m * power).find((s) => s >= rough)!
  // Whole records: a step below 1 would label the axis 0.25, 0.5…
  const whole = Math.max(1, step)
  return {max: Math.ceil(value / whole) * whole, step: whole}
}

const round = (n: number) => Math.round(n * 10) / 10

/** Which columns get a label under the axis, at most `most` of them: every hour of a day is too dense on a phone. */
export function labelEvery(bins: ChartBin[], unit: 'hour' | 'day', most: number): (bin: ChartBin, i: number) => string | null {
  if (unit === 'day') {
    const every = Math.max(1, Math.ceil(bins.length / most))
    return (bin, i) => (i % every === 0 ? bin.label.slice(5) : null)
  }
  const days = [...new Set(bins.map((b) => b.hours[0].slice(0, 10)))]
  if (days.length <= 1) {
    const every = [1, 2, 3, 4, 6, 12].find((n) => bins.length / n <= most) ?? 12
    return (bin) => (Number(bin.hours[0].slice(11, 13)) % every === 0 ? bin.label : null)
  }
  // Several days by hour: a label at midnight (or at the first hour shown) of every day, or of every other day.
  const every = Math.max(1, Math.ceil(days.length / most))
  return (bin, i) => (i === 0 || bin.hours[0].endsWith('T00')) && days.indexOf(bin.hours[0].slice(0, 10)) % every === 0 ? bin.hours[0].slice(5, 10) : null
}

/**
 * Where everything of the hours chart goes, in CHART units: bars of real records on the left
 * axis, the canary on its own right axis (its few records a hour would hug the floor otherwise),
 * the baseline band, and the columns that are not final.
 *
 * @example const g = hoursGeometry(bins, 'hour', {volumeDrop: 0.5, volumeSpike: 3})
 */
export function hoursGeometry(bins: ChartBin[], unit: 'hour' | 'day', limits: {volumeDrop: number; volumeSpike: number}, size: ChartSize = CHART): HoursGeometry {
  const plot = {left: size.left, right: size.width - size.right, top: size.top, bottom: size.height - size.bottom}
  const slotWidth = (plot.right - plot.left) / Math.max(1, bins.length)
  const slots = bins.map((_, i) => ({x: round(plot.left + i * slotWidth), width: round(slotWidth), mid: round(plot.left + (i + 0.5) * slotWidth)}))
  const highest = Math.max(0, ...bins.map((b) => b.real), ...bins.map((b) => b.baseline ?? 0))
  const {max: yMax, step} = niceScale(highest * 1.08)
  const y = (value: number) => round(plot.bottom - (Math.min(value, yMax) / yMax) * (plot.bottom - plot.top))
  const yTicks = Array.from({length: Math.round(yMax / step) + 1}, (_, i) => ({value: i * step, y: y(i * step)}))
  const gap = Math.min(slotWidth * 0.18, 6)
  const bars = bins.map((bin, i) => {
    const top = y(bin.real)
    return {...slots[i], x: round(slots[i].x + gap / 2), width: round(Math.max(1, slotWidth - gap)), y: top, height: round(plot.bottom - top)}
  })
  const canaryTotal = bins.reduce((sum, b) => sum + b.canary, 0)
  let canary: HoursGeometry['canary'] = null
  if (canaryTotal > 0) {
    const scale = niceScale(Math.max(...bins.map((b) => b.canary)) * 1.15, 2)
    const cy = (value: number) => round(plot.bottom - (value / scale.max) * (plot.bottom - plot.top))
    canary = {
      points: bins.map((b, i) => ({x: slots[i].mid, y: cy(b.canary)})),
      max: scale.max,
      ticks: Array.from({length: Math.round(scale.max / scale.step) + 1}, (_, i) => ({value: i * scale.step, y: cy(i * scale.step)})),
    }
  }
  const band = bins.flatMap((bin, i) => (bin.baseline === null ? [] : [{x: slots[i].x, width: slots[i].width, low: y(bin.baseline * limits.volumeDrop), high: y(bin.baseline * limits.volumeSpike), baseline: y(bin.baseline)}]))
  const notEnded = bins.flatMap((bin, i) => (bin.ended ? [] : [slots[i]]))
  const markers = bins.flatMap((bin, i): HoursGeometry['markers'] => (bin.errors.length > 0 ? [{x: slots[i].mid, severity: 'error'}] : bin.warnings.length > 0 ? [{x: slots[i].mid, severity: 'warning'}] : []))
  const label = labelEvery(bins, unit, size.labels)
  const xLabels = bins.flatMap((bin, i) => {
    const text = label(bin, i)
    return text === null ? [] : [{x: slots[i].mid, text}]
  })
  return {plot, slots, yMax, yTicks, bars, canary, band, notEnded, markers, xLabels}
}

const number = (n: number) => n.toLocaleString('en-US')

/** A short sentence per column for screen readers: the same facts the tooltip shows. */
export function binSummary(bin: ChartBin): string {
  const parts = [
    `${bin.title}: ${number(bin.real)} records${bin.canary > 0 ? ` and ${number(bin.canary)} canary` : ''}`,
    `${number(bin.objects)} objects`,
    `${number(bin.valid)} valid, ${number(bin.invalid)} invalid, ${number(bin.duplicates)} duplicate`,
  ]
  if (bin.baseline !== null) parts.push(`baseline ${number(Math.round(bin.baseline))}`)
  if (!bin.ended) parts.push('not ended')
  if (bin.errors.length > 0) parts.push(`errors: ${bin.errors.join(', ')}`)
  if (bin.warnings.length > 0) parts.push(`warnings: ${bin.warnings.join(', ')}`)
  return parts.join('; ')
}

/**
 * The hours chart as inline SVG. Every column is a focusable hit area (`.bin`, `data-i` its index
 * in `bins`) that the page's script turns into a tooltip on hover and focus; without the script
 * the chart still reads, and each column carries its facts as an accessible label.
 *
 * @example html += hoursChartSvg(bins, 'hour', report.limits)
 */
export function hoursChartSvg(bins: ChartBin[], unit: 'hour' | 'day', limits: {volumeDrop: number; volumeSpike: number}, size: ChartSize = CHART): string {
  const g = hoursGeometry(bins, unit, limits, size)
  const {plot} = g
  const out: string[] = []
  const narrow = size === NARROW_CHART
  const hatch = narrow ? 'hatch-narrow' : 'hatch'
  out.push(`<svg class="chart hours-chart ${narrow ? 'narrow' : 'wide'}" viewBox="0 0 ${size.width} ${size.height}" role="group" aria-label="Records per ${unit}">`)
  out.push(`<defs><pattern id="${hatch}" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="7" height="7" fill="#f4f5f7"/><line x1="0" y1="0" x2="0" y2="7" stroke="#c9ced6" stroke-width="2.5"/></pattern></defs>`)
  out.push('<g class="grid" aria-hidden="true">')
  for (const t of g.yTicks) {
    out.push(`<line x1="${plot.left}" x2="${plot.right}" y1="${t.y}" y2="${t.y}"/>`)
    out.push(`<text class="axis" x="${plot.left - 8}" y="${t.y}" text-anchor="end" dominant-baseline="middle">${number(t.value)}</text>`)
  }
  if (g.canary) for (const t of g.canary.ticks) out.push(`<text class="axis canary-axis" x="${plot.right + 8}" y="${t.y}" dominant-baseline="middle">${number(t.value)}</text>`)
  out.push('</g>')
  out.push('<g class="not-ended" aria-hidden="true">')
  for (const s of g.notEnded) out.push(`<rect x="${s.x}" y="${plot.top}" width="${s.width}" height="${plot.bottom - plot.top}" fill="url(#${hatch})"/>`)
  out.push('</g>')
  if (g.band.length > 0) {
    out.push('<g class="band" aria-hidden="true">')
    for (const b of g.band) {
      out.push(`<rect x="${b.x}" y="${b.high}" width="${b.width}" height="${Math.max(0, round(b.low - b.high))}"/>`)
      out.push(`<line class="baseline" x1="${b.x}" x2="${round(b.x + b.width)}" y1="${b.baseline}" y2="${b.baseline}"/>`)
    }
    out.push('</g>')
  }
  out.push('<g class="bars" aria-hidden="true">')
  g.bars.forEach((b, i) => {
    if (b.height > 0) out.push(`<rect class="${bins[i].ended ? 'bar' : 'bar open'}" x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="1.5"/>`)
    // An ended column with no real record at all: a red floor, so the empty slot reads as missing, not as unknown.
    else if (bins[i].ended) out.push(`<rect class="empty" x="${b.x}" y="${plot.bottom - 3}" width="${b.width}" height="3"/>`)
  })
  out.push(`<line class="floor" x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}"/>`)
  out.push('</g>')
  if (g.canary) {
    out.push('<g class="canary" aria-hidden="true">')
    out.push(`<polyline points="${g.canary.points.map((p) => `${p.x},${p.y}`).join(' ')}"/>`)
    if (g.canary.points.length <= 48) for (const p of g.canary.points) out.push(`<circle cx="${p.x}" cy="${p.y}" r="3.2"/>`)
    out.push('</g>')
  }
  out.push('<g class="markers" aria-hidden="true">')
  const mark = Math.min(7, Math.max(3, g.slots[0] ? g.slots[0].width / 2.6 : 7))
  for (const m of g.markers) {
    const cy = plot.top - 16
    if (m.severity === 'error') {
      const d = round(mark * 0.5)
      out.push(`<circle class="marker error" cx="${m.x}" cy="${cy}" r="${round(mark)}"/>`)
      out.push(`<path class="marker-glyph" d="M${round(m.x - d)} ${round(cy - d)}L${round(m.x + d)} ${round(cy + d)}M${round(m.x + d)} ${round(cy - d)}L${round(m.x - d)} ${round(cy + d)}"/>`)
    } else {
      const h = round(mark * 1.9)
      out.push(`<path class="marker warning" d="M${m.x} ${round(cy - h / 2 - 1)}L${round(m.x + mark * 1.1)} ${round(cy + h / 2)}L${round(m.x - mark * 1.1)} ${round(cy + h / 2)}Z"/>`)
    }
  }
  out.push('</g>')
  out.push('<g class="x-labels" aria-hidden="true">')
  for (const l of g.xLabels) out.push(`<text class="axis" x="${l.x}" y="${plot.bottom + 20}" text-anchor="middle">${escapeHtml(l.text)}</text>`)
  out.push('</g>')
  // The hit areas come last so that they are on top: hovering anywhere in a column selects it.
  out.push('<g class="bins">')
  bins.forEach((bin, i) => {
    const s = g.slots[i]
    out.push(`<g class="bin" data-i="${i}" tabindex="${i === 0 ? 0 : -1}" role="img" aria-label="${escapeHtml(binSummary(bin))}"><rect x="${s.x}" y="${plot.top - 26}" width="${s.width}" height="${plot.bottom - plot.top + 26}"/></g>`)
  })
  out.push('</g>')
  out.push('</svg>')
  return out.join('')
}
