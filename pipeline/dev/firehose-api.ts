import {randomBytes} from 'node:crypto'

import {DeliveryClosedError, FirehoseApiError} from './errors.js'

/** The `X-Amz-Target` prefix of every Firehose operation. */
export const FIREHOSE_TARGET_PREFIX = 'Firehose_20150804.'

/** Firehose's own limits for Direct PUT (bytes are counted before base64). */
export const FIREHOSE_LIMITS = {
  recordsPerCall: 500,
  bytesPerCall: 4 * 1024 * 1024,
  bytesPerRecord: 1_000 * 1024,
} as const

/** What the API needs from the delivery side. */
export interface FirehoseBackend {
  /** Takes records into the buffers, all or none; throws `DeliveryClosedError` while shutting down. */
  add(records: readonly Buffer[]): void
}

export interface FirehoseApiOptions {
  /** The one delivery stream this server has. */
  readonly stream: string
  readonly backend: FirehoseBackend
  /** Buffering hints, reported by DescribeDeliveryStream. */
  readonly bufferSeconds: number
  readonly bufferBytes: number
  /** Where the stream delivers, reported by DescribeDeliveryStream. */
  readonly lakeUrl: string
  /**
   * The share of records in a PutRecordBatch that fail with ServiceUnavailableException; a
   * function is asked at each call (the demo's fault raises it for a minute). @default 0
   */
  readonly failRate?: number | (() => number)
  /** The share of put calls that fail whole with ServiceUnavailableException; as `failRate`. @default 0 */
  readonly throttleRate?: number | (() => number)
  /** Told of every record refused (a throttled call's, or a failed record of a batch). */
  readonly onRefused?: (records: number) => void
  /** @default Math.random */
  readonly random?: () => number
  /** @default the time the API was created */
  readonly createdAt?: Date
}

/** An HTTP answer in Firehose's JSON 1.1 protocol. */
export interface FirehoseAnswer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

const CONTENT_TYPE = 'application/x-amz-json-1.1'
const ACCOUNT = '123456789012'
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

type Operation = (input: Record<string, unknown>) => unknown

/**
 * Firehose's JSON API (`PutRecord`, `PutRecordBatch`, `DescribeDeliveryStream`) for one stream,
 * with the service's limits, error names and answer shapes, so that an unmodified AWS SDK can
 * be pointed at it.
 *
 * @example
 * const api = createFirehoseApi({stream: 'pixel-events', backend: buffer, bufferSeconds: 10, bufferBytes: 1 << 20, lakeUrl})
 * const answer = api('Firehose_20150804.PutRecord', body)
 */
export function createFirehoseApi(options: FirehoseApiOptions): (target: string | undefined, body: Buffer) => FirehoseAnswer {
  const random = options.random ?? Math.random
  const rate = (value: number | (() => number) | undefined) => (typeof value === 'function' ? value() : (value ?? 0))
  const createdAt = options.createdAt ?? new Date()

  const streamNamed = (input: Record<string, unknown>): void => {
    const name = input.DeliveryStreamName
    if (typeof name !== 'string') throw validation(`Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null`)
    if (name !== options.stream) throw new FirehoseApiError('ResourceNotFoundException', `Firehose ${printable(name)} under account ${ACCOUNT} not found.`)
  }

  const accept = (records: Buffer[], calledWith: number): void => {
    if (random() < rate(options.throttleRate)) {
      options.onRefused?.(calledWith)
      throw slowDown()
    }
    try {
      options.backend.add(records)
    } catch (error) {
      if (error instanceof DeliveryClosedError) throw new FirehoseApiError('ServiceUnavailableException', 'The delivery stream is shutting down; retry later.')
      throw error
    }
  }

  const operations: Record<string, Operation> = {
    PutRecord(input) {
      streamNamed(input)
      const data = recordData(input.Record, 'record')
      accept([data], 1)
      return {RecordId: recordId(), Encrypted: false}
    },
    PutRecordBatch(input) {
      streamNamed(input)
      const records = input.Records
      if (!Array.isArray(records)) throw validation(`Value null at 'records' failed to satisfy constraint: Member must not be null`)
      if (records.length < 1) throw validation(`Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1`)
      if (records.length > FIREHOSE_LIMITS.recordsPerCall) {
        throw validation(`Value at 'records' failed to satisfy constraint: Member must have length less than or equal to ${FIREHOSE_LIMITS.recordsPerCall}`)
      }
      const data = records.map((record, index) => recordData(record, `records.${index + 1}.member`))
      const total = data.reduce((sum, d) => sum + d.length, 0)
      if (total > FIREHOSE_LIMITS.bytesPerCall) throw new FirehoseApiError('InvalidArgumentException', 'Records size exceeds 4 MB limit')
      const failRate = rate(options.failRate)
      const fails = data.map(() => random() < failRate)
      accept(data.filter((_, i) => !fails[i]), data.length)
      const failed = fails.filter(Boolean).length
      if (failed > 0) options.onRefused?.(failed)
      const responses = fails.map((failed) => (failed ? {ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.'} : {RecordId: recordId()}))
      return {FailedPutCount: failed, Encrypted: false, RequestResponses: responses}
    },
    DescribeDeliveryStream(input) {
      streamNamed(input)
      return {DeliveryStreamDescription: describe(options, createdAt)}
    },
  }

  return (target, body) => {
    try {
      const name = target?.startsWith(FIREHOSE_TARGET_PREFIX) ? target.slice(FIREHOSE_TARGET_PREFIX.length) : undefined
      const operation = name !== undefined && Object.hasOwn(operations, name) ? operations[name] : undefined
      if (!operation) throw new FirehoseApiError('UnknownOperationException', `Operation ${printable(target ?? '')} is not supported by pixel dev.`)
      return answer(200, operation(parseInput(body)))
    } catch (error) {
      if (error instanceof FirehoseApiError) return errorAnswer(error)
      throw error
    }
  }
}

/** The error answer for `error`, as Firehose sends it. */
export function errorAnswer(error: FirehoseApiError): FirehoseAnswer {
  return {
    status: error.status,
    headers: {'Content-Type': CONTENT_TYPE, 'x-amzn-ErrorType': error.type, 'x-amzn-RequestId': requestId()},
    body: JSON.stringify({__type: error.type, message: error.message}),
  }
}

function answer(status: number, output: unknown): FirehoseAnswer {
  return {status, headers: {'Content-Type': CONTENT_TYPE, 'x-amzn-RequestId': requestId()}, body: JSON.stringify(output)}
}

function parseInput(body: Buffer): Record<string, unknown> {
  let input: unknown
  try {
    input = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8'))
  } catch {
    throw new FirehoseApiError('SerializationException', 'Start of structure or map found where not expected.')
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new FirehoseApiError('SerializationException', 'The request body must be a JSON object.')
  return input as Record<string, unknown>
}

/** A record's decoded `Data`, checked against the per-record limit. */
function recordData(record: unknown, at: string): Buffer {
  const data = (record as {Data?: unknown} | null | undefined)?.Data
  if (typeof data !== 'string') throw validation(`Value null at '${at}.data' failed to satisfy constraint: Member must not be null`)
  if (!BASE64.test(data)) throw new FirehoseApiError('SerializationException', `Value at '${at}.data' is not valid base64.`)
  const bytes = Buffer.from(data, 'base64')
  if (bytes.length > FIREHOSE_LIMITS.bytesPerRecord) {
    throw validation(`Value at '${at}.data' failed to satisfy constraint: Member must have length less than or equal to ${FIREHOSE_LIMITS.bytesPerRecord}`)
  }
  return bytes
}

function describe(options: FirehoseApiOptions, createdAt: Date) {
  const arn = `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/${options.stream}`
  return {
    DeliveryStreamName: options.stream,
    DeliveryStreamARN: arn,
    DeliveryStreamStatus: 'ACTIVE',
    DeliveryStreamType: 'DirectPut',
    VersionId: '1',
    CreateTimestamp: createdAt.getTime() / 1000,
    Destinations: [
      {
        DestinationId: 'destinationId-000000000001',
        ExtendedS3DestinationDescription: {
          RoleARN: `arn:aws:iam::${ACCOUNT}:role/pixel-dev`,
          BucketARN: options.lakeUrl.startsWith('s3://') ? `arn:aws:s3:::${options.lakeUrl.slice(5).split('/')[0]}` : 'arn:aws:s3:::pixel-dev-local',
          Prefix: options.lakeUrl,
          BufferingHints: {IntervalInSeconds: options.bufferSeconds, SizeInMBs: Math.max(1, Math.round(options.bufferBytes / (1024 * 1024)))},
          CompressionFormat: 'GZIP',
          EncryptionConfiguration: {NoEncryptionConfig: 'NoEncryption'},
        },
      },
    ],
    HasMoreDestinations: false,
  }
}

function validation(detail: string): FirehoseApiError {
  return new FirehoseApiError('ValidationException', `1 validation error detected: ${detail}`)
}

function slowDown(): FirehoseApiError {
  return new FirehoseApiError('ServiceUnavailableException', 'Slow down.')
}

function recordId(): string {
  return randomBytes(42).toString('base64')
}

function requestId(): string {
  return randomBytes(16).toString('hex')
}

/** A name from the request, safe to echo in an error message: printable ASCII, bounded. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 64)
}
