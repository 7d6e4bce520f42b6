import type {CheckName} from './report.js'

/** One line per check for a person reading a report: what fired, and what to look at. */
export const CHECK_DESCRIPTIONS: Record<CheckName, string> = {
  gap: 'An hour holds fewer real records than --min-records. With canary-missing in the same hour the pipeline delivered nothing: backfill with pixel replay.',
  'duplicate-partition': 'One hour is stored under several partition paths (hour=5/ and hour=05/): queries of one path miss the others.',
  'duplicate-object': 'An object is a byte-for-byte copy of an earlier one: a delivery retried or copied twice. Its records are duplicates too.',
  'duplicate-record': 'A record id was seen before; the original is the earliest by (partition hour, key).',
  'corrupt-object': 'An object cannot be fully decompressed (truncated, not gzip, or past --max-object-size); records before the damage are still read.',
  'unparseable-record': 'A piece of text is not JSON, so no schema can judge it.',
  schema: 'Records fail the JSON Schema; each sample names the record and the JSON pointer that failed.',
  'misplaced-record': 'A valid record\u2019s time lies outside its partition hour by more than --tolerance.',
  'late-arrival': 'An object arrived more than --late-after after its hour ended: reports run earlier saw the hour incomplete.',
  'unexpected-key': 'A key in the scope does not fit the layout, or could not be read; its records are not counted.',
  'canary-missing': 'A finished hour holds no canary record while the canary is known to run. With a gap: the pipeline is down; alone: the canary is.',
  volume: 'Real records are below --volume-drop (an error) or above --volume-spike (a warning) times the hour\u2019s baseline.',
  freshness: 'The hour\u2019s p95 lag from record time to arrival exceeds --freshness: Firehose buffering or a backlog.',
  'schema-drift': 'The shape of records changed against the last 7 recorded days: a field new, gone, retyped, or much more often null.',
  'raw-ip': 'The client address field holds more than --ip-policy allows. Samples never show the address.',
}
