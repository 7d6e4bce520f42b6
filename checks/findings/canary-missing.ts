import {type Finding, finding} from '../report/report.js'
import {plural} from './hour-tally.js'

/**
 * Reports each finished hour that holds no canary record while the canary is known to run (its
 * records appear in the scope or in the history). With real traffic in the hour it is the canary
 * that broke; with none, `gap` fires too and the pipeline broke.
 *
 * @example findCanaryMissing([{hour: '2026-02-10T05', canary: 0, real: 400, ended: true}], true)
 */
export function findCanaryMissing(hours: {hour: string; canary: number; real: number; ended: boolean}[], canaryKnown: boolean): Finding[] {
  if (!canaryKnown) return []
  return hours
    .filter((h) => h.ended && h.canary === 0)
    .map((h) =>
      finding('canary-missing', {
        hour: h.hour,
        key: null,
        count: 0,
        message:
          h.real > 0
            ? `hour ${h.hour} holds no canary record but ${plural(h.real, 'real record')}: the canary itself is broken`
            : `hour ${h.hour} holds no canary record and no real record: the pipeline is broken`,
      }),
    )
}
