import {type Finding, type HourSummary, finding} from '../report/report.js'
import {plural} from './hour-tally.js'

/**
 * Reports each hour of the scope that holds fewer than `minRecords` records. An hour that has not
 * ended yet (checking `today`) is not judged: its data may still be on its way.
 *
 * @example findGaps(report.hours, 1) // one finding per empty hour that has ended
 */
export function findGaps(hours: HourSummary[], minRecords: number): Finding[] {
  return hours
    .filter((h) => h.ended && h.records < minRecords)
    .map((h) =>
      finding('gap', {
        hour: h.hour,
        key: null,
        count: h.records,
        message:
          h.objects === 0
            ? `hour ${h.hour} has no objects (at least ${plural(minRecords, 'record')} expected)`
            : `hour ${h.hour} holds ${plural(h.records, 'record')} in ${plural(h.objects, 'object')}, fewer than ${minRecords}`,
      }),
    )
}
