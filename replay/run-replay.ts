import {randomUUID} from 'node:crypto'
import {IdTable} from '../lake/ids/id-table.js'
import type {Lake} from '../lake/store/lake.js'
import {idBytes} from '../lake/ids/record-id.js'
import type {RecordValidator} from '../checks/schema/record-validator.js'
import {HOUR_MS, hourStart} from '../lake/scope.js'
import {FIREHOSE_BATCH_LIMITS, type FirehoseLike, type OutgoingRecord, sendToFirehose} from './firehose-sender.js'
import {hourIds} from './hour-ids.js'
import {sendToLake} from './lake-sender.js'
import type {ReplayLedger} from './replay-ledger.js'
import {type ResolvedSource, readSources} from './replay-sources.js'
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
  transform?: Transform
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
  onWarning?: (message: string) => void
  onProgress?: (progress: {phase: 'reading' | 'sending'; done: number; total?: number}) => void
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

/**
 * Replays records into one hour: reads the sources, applies the transform, marks each record
 * `source: replay` with this run's `replay_id`, refuses what fails the schema or lies outside the
 * hour or over Firehose's record size, skips every id already in the hour of `lake`, in the
 * ledger or earlier in the sources, sends the rest, and accounts for every record read.
 *
 * @example const {account} = await runReplay({hour: '2026-02-10T05', sources, validator, target: {kind: 'lake', lake}, lake, ledger})
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  const {hour, validator, transform} = options
  const replayId = options.replayId ?? newReplayId()
  const from = hourStart(hour)
  const account: ReplayAccount = {read: 0, sent: 0, skippedDuplicate: 0, invalid: 0, outOfHour: 0, oversize: 0, failed: 0}
  const result: ReplayResult = {account, replayId, hour, inLake: 0, inLedger: 0, samples: [], refused: [], failures: {}, acknowledged: []}
  const sampleSize = options.samples ?? 3

  const known = new IdTable()
  if (options.lake) {
    await hourIds(options.lake, hour, validator, known)
    result.inLake = known.size
  }
  const id = Buffer.alloc(16)
  const ledgerIds = options.ledgerIds ?? options.ledger?.ids ?? []
  for (const eventId of ledgerIds) if (idBytes(eventId, id, 0)) known.add(id, 0, 0)
  result.inLedger = ledgerIds.length

  const outgoing: OutgoingRecord[] = []
  const refuse = (verdict: Exclude<keyof ReplayAccount, 'read' | 'sent' | 'failed'>, origin: string, reason: string, sample?: ReplaySample) => {
    account[verdict]++
    if (result.refused.length < MAX_REFUSED && verdict !== 'skippedDuplicate') result.refused.push({origin, verdict, reason})
    if (sample) Object.assign(sample, {verdict, reason})
  }

  for await (const piece of readSources(options.sources, hour, options.onWarning)) {
    account.read++
    if (account.read % 1000 === 0) options.onProgress?.({phase: 'reading', done: account.read})
    const sample: ReplaySample | undefined = result.samples.length < sampleSize ? {origin: piece.origin, before: piece.value === undefined ? undefined : structuredClone(piece.value), verdict: 'send'} : undefined
    if (sample) result.samples.push(sample)
    if (piece.problem !== undefined) {
      refuse('invalid', piece.origin, piece.problem, sample)
      continue
    }
    let fixed: unknown
    try {
      fixed = transform ? await transform(piece.value) : piece.value
    } catch (error) {
      refuse('invalid', piece.origin, `the transform threw: ${(error as Error).message}`, sample)
      continue
    }
    if (fixed === null || fixed === undefined) {
      refuse('invalid', piece.origin, 'dropped by the transform', sample)
      continue
    }
    if (typeof fixed !== 'object' || Array.isArray(fixed)) {
      refuse('invalid', piece.origin, `${describeValue(fixed)}, not a record`, sample)
      continue
    }
    const record: Record<string, unknown> = {...(fixed as Record<string, unknown>), source: 'replay', replay_id: replayId}
    if (sample) sample.after = record
    if (!validator.isValid(record)) {
      const reason = validator.explain(record).map((v) => `${v.pointer || '/'} ${v.message}`).join('; ')
      refuse('invalid', piece.origin, reason, sample)
      continue
    }
    const time = Date.parse(record.ts as string)
    if (!(time >= from && time < from + HOUR_MS)) {
      refuse('outOfHour', piece.origin, `ts ${String(record.ts)} is outside ${hour}`, sample)
      continue
    }
    const data = Buffer.from(`${JSON.stringify(record)}\n`)
    if (data.length > FIREHOSE_BATCH_LIMITS.recordBytes) {
      refuse('oversize', piece.origin, `${data.length} bytes, over Firehose's ${FIREHOSE_BATCH_LIMITS.recordBytes} per record`, sample)
      continue
    }
    const eventId = record.event_id
    // Without an id a record cannot be sent exactly once (only a schema without event_id allows it).
    if ((typeof eventId !== 'string' && typeof eventId !== 'number') || !idBytes(eventId, id, 0)) {
      refuse('invalid', piece.origin, 'no event_id to send it exactly once by', sample)
      continue
    }
    if (known.add(id, 0, 0) !== -1) {
      refuse('skippedDuplicate', piece.origin, `event_id ${eventId} is already in the hour, the ledger or an earlier source record`, sample)
      continue
    }
    outgoing.push({id: String(eventId), data})
  }

  if (options.dryRun) {
    account.sent = outgoing.length
    return result
  }

  let done = 0
  const onAcknowledged = async (records: OutgoingRecord[]) => {
    const ids = records.map((r) => r.id)
    await options.ledger?.append(ids, replayId, hour)
    for (const eventId of ids) result.acknowledged.push(eventId)
    done += records.length
    options.onProgress?.({phase: 'sending', done, total: outgoing.length})
  }
  options.onProgress?.({phase: 'sending', done: 0, total: outgoing.length})
  const {target} = options
  const sent = target.kind === 'firehose'
    ? await sendToFirehose(outgoing, {...target, signal: options.signal, onAcknowledged})
    : await sendToLake(outgoing, {lake: target.lake, hour, stream: target.stream, signal: options.signal, onAcknowledged})
  account.sent = sent.sent
  account.failed = sent.failed
  result.failures = sent.failures
  return result
}

/** The account adds up: every record read is in exactly one other count. */
export function accountAddsUp(a: ReplayAccount): boolean {
  return a.read === a.sent + a.skippedDuplicate + a.invalid + a.outOfHour + a.oversize + a.failed
}
