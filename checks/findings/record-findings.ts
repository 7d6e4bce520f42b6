import {type HourTallyEntry, plural} from './hour-tally.js'
import {type Finding, finding} from '../report/report.js'

/** The most common messages of an hour, most frequent first: `/ts must match format (3), …`. */
function topMessages(messages: Record<string, number>, most = 3): string {
  const sorted = Object.entries(messages).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
  const shown = sorted.slice(0, most).map(([m, n]) => `${m} (${n})`)
  if (sorted.length > most) shown.push(`${sorted.length - most} more`)
  return shown.join('; ')
}

/** One `unparseable-record` finding per hour with lines that are not JSON. */
export function unparseableFindings(entries: HourTallyEntry[]): Finding[] {
  return entries.map(({hour, count, samples}) =>
    finding('unparseable-record', {hour, key: null, count, message: `hour ${hour} holds ${plural(count, 'piece')} of text that ${count === 1 ? 'is' : 'are'} not JSON`, samples}),
  )
}

/** One `schema` finding per hour with records that fail the schema, naming the commonest errors. */
export function schemaFindings(entries: HourTallyEntry[]): Finding[] {
  return entries.map(({hour, count, samples, messages}) =>
    finding('schema', {hour, key: null, count, message: `${plural(count, 'record')} in hour ${hour} fail the schema: ${topMessages(messages)}`, samples}),
  )
}

/** One `misplaced-record` finding per hour with valid records whose time lies outside it. */
export function misplacedFindings(entries: HourTallyEntry[], toleranceMinutes: number, timeField: string): Finding[] {
  return entries.map(({hour, count, samples}) =>
    finding('misplaced-record', {
      hour,
      key: null,
      count,
      message: `${plural(count, 'record')} in partition hour ${hour} have a ${timeField} more than ${toleranceMinutes} minutes outside it`,
      samples,
    }),
  )
}
