import {type Finding, finding} from '../report/report.js'
import type {VolumeBaseline} from '../history/volume-baseline.js'
import {plural} from './hour-tally.js'

export interface VolumeLimits {
  /** Below this share of its baseline an hour is an error. @default 0.5 */
  drop: number
  /** Above this multiple of its baseline an hour is a warning. @default 3 */
  spike: number
}

const ratioText = (r: number) => `${r < 10 ? r.toFixed(2) : r.toFixed(0)}x`

/**
 * Compares each finished hour's real records with its baseline: an error below `drop` times it, a
 * warning above `spike` times it. Hours still learning, and hours that already have a `gap`, are
 * not judged.
 *
 * @example findVolume([{hour, real: 90, ended: true, baseline: {expected: 400, weeks: 4}}], new Set(), {drop: 0.5, spike: 3})
 */
export function findVolume(hours: {hour: string; real: number; ended: boolean; baseline: VolumeBaseline}[], gapHours: Set<string>, limits: VolumeLimits): Finding[] {
  const findings: Finding[] = []
  for (const h of hours) {
    const expected = h.baseline.expected
    if (!h.ended || expected === null || expected <= 0 || gapHours.has(h.hour)) continue
    const ratio = h.real / expected
    const basis = `its baseline of ${expected} (the median of the same hour on ${plural(h.baseline.weeks, 'past same weekday')})`
    if (ratio < limits.drop) {
      findings.push(finding('volume', {hour: h.hour, key: null, count: h.real, message: `hour ${h.hour} holds ${plural(h.real, 'real record')}, ${ratioText(ratio)} ${basis}, below ${limits.drop}x`}))
    } else if (ratio > limits.spike) {
      findings.push(finding('volume', {severity: 'warning', hour: h.hour, key: null, count: h.real, message: `hour ${h.hour} holds ${plural(h.real, 'real record')}, ${ratioText(ratio)} ${basis}, above ${limits.spike}x`}))
    }
  }
  return findings
}
