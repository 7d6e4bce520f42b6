import {randomUUID} from 'node:crypto'
import {IdTable} from '../lake/ids/id-table.js'
import type {Lake} from '../lake/store/lake.js'
import {idBytes} from '../lake/ids/record-id.js'
import type {RecordValidator} from '../checks/schema/record-validator.js'
import {HOUR_MS, hourStart} from '../lake/scope.js'
import {FIREHOSE_BATCH_LIMITS, type FirehoseLike, type OutgoingRecord, sendToFirehose} from './firehose-sender.js'
import {hourIds} from './hour-ids.js'
import {LAKE_OBJECT_BYTES, LAKE_OBJECT_RECORDS, sendToLake} from './lake-sender.js'
import {TransformTimeoutError} from './errors.js'
import {type BatchTransform, RecordTimedOut, TransformInterrupted, type TransformOutcome, inThread} from './transform-runner.js'
import type {ReplayLedger} from './replay-ledger.js'
import {type ResolvedSource, type SourceRecord, readSources} from './replay-sources.js'
import type {Transform} from './transform-file.js'

/**
 * What became of every record read; `read` is the sum of the rest. Records a transform drops
 * (returns null) count as `invalid`. These seven keys are the `--json` contract.
 */
export interface ReplayAccount {
  read: number
  sent: number
  skippedDuplicate: number
  invalid: number
  outOfHour: number
  oversize: number
  failed: number
}

/** Where the records go. */
export type ReplayTarget =
  | {kind: 'firehose'; client: FirehoseLike; stream: string; concurrency?: number; rate?: number; maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number}
  | {kind: 'lake'; lake: Lake; stream?: string}

export interface ReplayOptions {
  /** The target hour, `YYYY-MM-DDTHH` (UTC). */
  hour: string
  sources: readonly ResolvedSource[]
  validator: RecordValidator
  target: ReplayTarget
  /** A function (run in this thread) or a BatchTransform such as startTransform's worker. */
  transform?: Transform | BatchTransform
  /** The lake whose hour holds ids not to send again (for `--to lake`, the target lake). */
  lake?: Lake
  /** Acknowledged records of earlier runs are skipped; this run's are appended. Absent in a dry run. */
  ledger?: ReplayLedger
  /** The ids the ledger held before this run (a dry run reads it without opening it to write). */
  ledgerIds?: readonly string[]
  dryRun?: boolean
  /** @default `replay-<UTC time>-<8 hex>` */
  replayId?: string
  /** Records shown before and after the transform. @default 3 */
  samples?: number
  signal?: AbortSignal
  /** Where `kinesis://` sources start reading. @default 15 minutes before the hour */
  kinesisStart?: Date
  onWarning?: (message: string) => void
  onProgress?: (progress: {read: number; sent: number}) => void
}

/** A record as read and as it would be sent, or why it is left out. */
export interface ReplaySample {
  origin: string
  before: unknown
  after?: unknown
  verdict: keyof ReplayAccount | 'send'
  reason?: string
}

export interface ReplayResult {
  account: ReplayAccount
  replayId: string
  hour: string
  /** Ids found in the hour of `lake` before sending. */
  inLake: number
  /** Ids in the ledger before this run. */
  inLedger: number
  samples: ReplaySample[]
  /** The first few records left out, and why (invalid, out of the hour, oversize). */
  refused: {origin: string; verdict: keyof ReplayAccount; reason: string}[]
  /** Why records failed to send, with how many. */
  failures: Record<string, number>
  /** The event ids the target acknowledged in this run. */
  acknowledged: string[]
  /** What the operator should know: a source with no records, a damaged gzip. */
  warnings: string[]
}

const MAX_REFUSED = 20

/**
 * A replay id for one run: sortable by time, unique, short enough for the schema (64).
 *
 * @example newReplayId(new Date('2026-02-10T07:00:00Z')) // 'replay-20260210T070000Z-1a2b3c4d'
 */
export function newReplayId(now = new Date()): string {
  return `replay-${now.toISOString().replace(/[-:]|\.\d+/g, '')}-${randomUUID().slice(0, 8)}`
}

function describeValue(record: unknown): string {
  return Array.isArray(record) ? 'an array' : record === null ? 'null' : typeof record
}

/** Records read and transformed together (the transform runs a batch at a time). */
const READ_BATCH = 256

/** Records held before they are sent: enough for full PutRecordBatch calls, or one lake object. */
function sendThreshold(target: ReplayTarget): {records: number; bytes: number} {
  return target.kind === 'firehose'
    ? {records: 10 * FIREHOSE_BATCH_LIMITS.records, bytes: 4 * FIREHOSE_BATCH_LIMITS.bytes}
    : {records: LAKE_OBJECT_RECORDS, bytes: LAKE_OBJECT_BYTES}
}

function batchTransform(transform: Transform | BatchTransform | undefined): BatchTransform | undefined {
  return typeof transform === 'function' ? inThread(transform) : transform
}

/**
 * Replays records into one hour: reads the sources (streaming), applies the transform, marks each
 * record `source: replay` with this run's `replay_id`, refuses what fails the schema or lies
 * outside the hour or over Firehose's record size, skips every id already in the hour of `lake`,
 * in the ledger or earlier in the sources, sends the rest as they come (memory holds one send's
 * worth, whatever the size of the sources), and accounts for every record read. The signal stops
 * reading at once; what was read and not sent counts as failed (`interrupted`).
 *
 * @example const {account} = await runReplay({hour: '2026-02-10T05', sources, validator, target: {kind: 'lake', lake}, lake, ledger})
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  const {hour, validator, target, signal} = options
  const transform = batchTransform(options.transform)
  const replayId = options.replayId ?? newReplayId()
  const from = hourStart(hour)
  const account: ReplayAccount = {read: 0, sent: 0, skippedDuplicate: 0, invalid: 0, outOfHour: 0, oversize: 0, failed: 0}
  const result: ReplayResult = {account, replayId, hour, inLake: 0, inLedger: 0, samples: [], refused: [], failures: {}, acknowledged: [], warnings: []}
  const sampleSize = options.samples ?? 3
  const warn = (message: string) => {
    result.warnings.push(message)
    options.onWarning?.(message)
  }

  const known = new IdTable()
  if (options.lake) {
    await hourIds(options.lake, hour, validator, known)
    result.inLake = known.size
  }
  const id = Buffer.alloc(16)
  const ledgerIds = options.ledgerIds ?? options.ledger?.ids ?? []
  for (const eventId of ledgerIds) if (idBytes(eventId, id, 0)) known.add(id, 0, 0)
  result.inLedger = ledgerIds.length

  const refuse = (verdict: Exclude<keyof ReplayAccount, 'read' | 'sent' | 'failed'>, origin: string, reason: string, sample?: ReplaySample) => {
    account[verdict]++
    if (result.refused.length < MAX_REFUSED && verdict !== 'skippedDuplicate') result.refused.push({origin, verdict, reason})
    if (sample) Object.assign(sample, {verdict, reason})
  }
  const fail = (count: number, reason: string) => {
    account.failed += count
    result.failures[reason] = (result.failures[reason] ?? 0) + count
  }
  const progress = () => options.onProgress?.({read: account.read, sent: account.sent})

  const threshold = sendThreshold(target)
  let outgoing: OutgoingRecord[] = []
  let outgoingBytes = 0
  const onAcknowledged = async (records: OutgoingRecord[]) => {
    const ids = records.map((r) => r.id)
    await options.ledger?.append(ids, replayId, hour)
    for (const eventId of ids) result.acknowledged.push(eventId)
    account.sent += records.length
    progress()
  }
  const send = async () => {
    const records = outgoing
    outgoing = []
    outgoingBytes = 0
    if (records.length === 0) return
    const sent = target.kind === 'firehose'
      ? await sendToFirehose(records, {...target, signal, onAcknowledged})
      : await sendToLake(records, {lake: target.lake, hour, stream: target.stream, signal, onAcknowledged})
    for (const [reason, count] of Object.entries(sent.failures)) fail(count, reason)
  }

  /** Judges one record after the transform: refused, skipped, or queued to send. */
  const judge = async (origin: string, outcome: TransformOutcome, sample: ReplaySample | undefined) => {
    if ('error' in outcome) return refuse('invalid', origin, outcome.error, sample)
    const fixed = outcome.value
    if (fixed === null || fixed === undefined) return refuse('invalid', origin, 'dropped by the transform', sample)
    if (typeof fixed !== 'object' || Array.isArray(fixed)) return refuse('invalid', origin, `${describeValue(fixed)}, not a record`, sample)
    const record: Record<string, unknown> = {...(fixed as Record<string, unknown>), source: 'replay', replay_id: replayId}
    if (sample) sample.after = record
    if (!validator.isValid(record)) {
      const reason = validator.explain(record).map((v) => `${v.pointer || '/'} ${v.message}`).join('; ')
      return refuse('invalid', origin, reason, sample)
    }
    const time = Date.parse(record.ts as string)
    if (!(time >= from && time < from + HOUR_MS)) return refuse('outOfHour', origin, `ts ${String(record.ts)} is outside ${hour}`, sample)
    const data = Buffer.from(`${JSON.stringify(record)}\n`)
    if (data.length > FIREHOSE_BATCH_LIMITS.recordBytes) return refuse('oversize', origin, `${data.length} bytes, over Firehose's ${FIREHOSE_BATCH_LIMITS.recordBytes} per record`, sample)
    const eventId = record.event_id
    // Without an id a record cannot be sent exactly once (only a schema without event_id allows it).
    if ((typeof eventId !== 'string' && typeof eventId !== 'number') || !idBytes(eventId, id, 0)) return refuse('invalid', origin, 'no event_id to send it exactly once by', sample)
    if (known.add(id, 0, 0) !== -1) return refuse('skippedDuplicate', origin, `event_id ${eventId} is already in the hour, the ledger or an earlier source record`, sample)
    if (options.dryRun) {
      account.sent++
      return
    }
    outgoing.push({id: String(eventId), data})
    outgoingBytes += data.length
    if (outgoing.length >= threshold.records || outgoingBytes >= threshold.bytes) await send()
  }

  /** Transforms and judges a batch of pieces; false when the signal stopped it. */
  const settle = async (batch: SourceRecord[]): Promise<boolean> => {
    const samples = batch.map((piece) => {
      if (result.samples.length >= sampleSize) return undefined
      const sample: ReplaySample = {origin: piece.origin, before: piece.value === undefined ? undefined : structuredClone(piece.value), verdict: 'send'}
      result.samples.push(sample)
      return sample
    })
    const records = batch.filter((p) => p.problem === undefined)
    let outcomes: TransformOutcome[]
    try {
      outcomes = transform ? await transform.apply(records.map((p) => p.value), signal) : records.map((p) => ({value: p.value}))
    } catch (error) {
      if (error instanceof RecordTimedOut) {
        throw new TransformTimeoutError(`the transform did not finish within ${error.ms / 1000}s on ${records[error.offset]?.origin ?? 'a record'}: it loops or waits forever on it; fix the transform, or raise --transform-timeout`, {cause: error})
      }
      if (error instanceof TransformInterrupted) {
        fail(batch.length, 'interrupted')
        return false
      }
      throw error
    }
    let next = 0
    for (const [i, piece] of batch.entries()) {
      if (piece.problem !== undefined) refuse('invalid', piece.origin, piece.problem, samples[i])
      else await judge(piece.origin, outcomes[next++], samples[i])
    }
    return true
  }

  try {
    let batch: SourceRecord[] = []
    for await (const piece of readSources(options.sources, hour, warn, {kinesisStart: options.kinesisStart, signal: options.signal})) {
      account.read++
      if (account.read % 1000 === 0) progress()
      batch.push(piece)
      if (signal?.aborted) break
      if (batch.length < READ_BATCH) continue
      const pieces = batch
      batch = []
      if (!(await settle(pieces))) break
    }
    if (batch.length > 0 && signal?.aborted) fail(batch.length, 'interrupted')
    else if (batch.length > 0) await settle(batch)
    await send()
  } finally {
    await transform?.close()
  }
  progress()
  return result
}

/** The account adds up: every record read is in exactly one other count. */
export function accountAddsUp(a: ReplayAccount): boolean {
  return a.read === a.sent + a.skippedDuplicate + a.invalid + a.outOfHour + a.oversize + a.failed
}
