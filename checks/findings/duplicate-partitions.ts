import {type Finding, finding} from '../report/report.js'

/**
 * Reports each hour stored under more than one partition path (`hour=5/` beside `hour=05/`):
 * engines that read one path miss the other's records, and a re-run may have doubled the hour.
 *
 * @example findDuplicatePartitions(new Map([['2026-02-10T05', new Set(['…/hour=5', '…/hour=05'])]]))
 */
export function findDuplicatePartitions(pathsByHour: Map<string, Set<string>>): Finding[] {
  return [...pathsByHour]
    .filter(([, paths]) => paths.size > 1)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([hour, paths]) => {
      const sorted = [...paths].sort()
      return finding('duplicate-partition', {
        hour,
        key: null,
        count: sorted.length,
        message: `hour ${hour} is stored under ${sorted.length} partition paths: ${sorted.map((p) => `${p}/`).join(', ')}`,
        samples: sorted.map((p) => ({key: `${p}/`, index: null, pointer: null, message: 'partition path'})),
      })
    })
}
