import type {KinesisStreamRecord} from 'aws-lambda'

import type {Lake} from '../../lake/store/lake.js'
import type {BatchOutcome} from '../consumer/batch-writer.js'
import {createConsumerHandler} from '../consumer/consumer-handler.js'
import type {Logger} from '../handler/structured-log.js'
import {DeliveryFailedError} from './errors.js'
import type {DevShard, DevStream} from './kinesis-stream.js'

export interface DevConsumerOptions {
  readonly stream: DevStream
  readonly lake: Lake
  /** The event source mapping's `BatchSize`: the most records handed over at once. */
  readonly batchSize: number
  /** Its `MaximumBatchingWindowInSeconds`: how long records are gathered before a smaller batch goes. */
  readonly batchWindowSeconds: number
  /** The consumer's structured logs. @default dropped */
  readonly log?: Logger
  /** Told what each batch stored. */
  readonly onStored?: (outcome: BatchOutcome) => void
}

export interface DevConsumerStats {
  /** Records stored in the lake (each once). */
  readonly landed: number
  /** Objects written (a union rewritten counts again). */
  readonly objects: number
  /** Records stored under errors/partitioning-failed/ (no usable ts). */
  readonly partitioningFailed: number
  readonly batches: number
  /** Batches (or their ends) handed over again after a failure. */
  readonly retries: number
}

interface ShardState {
  readonly shard: DevShard
  /** The index of the first record not yet stored: the checkpoint. */
  checkpoint: number
  timer?: NodeJS.Timeout
  running?: Promise<void>
  failures: number
}

const RETRY_FIRST_MS = 200
const RETRY_MAX_MS = 10_000
const CLOSE_ATTEMPTS = 5

/**
 * The stack's event source mapping and consumer Lambda, in one process: each shard's records are
 * handed to the same consumer handler the Lambda runs, as Lambda Kinesis events, one batch of a
 * shard at a time and in order (ParallelizationFactor 1): a batch goes once it holds `batchSize`
 * records or `batchWindowSeconds` after its first record arrived, whichever comes first. A batch
 * that fails, whole or in part, is handed over again from the record it names, after a backoff.
 *
 * @example
 * const consumer = new DevKinesisConsumer({stream, lake, batchSize: 100, batchWindowSeconds: 10})
 * await consumer.close() // every record put is in the lake
 */
export class DevKinesisConsumer {
  private readonly options: DevConsumerOptions
  private readonly states: ShardState[]
  private readonly handler: ReturnType<typeof createConsumerHandler>
  private readonly unsubscribe: () => void
  private readonly arn: string
  private closing = false
  private counts = {landed: 0, objects: 0, partitioningFailed: 0, batches: 0, retries: 0}

  constructor(options: DevConsumerOptions) {
    this.options = options
    this.arn = `arn:aws:kinesis:us-east-1:123456789012:stream/${options.stream.name}`
    this.handler = createConsumerHandler({
      lake: options.lake,
      log: options.log ?? (() => {}),
      onStored: (outcome) => {
        this.counts.objects += outcome.written.length
        this.counts.partitioningFailed += outcome.partitioningFailed
        options.onStored?.(outcome)
      },
    })
    this.states = options.stream.shards.map((shard) => ({shard, checkpoint: shard.dropped, failures: 0}))
    this.unsubscribe = options.stream.onPut((shard) => this.schedule(this.stateOf(shard)))
  }

  stats(): DevConsumerStats {
    return {...this.counts}
  }

  /** Records put but not yet stored. */
  pending(): number {
    return this.states.reduce((sum, state) => sum + this.options.stream.end(state.shard) - Math.max(state.checkpoint, state.shard.dropped), 0)
  }

  /** Hands over everything pending now, whatever the window, until caught up; rejects if the lake keeps failing. */
  async flush(): Promise<void> {
    for (const state of this.states) {
      clearTimeout(state.timer)
      state.timer = undefined
      let attempts = 0
      while (this.end(state) > state.checkpoint) {
        await state.running
        clearTimeout(state.timer)
        state.timer = undefined
        if (this.end(state) <= state.checkpoint) break
        const before = state.checkpoint
        state.running = this.runBatch(state)
        await state.running
        state.running = undefined
        if (state.checkpoint === before && ++attempts >= CLOSE_ATTEMPTS) {
          throw new DeliveryFailedError(`${this.end(state) - state.checkpoint} records of ${state.shard.shardId} could not be written to ${this.options.lake.url}`)
        }
      }
    }
  }

  /** Stops waiting for more records and stores every pending one. */
  async close(): Promise<void> {
    this.closing = true
    this.unsubscribe()
    await this.flush()
  }

  private stateOf(shard: DevShard): ShardState {
    return this.states.find((s) => s.shard === shard)!
  }

  private end(state: ShardState): number {
    return this.options.stream.end(state.shard)
  }

  private schedule(state: ShardState, delayMs?: number): void {
    if (this.closing || state.running) return
    const pending = this.end(state) - Math.max(state.checkpoint, state.shard.dropped)
    if (pending <= 0) return
    const ready = pending >= this.options.batchSize
    if (!ready && delayMs === undefined && state.timer) return
    clearTimeout(state.timer)
    const wait = delayMs ?? (ready ? 0 : this.windowLeft(state))
    state.timer = setTimeout(() => {
      state.timer = undefined
      // One batch of a shard at a time (a flush may be running one): the one under way reschedules.
      if (state.running) return
      state.running = this.runBatch(state).finally(() => {
        state.running = undefined
        this.schedule(state, state.failures > 0 ? backoff(state.failures) : undefined)
      })
    }, wait)
    // A pending batch must not keep a stopping process alive: close() flushes it.
    state.timer.unref()
  }

  /** What is left of the window, counted from the arrival of the oldest pending record. */
  private windowLeft(state: ShardState): number {
    const {records} = this.options.stream.read(state.shard, state.checkpoint, 1)
    const first = records[0]?.arrival.getTime() ?? Date.now()
    return Math.max(0, first + this.options.batchWindowSeconds * 1000 - Date.now())
  }

  private async runBatch(state: ShardState): Promise<void> {
    const {stream} = this.options
    const {records, next} = stream.read(state.shard, state.checkpoint, this.options.batchSize)
    if (records.length === 0) {
      state.checkpoint = next
      return
    }
    const event = {Records: records.map((r): KinesisStreamRecord => ({
      awsRegion: 'us-east-1',
      eventID: `${state.shard.shardId}:${r.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      eventSource: 'aws:kinesis',
      eventSourceARN: this.arn,
      eventVersion: '1.0',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/pixel-dev',
      kinesis: {kinesisSchemaVersion: '1.0', partitionKey: r.partitionKey, sequenceNumber: r.sequenceNumber, data: r.data.toString('base64'), approximateArrivalTimestamp: r.arrival.getTime() / 1000},
    }))}
    const start = Math.max(state.checkpoint, state.shard.dropped)
    let resumeAt: number
    try {
      const {batchItemFailures} = await this.handler(event)
      const failed = batchItemFailures[0]?.itemIdentifier
      const at = failed === undefined ? -1 : records.findIndex((r) => r.sequenceNumber === failed)
      resumeAt = at === -1 ? records.length : at
    } catch (error) {
      this.options.log?.({level: 'error', event: 'dev_consumer_failed', shard: state.shard.shardId, error_message: String((error as Error)?.message ?? error).slice(0, 300)})
      resumeAt = 0
    }
    // Lambda checkpoints the records before the one a partial response names, and hands that one over again.
    state.checkpoint = start + resumeAt
    this.counts.batches++
    if (resumeAt < records.length) {
      state.failures++
      this.counts.retries++
    } else {
      state.failures = 0
    }
    this.counts.landed += resumeAt
  }
}

function backoff(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (failures - 1))
}
