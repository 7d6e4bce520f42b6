import type {KinesisStreamBatchResponse, KinesisStreamEvent} from 'aws-lambda'

import {EVENTS_ROOT} from '../../lake/layout/bucket-layout.js'
import type {Lake} from '../../lake/store/lake.js'
import {S3Lake} from '../../lake/store/s3-lake.js'
import {describeError, jsonLineLogger, type Logger} from '../handler/structured-log.js'
import {type BatchOutcome, GroupWriteError, writeBatch} from './batch-writer.js'
import {CONSUMER_ENV} from './consumer-environment.js'
import {streamRecords} from './stream-record.js'

export {CONSUMER_ENV}

export interface ConsumerHandlerOptions {
  /** The lake the events go to (the prefix holding `year=`). */
  readonly lake: Lake
  /** Where `errors/partitioning-failed/` goes. @default lake */
  readonly errorLake?: Lake
  /** @default JSON lines on stdout */
  readonly log?: Logger
  /** Told what each batch stored (pixel dev's demo page shows it). */
  readonly onStored?: (outcome: BatchOutcome) => void
}

export type ConsumerHandler = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>

/**
 * The Lambda handler of the Kinesis event source mapping: writes the batch exactly once into the
 * lake (see `writeBatch`) and answers a partial batch response. When some records could not be
 * stored, it names the lowest of them, so Lambda delivers it and everything after it again (and
 * the records already stored are merged, not copied); a batch it cannot read at all fails whole.
 *
 * @example
 * const handler = createConsumerHandler({lake: new S3Lake('s3://bucket/events/'), errorLake: new S3Lake('s3://bucket/')})
 * const {batchItemFailures} = await handler(event)
 */
export function createConsumerHandler(options: ConsumerHandlerOptions): ConsumerHandler {
  const log = options.log ?? jsonLineLogger
  return async (event) => {
    const records = streamRecords(event)
    if (records.length === 0) return {batchItemFailures: []}
    const shards = [...new Set(records.map((r) => r.shard))]
    try {
      const outcome = await writeBatch(records, {lake: options.lake, errorLake: options.errorLake})
      options.onStored?.(outcome)
      log({level: 'info', event: 'batch_stored', shards, records: outcome.records, partitioning_failed: outcome.partitioningFailed, written: outcome.written.length, deleted: outcome.deleted.length, already_stored: outcome.alreadyStored})
      return {batchItemFailures: []}
    } catch (error) {
      if (!(error instanceof GroupWriteError)) throw error
      if (error.partial) options.onStored?.(error.partial)
      log({level: 'error', event: 'batch_store_failed', shards, from_sequence: error.firstSequence, ...describeError(error.cause)})
      return {batchItemFailures: [{itemIdentifier: error.firstSequence}]}
    }
  }
}

let lambdaHandler: ConsumerHandler | undefined

/** The Lambda entry: the lake bucket from the environment, one S3 client per container. */
export const handler: ConsumerHandler = async (event) => {
  if (lambdaHandler === undefined) {
    const bucket = process.env[CONSUMER_ENV.bucket]
    if (!bucket) throw new Error(`${CONSUMER_ENV.bucket} is not set: the stack sets it to the lake bucket`)
    lambdaHandler = createConsumerHandler({lake: new S3Lake(`s3://${bucket}/${EVENTS_ROOT}`), errorLake: new S3Lake(`s3://${bucket}/`)})
  }
  return lambdaHandler(event)
}
