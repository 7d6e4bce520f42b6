import {type Finding, type HourSummary, finding} from '../report/report.js'
import {plural} from './hour-tally.js'

/**
 * Reports each hour of the scope that holds fewer than `minRecords` real records (the canary's do
 * not count: an hour of canary alone is a broken pipeline or embed). An hour that has not ended
 * yet (checking `today`) is not judged: its data may still be on its way.
 *
 * @example findGaps(report.hours, 1) // one finding per empty hour that has ended
 */
export function findGaps(hours: HourSummary[], minRecords: number): Finding[] {
  return hours
    .filter((h) => h.ended && h.records - h.canary < minRecords)
    .map((h) => {
      const real = h.records - h.canary
      const canary = h.canary > 0 ? ` (and ${plural(h.canary, 'canary record')})` : ''
      return finding('gap', {
        hour: h.hour,
        key: null,
        count: real,
        message:
          h.objects === 0
            ? `hour ${h.hour} has no objects (at least ${plural(minRecords, 'record')} expected)`
            : `hour ${h.hour} holds ${plural(real, h.canary > 0 ? 'real record' : 'record')}${canary} in ${plural(h.objects, 'object')}, fewer than ${minRecords}`,
      })
    })
}
