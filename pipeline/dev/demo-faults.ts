import {mkdir, open} from 'node:fs/promises'
import {join} from 'node:path'

import {HOUR_MS, hourLabel} from '../../lake/scope.js'
import type {ClientIpMode} from '../handler/anonymise-ip.js'
import {buildRecord, recordLine} from '../handler/build-record.js'
import type {DeliveryFault, LostBatch} from './delivery-buffer.js'

/** The faults the demo page's buttons plant. */
export const FAULTS = ['throttle', 'duplicate', 'corrupt', 'lose-flush'] as const
export type FaultName = (typeof FAULTS)[number]

/** The rates of the Firehose API while `throttle` lasts: half the calls throttled, half of each batch's records failed. */
export const THROTTLE_RATES = {throttleRate: 0.5, failRate: 0.5} as const

/** The records a fault sends itself, so that it has a batch to act on even without traffic. */
const FAULT_BATCH = {duplicate: 5, corrupt: 5, 'lose-flush': 20} as const

export interface DemoFaultsOptions {
  /** Where lost batches are kept (`dead-letter/<hour>.ndjson`), to be replayed. */
  readonly stateDir: string
  /** How long `throttle` lasts. @default 60 */
  readonly throttleSeconds?: number
  /** The rates when no fault is on (pixel dev's --fail-rate, --throttle-rate). */
  readonly failRate?: number
  readonly throttleRate?: number
  readonly clientIp?: ClientIpMode
  /** Takes a fault's own batch into the buffers (the Firehose API's backend). */
  readonly add: (records: Buffer[]) => void
  /** Writes the buffer of an hour now (a fault already waits for it: the next one needs a batch of its own). */
  readonly flushHour: (hour: string) => void
  /** Whether this server delivered records of the hour `YYYY-MM-DDTHH` to the lake. */
  readonly delivered: (hour: string) => boolean
  /** @default () => new Date() */
  readonly now?: () => Date
}

/** A batch kept from the lake, and where. */
export interface DeadLetter {
  readonly hour: string
  readonly file: string
  records: number
}

/** What the page shows of the faults. */
export interface FaultsState {
  /** When throttling ends, ISO-8601, or null when it is off. */
  readonly throttleUntil: string | null
  /** Faults waiting for their partition's next flush. */
  readonly armed: readonly {fault: DeliveryFault; hour: string}[]
  readonly deadLetters: readonly DeadLetter[]
}

/**
 * The demo's ways of breaking the pipeline, as the checks catch them: Firehose throttling and
 * failing records for a minute; the next flush of the hour written twice, or written corrupt;
 * an hour's flush lost (kept in a dead-letter file under `stateDir`, for the repair to replay).
 * Each fault but `throttle` is one-shot: it waits for its partition's next flush, and brings a
 * small batch of its own so that there is one.
 *
 * @example
 * const faults = new DemoFaults({stateDir, add: (records) => buffer.add(records), delivered: (h) => hours.has(h)})
 * faults.plant('duplicate')
 * new DeliveryBuffer({..., tamper: (batch) => faults.tamper(batch), onLost: (batch) => faults.keep(batch)})
 */
export class DemoFaults {
  private readonly options: DemoFaultsOptions
  private readonly now: () => Date
  // Per hour, the faults waiting for its flushes, one flush each, in order.
  private readonly armed = new Map<string, DeliveryFault[]>()
  private readonly deadLetters = new Map<string, DeadLetter>()
  private throttleUntil = 0

  constructor(options: DemoFaultsOptions) {
    this.options = options
    this.now = options.now ?? (() => new Date())
  }

  /** Plants a fault; returns the hour it acts on (`throttle`: the current one). */
  plant(fault: FaultName): string {
    const now = this.now()
    if (fault === 'throttle') {
      this.throttleUntil = now.getTime() + (this.options.throttleSeconds ?? 60) * 1000
      return hourLabel(now)
    }
    if (fault === 'lose-flush') {
      const hour = this.quietHour(now)
      this.arm(hour, 'lose')
      // A client's late batch (an app's offline queue): records of that earlier hour, sent now.
      const start = Date.parse(`${hour}:00:00.000Z`)
      const count = FAULT_BATCH[fault]
      this.options.add(Array.from({length: count}, (_, i) => this.record(new Date(start + Math.floor(((i + 0.5) * HOUR_MS) / count)), 'late-batch')))
      return hour
    }
    const hour = hourLabel(now)
    this.arm(hour, fault)
    this.options.add(Array.from({length: FAULT_BATCH[fault]}, () => this.record(now, fault)))
    return hour
  }

  private arm(hour: string, fault: DeliveryFault): void {
    const queue = this.armed.get(hour) ?? []
    // The buffer waiting now carries the earlier fault: write it, so this one gets its own batch.
    if (queue.length > 0) this.options.flushHour(hour)
    const left = this.armed.get(hour) ?? []
    left.push(fault)
    this.armed.set(hour, left)
  }

  /** The Firehose API's rates now. */
  failRate(): number {
    return this.throttling() ? THROTTLE_RATES.failRate : (this.options.failRate ?? 0)
  }

  throttleRate(): number {
    return this.throttling() ? THROTTLE_RATES.throttleRate : (this.options.throttleRate ?? 0)
  }

  /** DeliveryBuffer's `tamper`: the fault armed for this batch's hour, once. */
  tamper(batch: {hour: string | undefined}): DeliveryFault | undefined {
    if (batch.hour === undefined) return undefined
    const queue = this.armed.get(batch.hour)
    const fault = queue?.shift()
    if (queue?.length === 0) this.armed.delete(batch.hour)
    return fault
  }

  /** DeliveryBuffer's `onLost`: appends the batch to its hour's dead-letter file, synced. */
  async keep(batch: LostBatch): Promise<void> {
    const hour = batch.hour ?? hourLabel(this.now())
    const folder = join(this.options.stateDir, 'dead-letter')
    await mkdir(folder, {recursive: true})
    const file = join(folder, `${hour}.ndjson`)
    const handle = await open(file, 'a')
    try {
      await handle.writeFile(Buffer.concat(batch.records.flatMap((r) => (r.at(-1) === 0x0a ? [r] : [r, Buffer.from('\n')]))))
      await handle.sync()
    } finally {
      await handle.close()
    }
    const letter = this.deadLetters.get(hour) ?? {hour, file, records: 0}
    letter.records += batch.records.length
    this.deadLetters.set(hour, letter)
  }

  deadLetter(hour: string): DeadLetter | undefined {
    return this.deadLetters.get(hour)
  }

  state(): FaultsState {
    return {
      throttleUntil: this.throttling() ? new Date(this.throttleUntil).toISOString() : null,
      armed: [...this.armed].flatMap(([hour, faults]) => faults.map((fault) => ({fault, hour}))),
      deadLetters: [...this.deadLetters.values()].map((d) => ({...d})),
    }
  }

  private throttling(): boolean {
    return this.now().getTime() < this.throttleUntil
  }

  /**
   * The hour whose flush is lost: the latest ended hour of the last day with nothing delivered,
   * so that losing its only flush leaves it empty, a gap the check reports.
   */
  private quietHour(now: Date): string {
    const current = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS
    for (let back = 1; back <= 24; back++) {
      const hour = hourLabel(current - back * HOUR_MS)
      if (!this.options.delivered(hour)) return hour
    }
    return hourLabel(current - HOUR_MS)
  }

  private record(at: Date, campaign: string): Buffer {
    const record = buildRecord(
      {rawQueryString: `b=pixel-dev-demo&c=${campaign}`, headers: {'user-agent': 'pixel dev demo fault batch'}, sourceIp: '127.0.0.1'},
      {now: at, clientIp: this.options.clientIp},
    )
    return Buffer.from(recordLine(record))
  }
}
