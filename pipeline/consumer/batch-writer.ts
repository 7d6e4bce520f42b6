import {gunzipSync, gzipSync} from 'node:zlib'

import {ERRORS_ROOT} from '../../lake/layout/bucket-layout.js'
import {batchNamePrefix, batchObjectKey, parseObjectKey} from '../../lake/layout/object-key.js'
import {hourFolder} from '../../lake/layout/partition-path.js'
import type {Lake} from '../../lake/store/lake.js'
import {prefixedLake} from '../../lake/store/prefixed-lake.js'
import {PARTITIONING_FAILED, errorRecord, partitionHour} from '../partition-record.js'
import {OverlapMismatchError} from './errors.js'
import type {StreamRecord} from './stream-record.js'

export interface BatchWriterOptions {
  /** The lake the events go to (the folder or prefix holding `year=`). */
  readonly lake: Lake
  /**
   * Where `errors/partitioning-failed/…` goes, for records without a usable `ts`: the bucket
   * root in the stack (beside `events/`), the lake itself under pixel dev.
   * @default lake
   */
  readonly errorLake?: Lake
}

/** What one batch did to the lake. */
export interface BatchOutcome {
  /** Records of the batch, every one now in the lake exactly once. */
  readonly records: number
  /** Records that went to the error prefix (no usable `ts`). */
  readonly partitioningFailed: number
  /** Keys written, relative to their lake (error keys with their `errors/…` prefix). */
  readonly written: string[]
  /** The same objects with the records and bytes each holds (a union holds more than the batch gave it). */
  readonly objects: {readonly key: string; readonly records: number; readonly bytes: number; readonly failed: boolean}[]
  /** Keys removed after their records were written into a wider object. */
  readonly deleted: string[]
  /** Groups (shard and hour) whose records were all in the lake already: nothing written. */
  readonly alreadyStored: number
}

/** The records of one shard bound for one partition, with what identifies them. */
interface Group {
  readonly lake: Lake
  /** The prefix of keys in `lake` as the outcome names them. */
  readonly shown: string
  readonly stream: string
  readonly shard: string
  readonly hour: Date
  /** In sequence order, one line each. */
  readonly lines: {readonly sequence: bigint; readonly text: Buffer}[]
}

/** A stored object of the same shard and partition: its range, from its name. */
interface Stored {
  readonly key: string
  readonly first: bigint
  readonly last: bigint
}

/** One group's object of a failed write: which records must be delivered again. */
export class GroupWriteError extends Error {
  readonly firstSequence: string
  /** What the batch did store before (and beside) the failure. */
  partial?: BatchOutcome
  constructor(firstSequence: string, options: {cause: unknown}) {
    super(`cannot store the records from sequence number ${firstSequence}: ${(options.cause as Error)?.message ?? String(options.cause)}`, options)
    this.name = 'GroupWriteError'
    this.firstSequence = firstSequence
  }
}

const NEWLINE = 0x0a

/**
 * Writes a batch of Kinesis records into the lake exactly once, whatever retries and re-splits
 * delivered before. Records are grouped by shard and event hour (the record's own `ts`, sliced as
 * the Firehose shape's jq does; records without one by their arrival hour under
 * `errors/partitioning-failed/`), and each group is one gzip object of newline-terminated
 * records in sequence order, keyed by its shard and its first and last sequence numbers: the same
 * batch delivered again writes the same key with the same bytes. A group whose range overlaps
 * objects already stored (the same records in a batch of other boundaries) is written as their
 * union, one object, then the objects it replaces are deleted: written before deleted, so a
 * failure in between leaves records twice (until the retry removes the copies), never lost.
 *
 * Every object of a shard and hour holds every record of that shard and hour between its first
 * and last sequence numbers: a batch is a run of consecutive records of one shard. That is what
 * lets a union take from a neighbour exactly the records outside the batch (checked byte for
 * byte where they overlap; a mismatch fails the batch rather than guess).
 *
 * Groups fail one by one: the outcome lists what was written; a `GroupWriteError` carries the
 * lowest sequence number to deliver again.
 *
 * @example
 * const outcome = await writeBatch(streamRecords(event), {lake, errorLake: bucketRoot})
 */
export async function writeBatch(records: readonly StreamRecord[], options: BatchWriterOptions): Promise<BatchOutcome> {
  const errors = prefixedLake(options.errorLake ?? options.lake, `${ERRORS_ROOT}${PARTITIONING_FAILED}/`)
  const groups = new Map<string, Group>()
  let partitioningFailed = 0
  for (const record of records) {
    const hour = partitionHour(record.data)
    const failed = hour === undefined
    if (failed) partitioningFailed++
    const at = hour ?? hourOf(record.approximateArrival)
    const id = `${failed ? 'errors' : 'events'}|${record.stream}|${record.shard}|${at.toISOString()}`
    let group = groups.get(id)
    if (!group) {
      group = {lake: failed ? errors : options.lake, shown: failed ? `${ERRORS_ROOT}${PARTITIONING_FAILED}/` : '', stream: record.stream, shard: record.shard, hour: at, lines: []}
      groups.set(id, group)
    }
    // The arrival Kinesis gave the record, not the clock: a retry writes the same bytes.
    group.lines.push({sequence: BigInt(record.sequenceNumber), text: failed ? errorRecord(record.data, record.approximateArrival) : asLine(record.data)})
  }
  const outcome = {records: records.length, partitioningFailed, written: [] as string[], objects: [] as BatchOutcome['objects'][number][], deleted: [] as string[], alreadyStored: 0}
  const failures: GroupWriteError[] = []
  for (const group of groups.values()) {
    group.lines.sort((a, b) => (a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : 0))
    // A record delivered twice within one batch is still one record.
    const unique = group.lines.filter((line, i) => i === 0 || line.sequence !== group.lines[i - 1].sequence)
    group.lines.splice(0, group.lines.length, ...unique)
    try {
      const done = await storeGroup(group)
      if (done.written) {
        outcome.written.push(group.shown + done.written)
        outcome.objects.push({key: group.shown + done.written, records: done.records ?? 0, bytes: done.bytes ?? 0, failed: group.shown !== ''})
      } else outcome.alreadyStored++
      outcome.deleted.push(...done.deleted.map((key) => group.shown + key))
    } catch (error) {
      failures.push(new GroupWriteError(String(group.lines[0].sequence), {cause: error}))
    }
  }
  if (failures.length > 0) {
    const lowest = failures.reduce((a, b) => (BigInt(a.firstSequence) <= BigInt(b.firstSequence) ? a : b))
    lowest.partial = outcome
    throw lowest
  }
  return outcome
}

/** The record as one newline-terminated line: a record's own line breaks would split it on reading. */
function asLine(data: Buffer): Buffer {
  let end = data.length
  while (end > 0 && (data[end - 1] === NEWLINE || data[end - 1] === 0x0d)) end--
  const body = data.subarray(0, end)
  if (body.includes(NEWLINE)) {
    // Only JSON gets here (partitionHour parsed it): its line breaks are whitespace.
    return Buffer.from(`${JSON.stringify(JSON.parse(body.toString('utf8')))}\n`)
  }
  return Buffer.concat([body, Buffer.from('\n')])
}

function hourOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000)
}

function keyOf(group: Group, first: bigint, last: bigint): string {
  return batchObjectKey({stream: group.stream, shard: group.shard, hour: group.hour, firstSequence: String(first), lastSequence: String(last)})
}

async function storedOf(group: Group): Promise<Stored[]> {
  const folder = hourFolder(group.hour.toISOString().slice(0, 13))
  const prefix = `${folder}${batchNamePrefix(group.stream, group.shard)}`
  const stored: Stored[] = []
  // The hour's folder, filtered by name: a folder lake lists folders, not name prefixes.
  for await (const object of group.lake.listObjects(folder)) {
    if (!object.key.startsWith(prefix)) continue
    const parsed = parseObjectKey(object.key)
    if (parsed?.form !== 'kinesis' || parsed.stream !== group.stream || parsed.shard !== group.shard) continue
    stored.push({key: object.key, first: BigInt(parsed.firstSequence!), last: BigInt(parsed.lastSequence!)})
  }
  return stored
}

async function linesOf(lake: Lake, key: string): Promise<Buffer[]> {
  const text = gunzipSync(await lake.read(key))
  const lines: Buffer[] = []
  let start = 0
  for (let i = text.indexOf(NEWLINE); i !== -1; i = text.indexOf(NEWLINE, start)) {
    lines.push(text.subarray(start, i + 1))
    start = i + 1
  }
  if (start < text.length) lines.push(Buffer.concat([text.subarray(start), Buffer.from('\n')]))
  return lines
}

const overlaps = (a: {first: bigint; last: bigint}, b: {first: bigint; last: bigint}) => a.first <= b.last && b.first <= a.last
const contains = (outer: {first: bigint; last: bigint}, inner: {first: bigint; last: bigint}) => outer.first <= inner.first && inner.last <= outer.last

/** Stores one group exactly once; returns the key written (none when its records were all stored) and the keys deleted. */
async function storeGroup(group: Group): Promise<{written?: string; records?: number; bytes?: number; deleted: string[]}> {
  const batch = {first: group.lines[0].sequence, last: group.lines[group.lines.length - 1].sequence}
  const stored = await storedOf(group)
  // Every stored object reachable through overlaps: the union must leave no two that overlap.
  const touched: Stored[] = []
  const range = {...batch}
  for (let grew = true; grew; ) {
    grew = false
    for (const object of stored) {
      if (touched.includes(object) || !overlaps(object, range)) continue
      touched.push(object)
      if (object.first < range.first) range.first = object.first
      if (object.last > range.last) range.last = object.last
      grew = true
    }
  }
  const key = keyOf(group, batch.first, batch.last)
  const body = (lines: Buffer[]) => gzipSync(Buffer.concat(lines))
  if (touched.length === 0) {
    const bytes = body(group.lines.map((l) => l.text))
    await group.lake.write(key, bytes)
    return {written: key, records: group.lines.length, bytes: bytes.length, deleted: []}
  }

  // The objects no other piece (the batch included) holds: the rest are copies to remove.
  const wider = touched.filter((object) => object.key !== key && contains(object, batch) && !(object.first === batch.first && object.last === batch.last))
  if (wider.length > 0) {
    // The batch's records are all stored already (an earlier, wider delivery); only leftovers of an interrupted union remain to remove.
    const keeper = wider.reduce((a, b) => (b.last - b.first > a.last - a.first ? b : a))
    const rest = touched.filter((object) => object !== keeper)
    for (const object of rest) {
      if (!contains(keeper, object)) throw new OverlapMismatchError(`${object.key} overlaps ${keeper.key} without being inside it: two writers on one shard?`)
    }
    await removeCopies(group.lake, rest, new Set((await linesOf(group.lake, keeper.key)).map(String)))
    return {deleted: rest.map((o) => o.key)}
  }

  // The batch is one of the widest pieces: at most one stored object reaches out on each side.
  const left = touched.filter((object) => object.first < batch.first)
  const right = touched.filter((object) => object.last > batch.last)
  if (left.length > 1 || right.length > 1) {
    throw new OverlapMismatchError(`${[...left, ...right].map((o) => o.key).join(', ')} overlap one another: two writers on one shard?`)
  }
  const lines = group.lines.map((l) => l.text)
  let lead: Buffer[] = []
  let tail: Buffer[] = []
  if (left.length === 1) {
    const theirs = await linesOf(group.lake, left[0].key)
    const shared = group.lines.filter((l) => l.sequence <= left[0].last).length
    lead = theirs.slice(0, theirs.length - shared)
    if (theirs.length < shared || !sameLines(theirs.slice(theirs.length - shared), lines.slice(0, shared))) {
      throw new OverlapMismatchError(`${left[0].key} does not end with the batch's records from sequence number ${batch.first}: it holds other records than its name says`)
    }
  }
  if (right.length === 1) {
    const theirs = await linesOf(group.lake, right[0].key)
    const shared = group.lines.filter((l) => l.sequence >= right[0].first).length
    tail = theirs.slice(shared)
    if (theirs.length < shared || !sameLines(theirs.slice(0, shared), lines.slice(lines.length - shared))) {
      throw new OverlapMismatchError(`${right[0].key} does not start with the batch's records up to sequence number ${batch.last}: it holds other records than its name says`)
    }
  }
  const union = [...lead, ...lines, ...tail]
  const unionKey = keyOf(group, left[0]?.first ?? batch.first, right[0]?.last ?? batch.last)
  const unionBytes = body(union)
  await group.lake.write(unionKey, unionBytes)
  const replaced = touched.filter((object) => object.key !== unionKey)
  await removeCopies(group.lake, replaced.filter((o) => o !== left[0] && o !== right[0]), new Set(union.map(String)))
  for (const object of [left[0], right[0]]) if (object && object.key !== unionKey) await group.lake.delete(object.key)
  return {written: unionKey, records: union.length, bytes: unionBytes.length, deleted: replaced.map((o) => o.key)}
}

/** Deletes objects whose every record is in `kept` (what was written or stays); refuses otherwise. */
async function removeCopies(lake: Lake, objects: Stored[], kept: Set<string>): Promise<void> {
  for (const object of objects) {
    const missing = (await linesOf(lake, object.key)).find((line) => !kept.has(String(line)))
    if (missing !== undefined) throw new OverlapMismatchError(`${object.key} holds a record the object replacing it does not: not deleted`)
    await lake.delete(object.key)
  }
}

function sameLines(a: Buffer[], b: Buffer[]): boolean {
  return a.length === b.length && a.every((line, i) => line.equals(b[i]))
}
