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
  /**
   * The demo's faults: asked once per batch about to be written, it may have the batch written
   * twice, written corrupt, or lost (handed to `onLost` instead of the lake). @default none
   */
  readonly tamper?: (batch: {readonly key: string; readonly hour: string | undefined}) => DeliveryFault | undefined
  /** Receives a batch `tamper` lost, before it counts as lost; a rejection is reported as a failed write. */
  readonly onLost?: (batch: LostBatch) => Promise<void>
}

/** What the demo can do to a batch on its way to the lake, as Firehose and S3 sometimes do. */
export type DeliveryFault = 'duplicate' | 'corrupt' | 'lose'

/** A batch that never reached the lake. */
export interface LostBatch {
  /** The key it would have had. */
  readonly key: string
  /** Its partition hour, `YYYY-MM-DDTHH`. */
  readonly hour: string | undefined
  /** Its records, byte for byte. */
  readonly records: readonly Buffer[]
}

/** One object written to the lake. */
export interface Delivery {
  readonly key: string
  readonly records: number
  readonly bytes: number
  /** True for an object under the error prefix. */
  readonly failed: boolean
  /** The bytes stored (gzip). */
  readonly stored: number
  /** The partition hour, `YYYY-MM-DDTHH`; undefined under the error prefix. */
  readonly hour: string | undefined
  /** The sequence numbers (see `add`) of its records, ascending. */
  readonly sequences: readonly number[]
  /** Set when the demo tampered with it: a second copy, a corrupt object, or a batch lost (nothing stored). */
  readonly fault?: DeliveryFault
}

/** A partition's buffer, waiting for its flush. */
export interface PendingPartition {
  /** `YYYY-MM-DDTHH`, or undefined for records that cannot be partitioned. */
  readonly hour: string | undefined
  readonly records: number
  readonly bytes: number
  /** When its interval runs out (it is written sooner if it fills). */
  readonly flushAt: Date
}

export interface DeliveryStats {
  /** Records taken into a buffer (acknowledged). */
  readonly received: number
  /** Records written to the lake, error prefix included. */
  readonly delivered: number
  /** Records that went to the error prefix. */
  readonly partitioningFailed: number
  readonly objects: number
  /** Records the demo's `lose` fault kept from the lake. */
  readonly lost: number
}

interface Pending {
  readonly key: (arrival: Date, uuid: string) => string
  readonly openedAt: Date
  readonly hour: string | undefined
  readonly chunks: Buffer[]
  readonly sequences: number[]
  bytes: number
  timer?: NodeJS.Timeout
  readonly failed: boolean
}

interface Batch {
  readonly key: string
  readonly hour: string | undefined
  readonly chunks: Buffer[]
  readonly sequences: number[]
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
  private counts = {received: 0, delivered: 0, partitioningFailed: 0, objects: 0, lost: 0}

  constructor(options: DeliveryBufferOptions) {
    this.options = options
    this.now = options.now ?? (() => new Date())
  }

  /**
   * Takes records into their partitions' buffers, all or none. Once this returns they will be
   * written, at the latest by `close()`: only then may a caller acknowledge them. Returns the
   * sequence number of the first record; the others follow it, one each, in order.
   */
  add(records: readonly Uint8Array[]): number {
    if (this.closed) throw new DeliveryClosedError()
    const arrival = this.now()
    const first = this.counts.received
    const touched = new Set<string>()
    for (const data of records) {
      const hour = partitionHour(data)
      const id = hour ? `events/${hour.toISOString()}` : `errors/${arrival.toISOString().slice(0, 13)}`
      const pending = this.pending.get(id) ?? this.open(id, hour, arrival)
      const chunk = hour ? Buffer.from(data) : errorRecord(data, arrival)
      pending.chunks.push(chunk)
      pending.sequences.push(this.counts.received)
      pending.bytes += chunk.length
      touched.add(id)
      this.counts.received++
    }
    for (const id of touched) {
      if ((this.pending.get(id)?.bytes ?? 0) >= this.options.bufferBytes) this.writePartition(id)
    }
    return first
  }

  /** Writes the buffer of one partition hour (`YYYY-MM-DDTHH`) now, if it holds records. */
  flushHour(hour: string): void {
    this.writePartition(`events/${hour}:00:00.000Z`)
  }

  /** The buffers waiting for their flush, oldest first. */
  pendingPartitions(): PendingPartition[] {
    return [...this.pending.values()].map((p) => ({hour: p.hour, records: p.chunks.length, bytes: p.bytes, flushAt: new Date(p.openedAt.getTime() + this.options.bufferSeconds * 1000)}))
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
      hour: hour?.toISOString().slice(0, 13),
      chunks: [],
      sequences: [],
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
    const {hour, chunks, sequences, bytes, failed} = pending
    this.track({key: pending.key(pending.openedAt, randomUUID()), hour, chunks, sequences, bytes, failed})
  }

  private track(batch: Batch): void {
    const write = this.write(batch).finally(() => this.writing.delete(write))
    this.writing.add(write)
  }

  private async write(batch: Batch): Promise<void> {
    const fault = batch.failed ? undefined : this.options.tamper?.({key: batch.key, hour: batch.hour})
    const delivery = {key: batch.key, records: batch.chunks.length, bytes: batch.bytes, failed: batch.failed, hour: batch.hour, sequences: batch.sequences}
    let body: Buffer
    try {
      if (fault === 'lose') {
        if (!this.options.onLost) throw new Error('no place to keep a lost batch')
        await this.options.onLost({key: batch.key, hour: batch.hour, records: batch.chunks})
        this.counts.lost += batch.chunks.length
        this.options.onDelivered?.({...delivery, stored: 0, fault})
        return
      }
      body = await gzipAsync(Buffer.concat(batch.chunks))
      // Cut mid-stream, as a torn upload would leave it: the gzip trailer and part of the data are gone.
      if (fault === 'corrupt') body = body.subarray(0, Math.max(10, Math.floor(body.length / 2)))
      await this.options.lake.write(batch.key, body)
    } catch (error) {
      this.unwritten.push(batch)
      this.options.onWriteFailed?.(batch.key, error)
      return
    }
    this.stored(delivery, body, fault)
    if (fault === 'duplicate') {
      // Firehose retries a delivery it could not confirm: the same bytes, under a second name.
      const key = batch.key.replace(/[0-9a-f-]{36}(?=\.gz$)/, randomUUID())
      try {
        await this.options.lake.write(key, body)
        this.stored({...delivery, key}, body, fault)
      } catch (error) {
        this.options.onWriteFailed?.(key, error)
      }
    }
  }

  private stored(delivery: Omit<Delivery, 'stored'>, body: Buffer, fault: DeliveryFault | undefined): void {
    this.counts.delivered += delivery.records
    if (delivery.failed) this.counts.partitioningFailed += delivery.records
    this.counts.objects++
    this.options.onDelivered?.({...delivery, stored: body.length, ...(fault ? {fault} : {})})
  }
}
