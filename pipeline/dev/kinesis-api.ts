import {randomBytes} from 'node:crypto'

import {DeliveryClosedError, KinesisApiError} from './errors.js'
import type {DevShard, DevStream} from './kinesis-stream.js'

/** The `X-Amz-Target` prefix of every Kinesis Data Streams operation. */
export const KINESIS_TARGET_PREFIX = 'Kinesis_20131202.'

/** Kinesis's own limits (bytes counted before base64; a record's size includes its partition key). */
export const KINESIS_LIMITS = {
  recordsPerCall: 500,
  bytesPerCall: 5 * 1024 * 1024,
  bytesPerRecord: 1024 * 1024,
  partitionKeyLength: 256,
  recordsPerGet: 10_000,
  /** How long a shard iterator stays valid. */
  iteratorMs: 5 * 60_000,
} as const

export interface KinesisApiOptions {
  readonly stream: DevStream
  /** The share of records in a PutRecords that fail with ProvisionedThroughputExceededException. @default 0 */
  readonly failRate?: number
  /** The share of put calls that fail whole with ProvisionedThroughputExceededException. @default 0 */
  readonly throttleRate?: number
  /** @default Math.random */
  readonly random?: () => number
  /** @default () => new Date() */
  readonly now?: () => Date
}

/** An HTTP answer in Kinesis's JSON 1.1 protocol. */
export interface KinesisAnswer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

const CONTENT_TYPE = 'application/x-amz-json-1.1'
const ACCOUNT = '123456789012'
const REGION = 'us-east-1'
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const SEQUENCE = /^\d{1,129}$/

interface Iterator {
  readonly shardId: string
  readonly index: number
  readonly issued: number
}

type Operation = (input: Record<string, unknown>) => unknown

/**
 * Kinesis Data Streams' JSON API for one stream (`PutRecord`, `PutRecords`, `DescribeStream`,
 * `DescribeStreamSummary`, `ListShards`, `ListStreams`, `GetShardIterator` of every type,
 * `GetRecords`), with the service's limits, error names and answer shapes, so that an
 * unmodified AWS SDK (over HTTP/1.1) or the AWS CLI can be pointed at it.
 *
 * @example
 * const api = createKinesisApi({stream: new DevStream({name: 'pixel-events'})})
 * const answer = api('Kinesis_20131202.PutRecord', body)
 */
export function createKinesisApi(options: KinesisApiOptions): (target: string | undefined, body: Buffer) => KinesisAnswer {
  const {stream} = options
  const random = options.random ?? Math.random
  const now = options.now ?? (() => new Date())
  const arn = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${stream.name}`

  const streamNamed = (input: Record<string, unknown>): void => {
    const name = input.StreamName ?? (typeof input.StreamARN === 'string' ? input.StreamARN.split('/').pop() : undefined)
    if (typeof name !== 'string') throw validation(`Value null at 'streamName' failed to satisfy constraint: Member must not be null`)
    if (name !== stream.name) throw new KinesisApiError('ResourceNotFoundException', `Stream ${printable(name)} under account ${ACCOUNT} not found.`)
  }
  const shardNamed = (value: unknown): DevShard => {
    const shard = stream.shards.find((s) => s.shardId === value)
    if (!shard) throw new KinesisApiError('ResourceNotFoundException', `Shard ${printable(String(value))} in stream ${stream.name} under account ${ACCOUNT} does not exist`)
    return shard
  }
  const accept = (records: {data: Buffer; partitionKey: string; explicitHashKey?: string}[]) => {
    try {
      return stream.putAll(records)
    } catch (error) {
      if (error instanceof DeliveryClosedError) throw new KinesisApiError('ProvisionedThroughputExceededException', 'The stream is shutting down; retry later.')
      throw error
    }
  }
  const throttle = () => {
    const rate = options.throttleRate ?? 0
    if (rate > 0 && random() < rate) throw new KinesisApiError('ProvisionedThroughputExceededException', `Rate exceeded for stream ${stream.name} under account ${ACCOUNT}.`)
  }

  const operations: Record<string, Operation> = {
    PutRecord(input) {
      streamNamed(input)
      const record = entry(input, 'record')
      throttle()
      const [placed] = accept([record])
      return {ShardId: placed.shardId, SequenceNumber: placed.sequenceNumber, EncryptionType: 'NONE'}
    },
    PutRecords(input) {
      streamNamed(input)
      const records = input.Records
      if (!Array.isArray(records)) throw validation(`Value null at 'records' failed to satisfy constraint: Member must not be null`)
      if (records.length < 1 || records.length > KINESIS_LIMITS.recordsPerCall) {
        throw validation(`Value at 'records' failed to satisfy constraint: Member must have length less than or equal to ${KINESIS_LIMITS.recordsPerCall} and greater than or equal to 1`)
      }
      const entries = records.map((record, i) => entry(record as Record<string, unknown>, `records.${i + 1}.member`))
      const total = entries.reduce((sum, e) => sum + e.data.length + Buffer.byteLength(e.partitionKey), 0)
      if (total > KINESIS_LIMITS.bytesPerCall) throw new KinesisApiError('InvalidArgumentException', `Records size exceeds 5 MB limit`)
      throttle()
      const failRate = options.failRate ?? 0
      const fails = entries.map(() => failRate > 0 && random() < failRate)
      const placed = accept(entries.filter((_, i) => !fails[i]))
      let next = 0
      const results = fails.map((failed) => {
        if (failed) return {ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: `Rate exceeded for shard in stream ${stream.name} under account ${ACCOUNT}.`}
        const p = placed[next++]
        return {ShardId: p.shardId, SequenceNumber: p.sequenceNumber}
      })
      return {FailedRecordCount: fails.filter(Boolean).length, Records: results, EncryptionType: 'NONE'}
    },
    DescribeStream(input) {
      streamNamed(input)
      return {StreamDescription: {...summary(), Shards: stream.shards.map(shardDescription), HasMoreShards: false, EnhancedMonitoring: [{ShardLevelMetrics: []}]}}
    },
    DescribeStreamSummary(input) {
      streamNamed(input)
      return {StreamDescriptionSummary: {...summary(), OpenShardCount: stream.shards.length, ConsumerCount: 0, EnhancedMonitoring: [{ShardLevelMetrics: []}]}}
    },
    ListShards(input) {
      if (input.NextToken === undefined) streamNamed(input)
      return {Shards: stream.shards.map(shardDescription)}
    },
    ListStreams() {
      return {StreamNames: [stream.name], HasMoreStreams: false, StreamSummaries: [{StreamName: stream.name, StreamARN: arn, StreamStatus: 'ACTIVE', StreamModeDetails: {StreamMode: 'PROVISIONED'}, StreamCreationTimestamp: stream.createdAt.getTime() / 1000}]}
    },
    GetShardIterator(input) {
      streamNamed(input)
      const shard = shardNamed(input.ShardId)
      const type = input.ShardIteratorType
      const sequence = () => {
        const value = input.StartingSequenceNumber
        if (typeof value !== 'string' || !SEQUENCE.test(value)) throw new KinesisApiError('InvalidArgumentException', `StartingSequenceNumber ${printable(String(value))} used in GetShardIterator on shard ${shard.shardId} in stream ${stream.name} under account ${ACCOUNT} is invalid.`)
        return BigInt(value)
      }
      let index: number
      if (type === 'TRIM_HORIZON') index = shard.dropped
      else if (type === 'LATEST') index = stream.end(shard)
      else if (type === 'AT_SEQUENCE_NUMBER') index = stream.indexFrom(shard, sequence(), true)
      else if (type === 'AFTER_SEQUENCE_NUMBER') index = stream.indexFrom(shard, sequence(), false)
      else if (type === 'AT_TIMESTAMP') {
        const at = Number(input.Timestamp)
        if (!Number.isFinite(at)) throw new KinesisApiError('InvalidArgumentException', 'The timestamp must be specified for the AT_TIMESTAMP shard iterator type.')
        index = stream.indexAt(shard, new Date(at * 1000))
      } else throw validation(`Value '${printable(String(type))}' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, AT_TIMESTAMP, TRIM_HORIZON, LATEST]`)
      return {ShardIterator: iteratorToken({shardId: shard.shardId, index, issued: now().getTime()})}
    },
    GetRecords(input) {
      const iterator = parseIterator(input.ShardIterator)
      if (now().getTime() - iterator.issued > KINESIS_LIMITS.iteratorMs) {
        throw new KinesisApiError('ExpiredIteratorException', `Iterator expired. The iterator was created at time ${new Date(iterator.issued).toUTCString()} while right now it is ${now().toUTCString()} which is further in the future than the tolerated delay of 300000 milliseconds.`)
      }
      const shard = shardNamed(iterator.shardId)
      const limit = input.Limit === undefined ? KINESIS_LIMITS.recordsPerGet : Number(input.Limit)
      if (!Number.isInteger(limit) || limit < 1 || limit > KINESIS_LIMITS.recordsPerGet) throw validation(`Value '${printable(String(input.Limit))}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000`)
      const {records, next} = stream.read(shard, iterator.index, limit)
      const newest = shard.records.at(-1)
      const behind = next >= stream.end(shard) || newest === undefined ? 0 : Math.max(0, now().getTime() - (records.at(-1)?.arrival.getTime() ?? now().getTime()))
      return {
        Records: records.map((r) => ({SequenceNumber: r.sequenceNumber, ApproximateArrivalTimestamp: r.arrival.getTime() / 1000, Data: r.data.toString('base64'), PartitionKey: r.partitionKey, EncryptionType: 'NONE'})),
        NextShardIterator: iteratorToken({shardId: shard.shardId, index: next, issued: now().getTime()}),
        MillisBehindLatest: behind,
      }
    },
  }

  const summary = () => ({
    StreamName: stream.name,
    StreamARN: arn,
    StreamStatus: 'ACTIVE',
    StreamModeDetails: {StreamMode: 'PROVISIONED'},
    RetentionPeriodHours: stream.retentionHours,
    StreamCreationTimestamp: stream.createdAt.getTime() / 1000,
    EncryptionType: 'NONE',
  })

  return (target, body) => {
    try {
      const name = target?.startsWith(KINESIS_TARGET_PREFIX) ? target.slice(KINESIS_TARGET_PREFIX.length) : undefined
      const operation = name !== undefined && Object.hasOwn(operations, name) ? operations[name] : undefined
      if (!operation) throw new KinesisApiError('UnknownOperationException', `Operation ${printable(target ?? '')} is not supported by pixel dev.`)
      return answer(200, operation(parseInput(body)))
    } catch (error) {
      if (error instanceof KinesisApiError) return kinesisErrorAnswer(error)
      throw error
    }
  }
}

/** The error answer for `error`, as Kinesis sends it. */
export function kinesisErrorAnswer(error: KinesisApiError): KinesisAnswer {
  return {
    status: error.status,
    headers: {'Content-Type': CONTENT_TYPE, 'x-amzn-ErrorType': error.type, 'x-amzn-RequestId': randomBytes(16).toString('hex')},
    body: JSON.stringify({__type: error.type, message: error.message}),
  }
}

function answer(status: number, output: unknown): KinesisAnswer {
  return {status, headers: {'Content-Type': CONTENT_TYPE, 'x-amzn-RequestId': randomBytes(16).toString('hex')}, body: JSON.stringify(output)}
}

function parseInput(body: Buffer): Record<string, unknown> {
  let input: unknown
  try {
    input = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8'))
  } catch {
    throw new KinesisApiError('SerializationException', 'Start of structure or map found where not expected.')
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new KinesisApiError('SerializationException', 'The request body must be a JSON object.')
  return input as Record<string, unknown>
}

/** A record to put, checked against the limits. */
function entry(record: Record<string, unknown> | null | undefined, at: string): {data: Buffer; partitionKey: string; explicitHashKey?: string} {
  const data = record?.Data
  const partitionKey = record?.PartitionKey
  if (typeof data !== 'string') throw validation(`Value null at '${at}.data' failed to satisfy constraint: Member must not be null`)
  if (typeof partitionKey !== 'string') throw validation(`Value null at '${at}.partitionKey' failed to satisfy constraint: Member must not be null`)
  if (partitionKey.length < 1 || partitionKey.length > KINESIS_LIMITS.partitionKeyLength) {
    throw validation(`Value at '${at}.partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256 and greater than or equal to 1`)
  }
  if (!BASE64.test(data)) throw new KinesisApiError('SerializationException', `Value at '${at}.data' is not valid base64.`)
  const bytes = Buffer.from(data, 'base64')
  if (bytes.length + Buffer.byteLength(partitionKey) > KINESIS_LIMITS.bytesPerRecord) {
    throw validation(`Value at '${at}.data' failed to satisfy constraint: Member must have length less than or equal to 1048576`)
  }
  const explicit = record?.ExplicitHashKey
  if (explicit !== undefined && (typeof explicit !== 'string' || !/^\d{1,39}$/.test(explicit) || BigInt(explicit) >= 1n << 128n)) {
    throw new KinesisApiError('InvalidArgumentException', `ExplicitHashKey ${printable(String(explicit))} is not a decimal number below 2^128.`)
  }
  return {data: bytes, partitionKey, ...(explicit !== undefined ? {explicitHashKey: explicit as string} : {})}
}

function shardDescription(shard: DevShard) {
  return {
    ShardId: shard.shardId,
    HashKeyRange: {StartingHashKey: String(shard.startingHashKey), EndingHashKey: String(shard.endingHashKey)},
    SequenceNumberRange: {StartingSequenceNumber: shard.records[0]?.sequenceNumber ?? '0'},
  }
}

function iteratorToken(iterator: Iterator): string {
  return Buffer.from(JSON.stringify(iterator)).toString('base64')
}

function parseIterator(value: unknown): Iterator {
  try {
    if (typeof value !== 'string') throw new Error('missing')
    const parsed = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Iterator
    if (typeof parsed.shardId !== 'string' || !Number.isInteger(parsed.index) || !Number.isFinite(parsed.issued)) throw new Error('shape')
    return parsed
  } catch {
    throw new KinesisApiError('InvalidArgumentException', 'Invalid ShardIterator.')
  }
}

function validation(detail: string): KinesisApiError {
  return new KinesisApiError('ValidationException', `1 validation error detected: ${detail}`)
}

/** A name from the request, safe to echo in an error message: printable ASCII, bounded. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 64)
}
