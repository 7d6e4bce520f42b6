import {createHash} from 'node:crypto'

import {DeliveryClosedError} from './errors.js'

/** One record held by a shard. */
export interface HeldRecord {
  readonly sequenceNumber: string
  readonly partitionKey: string
  readonly data: Buffer
  readonly arrival: Date
}

export interface DevShard {
  readonly shardId: string
  readonly startingHashKey: bigint
  readonly endingHashKey: bigint
  /** In sequence order; the oldest are dropped past the retention. */
  readonly records: HeldRecord[]
  /** How many records were dropped from the front (so an index stays meaningful). */
  dropped: number
}

const HASH_SPACE = 1n << 128n
// Real sequence numbers have 56 digits and grow; start from one so clients see the real shape.
const FIRST_SEQUENCE = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898n

/**
 * A Kinesis data stream in memory, for pixel dev: shards splitting the 128-bit hash key space
 * evenly, each record placed by the MD5 of its partition key (as Kinesis does), sequence numbers
 * that only grow, and records kept for `retentionHours`.
 *
 * @example
 * const stream = new DevStream({name: 'pixel-events', shards: 2})
 * const {shardId, sequenceNumber} = stream.put(Buffer.from(line), eventId)
 */
export class DevStream {
  readonly name: string
  readonly shards: readonly DevShard[]
  readonly createdAt: Date
  readonly retentionHours: number
  private next = FIRST_SEQUENCE
  private closed = false
  private readonly listeners = new Set<(shard: DevShard, count: number) => void>()
  private readonly now: () => Date

  constructor(options: {name: string; shards?: number; retentionHours?: number; now?: () => Date}) {
    const count = options.shards ?? 1
    this.name = options.name
    this.now = options.now ?? (() => new Date())
    this.createdAt = this.now()
    this.retentionHours = options.retentionHours ?? 24
    this.shards = Array.from({length: count}, (_, i) => ({
      shardId: `shardId-${String(i).padStart(12, '0')}`,
      startingHashKey: (HASH_SPACE * BigInt(i)) / BigInt(count),
      endingHashKey: (HASH_SPACE * BigInt(i + 1)) / BigInt(count) - 1n,
      records: [],
      dropped: 0,
    }))
  }

  /** Calls `listener` with the shard and how many records were put into it, after each put. */
  onPut(listener: (shard: DevShard, count: number) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The shard a partition key (or an explicit hash key) maps to. */
  shardFor(partitionKey: string, explicitHashKey?: string): DevShard {
    const hash = explicitHashKey !== undefined ? BigInt(explicitHashKey) : BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`)
    return this.shards.find((s) => hash >= s.startingHashKey && hash <= s.endingHashKey) ?? this.shards[this.shards.length - 1]
  }

  /** Takes records, all or none; throws `DeliveryClosedError` once the stream is closed. */
  putAll(records: readonly {data: Buffer; partitionKey: string; explicitHashKey?: string}[]): {shardId: string; sequenceNumber: string}[] {
    if (this.closed) throw new DeliveryClosedError()
    const arrival = this.now()
    const touched = new Map<DevShard, number>()
    const placed = records.map((record) => {
      const shard = this.shardFor(record.partitionKey, record.explicitHashKey)
      const sequenceNumber = String(this.next++)
      shard.records.push({sequenceNumber, partitionKey: record.partitionKey, data: record.data, arrival})
      touched.set(shard, (touched.get(shard) ?? 0) + 1)
      return {shardId: shard.shardId, sequenceNumber}
    })
    for (const [shard, count] of touched) {
      this.trim(shard, arrival)
      for (const listener of this.listeners) listener(shard, count)
    }
    return placed
  }

  /** Refuses puts from now on (pixel dev is shutting down). */
  close(): void {
    this.closed = true
  }

  /** The index (counting dropped records) of the first record at or after `sequence` (`inclusive`) or after it. */
  indexFrom(shard: DevShard, sequence: bigint, inclusive: boolean): number {
    const i = shard.records.findIndex((r) => (inclusive ? BigInt(r.sequenceNumber) >= sequence : BigInt(r.sequenceNumber) > sequence))
    return shard.dropped + (i === -1 ? shard.records.length : i)
  }

  /** The index of the first record that arrived at or after `at`. */
  indexAt(shard: DevShard, at: Date): number {
    const i = shard.records.findIndex((r) => r.arrival.getTime() >= at.getTime())
    return shard.dropped + (i === -1 ? shard.records.length : i)
  }

  /** Up to `limit` records from `index` on (a stale index past the retention starts at the oldest held). */
  read(shard: DevShard, index: number, limit: number): {records: HeldRecord[]; next: number} {
    const from = Math.max(index, shard.dropped)
    const records = shard.records.slice(from - shard.dropped, from - shard.dropped + limit)
    return {records, next: from + records.length}
  }

  /** The index just past the newest record of `shard`. */
  end(shard: DevShard): number {
    return shard.dropped + shard.records.length
  }

  private trim(shard: DevShard, now: Date): void {
    const oldest = now.getTime() - this.retentionHours * 3_600_000
    let drop = 0
    while (drop < shard.records.length && shard.records[drop].arrival.getTime() < oldest) drop++
    if (drop > 0) {
      shard.records.splice(0, drop)
      shard.dropped += drop
    }
  }
}
