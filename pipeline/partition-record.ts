import {utcDate} from '../lake/utc-date.js'

/** The error type Firehose names the folder after when a record's partition keys cannot be read. */
export const PARTITIONING_FAILED = 'partitioning-failed'
const PARTITIONING_ERROR_CODE = 'DynamicPartitioning.MetadataExtractionFailed'

/**
 * Where the stack's jq (`.ts[0:4]`, `.ts[5:7]`, …) puts a record: the start of its partition
 * hour, or undefined when Firehose would fail to partition it (not JSON, no string `ts`, or
 * slices that do not name a real UTC hour).
 *
 * @example partitionHour(Buffer.from('{"ts":"2026-11-28T09:41:07.123Z"}\n')) // 2026-11-28T09:00:00.000Z
 */
export function partitionHour(data: Uint8Array): Date | undefined {
  let record: unknown
  try {
    record = JSON.parse(Buffer.from(data).toString('utf8'))
  } catch {
    return undefined
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined
  const ts = (record as {ts?: unknown}).ts
  if (typeof ts !== 'string') return undefined
  const [year, month, day, hour] = [ts.slice(0, 4), ts.slice(5, 7), ts.slice(8, 10), ts.slice(11, 13)]
  if (!/^\d{4}$/.test(year) || ![month, day, hour].every((part) => /^\d{2}$/.test(part))) return undefined
  return utcDate(+year, +month, +day, +hour)
}

/** A record Firehose could not partition, as it writes one under the error prefix. */
export function errorRecord(data: Uint8Array, arrival: Date): Buffer {
  const wrapped = {
    attemptsMade: 1,
    arrivalTimestamp: arrival.getTime(),
    errorCode: PARTITIONING_ERROR_CODE,
    errorMessage: 'Non JSON record provided or the partition keys could not be extracted from .ts',
    attemptEndingTimestamp: arrival.getTime(),
    rawData: Buffer.from(data).toString('base64'),
  }
  return Buffer.from(`${JSON.stringify(wrapped)}\n`)
}
