import {randomUUID} from 'node:crypto'
import {gzipSync} from 'node:zlib'
import type {Lake} from '../lake/store/lake.js'
import {objectKey} from '../lake/layout/object-key.js'
import {hourStart} from '../lake/scope.js'
import type {OutgoingRecord} from './firehose-sender.js'

/** As the stack's Firehose buffer: an object holds at most 64 MiB of records. */
export const LAKE_OBJECT_BYTES = 64 * 1024 * 1024
/** Records in one object at most, unless told otherwise. */
export const LAKE_OBJECT_RECORDS = 50_000

export interface LakeSendOptions {
  lake: Lake
  /** The target hour, `YYYY-MM-DDTHH`. */
  hour: string
  /** The stream name in the object names. @default 'pixel-events' */
  stream?: string
  /** Records per object at most. @default 50_000 */
  recordsPerObject?: number
  /** Stops between objects; what is not written yet counts as failed (interrupted). */
  signal?: AbortSignal
  onAcknowledged: (records: OutgoingRecord[]) => Promise<void>
  /** @default () => new Date() */
  now?: () => Date
}

/**
 * Writes records straight into the hour's partition as Firehose-named gzip objects
 * (`<stream>-1-<arrival>-<uuid>.gz`, arrival = now, so `pixel check` sees them as late, which
 * they are): the backfill for a stream that partitions by arrival time. Each object is
 * acknowledged once written.
 *
 * @example await sendToLake(records, {lake, hour: '2026-02-10T05', onAcknowledged})
 */
export async function sendToLake(records: readonly OutgoingRecord[], options: LakeSendOptions): Promise<{sent: number; failed: number; failures: Record<string, number>}> {
  const perObject = options.recordsPerObject ?? LAKE_OBJECT_RECORDS
  const now = options.now ?? (() => new Date())
  const result = {sent: 0, failed: 0, failures: {} as Record<string, number>}
  let at = 0
  while (at < records.length) {
    let end = at
    let bytes = 0
    while (end < records.length && end - at < perObject && (end === at || bytes + records[end].data.length <= LAKE_OBJECT_BYTES)) bytes += records[end++].data.length
    const chunk = records.slice(at, end)
    at = end
    if (options.signal?.aborted) {
      result.failed += chunk.length
      result.failures.interrupted = (result.failures.interrupted ?? 0) + chunk.length
      continue
    }
    const key = objectKey({stream: options.stream ?? 'pixel-events', version: 1, hour: new Date(hourStart(options.hour)), arrival: now(), uuid: randomUUID()})
    try {
      await options.lake.write(key, gzipSync(Buffer.concat(chunk.map((r) => r.data))))
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).name
      result.failed += chunk.length
      result.failures[reason] = (result.failures[reason] ?? 0) + chunk.length
      continue
    }
    await options.onAcknowledged(chunk)
    result.sent += chunk.length
  }
  return result
}
