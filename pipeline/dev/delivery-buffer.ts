import {randomUUID} from 'node:crypto'
import {promisify} from 'node:util'
import {gzip} from 'node:zlib'

import type {Lake} from '../../lake/store/lake.js'
import {objectKey} from '../../lake/layout/object-key.js'
import {ERRORS_ROOT} from '../../lake/layout/bucket-layout.js'
import {PARTITIONING_FAILED, errorRecord, partitionHour} from '../partition-record.js'
import {DeliveryClosedError, DeliveryFailedError} from './errors.js'

export {PARTITIONING_FAILED, partitionHour}

const gzipAsync = promisify(gzip)

export interface DeliveryBufferOptions {
  /** Where objects go; keys are relative to it, so a folder or an S3 prefix both work. */
  readonly lake: Lake
  /** The delivery stream's name, the first part of every object's name. */
  readonly stream: string
  /** Firehose's buffering interval: a partition's buffer is written this long after its first record. */
  readonly bufferSeconds: number
  /** Firehose's buffering size: a partition's buffer is written as soon as it holds this many bytes. */
  readonly bufferBytes: number
  /** The stream's version, the second part of every object's name. @default 1 */
  readonly version?: number
  /** @default () => new Date() */
  readonly now?: () => Date
  /** Called after each object is stored. */
  readonly onDelivered?: (delivery: Delivery) => void
  /** Called when a write fails; it is retried at the next flush. */
  readonly onWriteFailed?: (key: string, error: unknown) => void
}

/** One object written to the lake. */
export interface Delivery {
  readonly key: string
  readonly records: number
  readonly bytes: number
  /** True for an object under the error prefix. */
  readonly failed: boolean
}

export interface DeliveryStats {
  /** Records taken into a buffer (acknowledged). */
  readonly received: number
  /** Records written to the lake, error prefix included. */
  readonly delivered: number
  /** Records that went to the error prefix. */
  readonly partitioningFailed: number
  readonly objects: number
}

interface Pending {
  readonly key: (arrival: Date, uuid: string) => string
  readonly openedAt: Date
  readonly chunks: Buffer[]
  bytes: number
  timer?: NodeJS.Timeout
  readonly failed: boolean
}

interface Batch {
  readonly key: string
  readonly chunks: Buffer[]
  readonly bytes: number
  readonly failed: boolean
}

/**
 * Firehose's delivery, on one machine: records are buffered per partition hour, and each buffer
 * is written as one gzip object, named as Firehose names it, when it reaches `bufferBytes` or
 * `bufferSeconds` after its first record. Records that cannot be partitioned go, wrapped as
 * Firehose wraps them, under `errors/partitioning-failed/`. Records are stored byte for byte,
 * back to back: the stack adds no delimiter (the handler's lines end with one).
 *
 * @example
 * const buffer = new DeliveryBuffer({lake, stream: 'pixel-events', bufferSeconds: 10, bufferBytes: 1 << 20})
 * buffer.add([Buffer.from(line)])
 * await buffer.close() // everything taken is in the lake
 */
export class DeliveryBuffer {
  private readonly options: DeliveryBufferOptions
  private readonly now: () => Date
  private readonly pending = new Map<string, Pending>()
  private readonly writing = new Set<Promise<void>>()
  private readonly unwritten: Batch[] = []
  private closed = false
  private counts = {received: 0, delivered: 0, partitioningFailed: 0, objects: 0}

  constructor(options: DeliveryBufferOptions) {
    this.options = options
    this.now = options.now ?? (() => new Date())
  }

  /**
   * Takes records into their partitions' buffers, all or none. Once this returns they will be
   * written, at the latest by `close()`: only then may a caller acknowledge them.
   */
  add(records: readonly Uint8Array[]): void {
    if (this.closed) throw new DeliveryClosedError()
    const arrival = this.now()
    const touched = new Set<string>()
    for (const data of records) {
      const hour = partitionHour(data)
      const id = hour ? `events/${hour.toISOString()}` : `errors/${arrival.toISOString().slice(0, 13)}`
      const pending = this.pending.get(id) ?? this.open(id, hour, arrival)
      const chunk = hour ? Buffer.from(data) : errorRecord(data, arrival)
      pending.chunks.push(chunk)
      pending.bytes += chunk.length
      touched.add(id)
      this.counts.received++
    }
    for (const id of touched) {
      if ((this.pending.get(id)?.bytes ?? 0) >= this.options.bufferBytes) this.writePartition(id)
    }
  }

  /** Writes every buffer now and waits until every write has finished; rejects if any failed. */
  async flush(): Promise<void> {
    for (const id of [...this.pending.keys()]) this.writePartition(id)
    for (const batch of this.unwritten.splice(0)) this.track(batch)
    while (this.writing.size > 0) await Promise.all([...this.writing])
    if (this.unwritten.length > 0) {
      const records = this.unwritten.reduce((sum, batch) => sum + batch.chunks.length, 0)
      throw new DeliveryFailedError(`${records} records could not be written to ${this.options.lake.url}`)
    }
  }

  /** Refuses new records, then flushes: when this resolves, every acknowledged record is stored. */
  async close(): Promise<void> {
    this.closed = true
    await this.flush()
  }

  stats(): DeliveryStats {
    return {...this.counts}
  }

  private open(id: string, hour: Date | undefined, openedAt: Date): Pending {
    const stream = this.options.stream
    const version = this.options.version ?? 1
    const pending: Pending = {
      // Firehose names an object after the arrival of its buffer's first record.
      key: hour
        ? (arrival, uuid) => objectKey({stream, version, hour, arrival, uuid})
        : (arrival, uuid) => `${ERRORS_ROOT}${PARTITIONING_FAILED}/${objectKey({stream, version, hour: arrival, arrival, uuid})}`,
      openedAt,
      chunks: [],
      bytes: 0,
      failed: hour === undefined,
    }
    pending.timer = setTimeout(() => this.writePartition(id), this.options.bufferSeconds * 1000)
    // The server keeps a running process alive; a forgotten buffer must not.
    pending.timer.unref()
    this.pending.set(id, pending)
    return pending
  }

  private writePartition(id: string): void {
    const pending = this.pending.get(id)
    if (!pending) return
    this.pending.delete(id)
    clearTimeout(pending.timer)
    this.track({key: pending.key(pending.openedAt, randomUUID()), chunks: pending.chunks, bytes: pending.bytes, failed: pending.failed})
  }

  private track(batch: Batch): void {
    const write = this.write(batch).finally(() => this.writing.delete(write))
    this.writing.add(write)
  }

  private async write(batch: Batch): Promise<void> {
    try {
      await this.options.lake.write(batch.key, await gzipAsync(Buffer.concat(batch.chunks)))
    } catch (error) {
      this.unwritten.push(batch)
      this.options.onWriteFailed?.(batch.key, error)
      return
    }
    this.counts.delivered += batch.chunks.length
    if (batch.failed) this.counts.partitioningFailed += batch.chunks.length
    this.counts.objects++
    this.options.onDelivered?.({key: batch.key, records: batch.chunks.length, bytes: batch.bytes, failed: batch.failed})
  }
}
