import {PARTITION_FIELDS, type PartitionField, hourFolder} from './partition-path.js'

/**
 * Where the pipeline writes in the lake bucket. Firehose, the Athena table, the checks and the
 * replay tool must all agree on this layout, so it is defined once, here.
 */

/** The root of the event data: `events/year=YYYY/month=MM/day=DD/hour=HH/`. */
export const EVENTS_ROOT = 'events/'

/** The root of what Firehose could not deliver or partition. */
export const ERRORS_ROOT = 'errors/'

/**
 * The partition keys, taken with jq from the record's own `ts` (the receive time, or the
 * original time of a replayed hit), so that a record lands in the hour it happened rather than
 * the hour it reached Firehose. jq 1.6's `fromdateiso8601` rejects the milliseconds, so the keys
 * are slices of the ISO string `YYYY-MM-DDTHH:MM:SS.sssZ`.
 */
export const PARTITION_KEY_QUERIES: Record<PartitionField, string> = {
  year: '.ts[0:4]',
  month: '.ts[5:7]',
  day: '.ts[8:10]',
  hour: '.ts[11:13]',
}

export const PARTITION_KEYS: readonly PartitionField[] = PARTITION_FIELDS

/** Firehose's `Prefix` for the events. */
export const EVENTS_PREFIX = `${EVENTS_ROOT}${PARTITION_KEYS.map((key) => `${key}=!{partitionKeyFromQuery:${key}}`).join('/')}/`

/**
 * Firehose's `ErrorOutputPrefix`: the error type (for instance `partitioning-failed` for a
 * record without a usable `ts`) then the hour of the failure.
 */
export const ERROR_OUTPUT_PREFIX = `${ERRORS_ROOT}!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/`

/** Athena's `storage.location.template`, relative to the bucket, for partition projection. */
export const EVENTS_LOCATION_TEMPLATE = `${EVENTS_ROOT}${PARTITION_KEYS.map((key) => `${key}=\${${key}}`).join('/')}/`

/**
 * The folder of the hour that holds an event with timestamp `ts`.
 *
 * @example
 * eventsHourPrefix(new Date('2026-11-28T09:41:07.123Z')) // 'events/year=2026/month=11/day=28/hour=09/'
 */
export function eventsHourPrefix(ts: Date): string {
  const iso = ts.toISOString()
  return `${EVENTS_ROOT}${hourFolder(ts.toISOString().slice(0, 13))}`
}
