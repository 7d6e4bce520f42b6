import {describe, expect, it} from 'vitest'
import {MAX_HOUR_COLUMNS, chartBins} from './chart-bins.js'
import {CHART, NARROW_CHART, hoursChartSvg, hoursGeometry, niceScale} from './hours-chart.js'
import {lagGeometry, minuteScale} from './lag-chart.js'
import {finding} from './report.js'
import {checkReport, dayHours, hourSummary} from './test-support/check-report.js'

const LIMITS = {volumeDrop: 0.5, volumeSpike: 3}
const DAY = dayHours('2026-02-10')

describe('niceScale', () => {
  it.each([
    [87, 100],
    [0.4, 1],
    [1, 1],
    [1234, 1500],
    [10.8, 15],
    [0, 1],
  ])('rounds %d up to an axis of %d, in whole steps', (value, max) => {
    const scale = niceScale(value)
    expect(scale.max).toBe(max)
    expect(scale.max).toBeGreaterThanOrEqual(value)
    expect(Number.isInteger(scale.step)).toBe(true)
    expect(scale.max % scale.step).toBe(0)
  })
})

describe('minuteScale', () => {
  it.each([
    [200, 240, 60],
    [66, 90, 30],
    [4000, 4320, 1440],
  ])('puts %d minutes on an axis of %d in steps of %d', (minutes, max, step) => {
    expect(minuteScale(minutes)).toEqual({max, step})
  })
})

describe('chartBins', () => {
  it('gives one column per hour for a day, with the checks that fired in each, by severity', () => {
    const report = checkReport(DAY.map((h) => hourSummary(h)), [
      finding('gap', {hour: DAY[13], key: null, count: 0, message: 'gap'}),
      finding('late-arrival', {hour: DAY[13], key: 'k', count: 1, message: 'late'}),
      finding('schema-drift', {hour: null, key: null, count: 3, message: 'drift'}),
    ])
    const {unit, bins} = chartBins(report)
    expect(unit).toBe('hour')
    expect(bins).toHaveLength(24)
    expect(bins[13]).toMatchObject({label: '13:00', title: '2026-02-10 13:00–14:00 UTC', errors: ['gap'], warnings: ['late-arrival']})
    expect(bins.filter((b) => b.errors.length + b.warnings.length > 0)).toHaveLength(1)
  })

  it('adds up a day per column past a week of hours, and a day is not ended while one of its hours is not', () => {
    const days = Array.from({length: 8}, (_, i) => `2026-02-${String(10 + i).padStart(2, '0')}`)
    const hours = days.flatMap((d) => dayHours(d)).map((h) => hourSummary(h, {ended: h < '2026-02-17T05', baseline: h.startsWith('2026-02-10') ? null : 70}))
    expect(hours.length).toBeGreaterThan(MAX_HOUR_COLUMNS)
    const {unit, bins} = chartBins(checkReport(hours))
    expect(unit).toBe('day')
    expect(bins.map((b) => b.label)).toEqual(days)
    expect(bins[1]).toMatchObject({records: 24 * 80, objects: 48, baseline: 24 * 70, ended: true, lag: null})
    expect(bins[0].baseline).toBeNull()
    expect(bins[7].ended).toBe(false)
  })
})

describe('hoursGeometry', () => {
  const report = checkReport(DAY.map((h, i) => hourSummary(h, {
    records: i === 13 ? 0 : i === 3 ? 120 : 80,
    valid: i === 13 ? 0 : i === 3 ? 120 : 80,
    objects: i === 13 ? 0 : 2,
    canary: i === 13 ? 0 : 2,
    ended: i < 20,
    baseline: 78,
  })), [finding('gap', {hour: DAY[13], key: null, count: 0, message: 'gap'}), finding('freshness', {hour: DAY[18], key: null, count: 3, message: 'late'})])
  const {bins} = chartBins(report)
  const g = hoursGeometry(bins, 'hour', LIMITS)

  it('gives every hour a slot of the same width, side by side across the plot', () => {
    expect(g.slots).toHaveLength(24)
    const width = (g.plot.right - g.plot.left) / 24
    g.slots.forEach((s, i) => expect(s.x).toBeCloseTo(g.plot.left + i * width, 0))
  })

  it('draws the tallest column within the plot and an empty hour as no bar at all', () => {
    expect(g.yMax).toBeGreaterThanOrEqual(118)
    expect(Math.min(...g.bars.map((b) => b.y))).toBeGreaterThanOrEqual(g.plot.top)
    expect(g.bars[13].height).toBe(0)
    expect(g.bars[3].height).toBeGreaterThan(g.bars[0].height)
  })

  it('marks the not-ended hours across the whole plot height', () => {
    expect(g.notEnded.map((s) => s.x)).toEqual(g.slots.slice(20).map((s) => s.x))
  })

  it('marks an hour with an error as an error and one with a warning only as a warning', () => {
    expect(g.markers).toEqual([{x: g.slots[13].mid, severity: 'error'}, {x: g.slots[18].mid, severity: 'warning'}])
  })

  it('draws the baseline band from the volume drop to the spike, clipped to the plot, around the baseline', () => {
    expect(g.band).toHaveLength(24)
    const b = g.band[0]
    expect(b.low).toBeGreaterThan(b.baseline)
    expect(b.high).toBeLessThan(b.baseline)
    expect(b.high).toBeGreaterThanOrEqual(g.plot.top)
  })

  it('draws the canary on its own axis, down to the floor where it is missing', () => {
    expect(g.canary!.points[13].y).toBe(g.plot.bottom)
    expect(g.canary!.points[0].y).toBeLessThan(g.plot.bottom)
  })

  it('draws no canary and no band for a report without them', () => {
    const plain = hoursGeometry(chartBins(checkReport(DAY.map((h) => hourSummary(h)))).bins, 'hour', LIMITS)
    expect(plain.canary).toBeNull()
    expect(plain.band).toEqual([])
    expect(plain.notEnded).toEqual([])
  })

  it.each([
    ['wide', 8, CHART],
    ['narrow', 4, NARROW_CHART],
  ])('labels a day at its %s size with %d hour labels', (_, count, size) => {
    expect(hoursGeometry(bins, 'hour', LIMITS, size).xLabels).toHaveLength(count)
  })

  it('makes each column one focusable hit area, only the first in the tab order', () => {
    const svg = hoursChartSvg(bins, 'hour', LIMITS)
    expect(svg.match(/<g class="bin" data-i="\d+" tabindex="0"/g)).toHaveLength(1)
    expect(svg.match(/<g class="bin" data-i="\d+" tabindex="-1"/g)).toHaveLength(23)
    expect(svg).toContain('aria-label="2026-02-10 13:00–14:00 UTC: 0 records; 0 objects')
  })
})

describe('lagGeometry', () => {
  it('draws each known p95 with its p50 below it, flags those past the limit, and leaves unknown hours out', () => {
    const hours = DAY.map((h, i) => hourSummary(h, {lag: i === 5 ? null : i === 18 ? {p50Seconds: 1800, p95Seconds: 5400, maxSeconds: 6000} : {p50Seconds: 300, p95Seconds: 900, maxSeconds: 1000}}))
    const g = lagGeometry(chartBins(checkReport(hours)).bins, 60)
    expect(g.columns).toHaveLength(23)
    expect(g.columns.some((c) => c.i === 5)).toBe(false)
    expect(g.columns.filter((c) => c.stale).map((c) => c.i)).toEqual([18])
    for (const c of g.columns) expect(c.y50).toBeGreaterThanOrEqual(c.y95)
    const stale = g.columns.find((c) => c.i === 18)!
    expect(stale.y95).toBeLessThan(g.limitY)
    expect(g.yMax).toBeGreaterThanOrEqual(90)
  })
})
