import {FirehoseClient, PutRecordCommand} from '@aws-sdk/client-firehose'
import {KinesisClient, PutRecordCommand as KinesisPutRecordCommand} from '@aws-sdk/client-kinesis'
import type {APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2} from 'aws-lambda'

import type {ClientIpMode} from './anonymise-ip.js'
import {withinBound} from './bounded-wait.js'
import {buildRecord, recordLine} from './build-record.js'
import {DEFAULT_FIREHOSE_TIMEOUT_MS, handlerSettingsFromEnv} from './handler-environment.js'

export {type Ingest, INGESTS} from './handler-environment.js'
import {gifHeadResponse, gifResponse, healthResponse, notFoundResponse} from './http-responses.js'
import {describeError, jsonLineLogger, type Logger} from './structured-log.js'

/** The one thing the handler needs from a Firehose client; a `FirehoseClient` is one. */
export interface FirehoseSender {
  send(command: PutRecordCommand, options?: {abortSignal?: AbortSignal}): Promise<unknown>
}

/** The one thing the handler needs from a Kinesis client; a `KinesisClient` is one. */
export interface KinesisSender {
  send(command: KinesisPutRecordCommand, options?: {abortSignal?: AbortSignal}): Promise<unknown>
}

export interface PixelHandlerOptions {
  /** Where hits go when `kinesis` is not given. */
  readonly firehose?: FirehoseSender
  /** A Kinesis data stream's client: when given, each hit is put into the stream `streamName` instead (partition key: its event id). */
  readonly kinesis?: KinesisSender
  /** The delivery stream (or data stream); when missing the hit is logged as lost and the GIF still answered. */
  readonly streamName: string | undefined
  /** The longest the handler waits for Firehose (or Kinesis) before answering anyway. @default 300 */
  readonly timeoutMs?: number
  /** How to store the client address. @default 'anonymise' */
  readonly clientIp?: ClientIpMode
  /** The receive time of a hit. @default () => new Date() */
  readonly now?: () => Date
  /** Where structured logs go. @default JSON lines on stdout */
  readonly log?: Logger
}

export type PixelHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>

export const PIXEL_PATH = '/p.gif'
export const HEALTH_PATH = '/health'

/**
 * The API Gateway (HTTP API, payload 2.0) handler for `GET|HEAD /p.gif` and `GET /health`. It
 * always answers: Firehose (or Kinesis) failing, throttling or hanging costs a record, never the
 * page's image.
 *
 * @example
 * const handler = createPixelHandler({firehose: new FirehoseClient({endpoint: 'http://127.0.0.1:4573'}), streamName: 'pixel-events'})
 * const response = await handler(event)
 */
export function createPixelHandler(options: PixelHandlerOptions): PixelHandler {
  const log = options.log ?? jsonLineLogger
  const timeoutMs = options.timeoutMs ?? DEFAULT_FIREHOSE_TIMEOUT_MS
  const now = options.now ?? (() => new Date())

  const recordHit = async (event: APIGatewayProxyEventV2): Promise<void> => {
    const record = buildRecord(
      {rawQueryString: event.rawQueryString, headers: event.headers, sourceIp: event.requestContext?.http?.sourceIp},
      {now: now(), clientIp: options.clientIp},
    )
    const context = {event_id: record.event_id, source: record.source}
    const kinesis = options.kinesis
    // The alarm on lost records counts these lines, one name per ingest.
    const failed = kinesis ? 'kinesis_put_failed' : 'firehose_put_failed'
    if (options.streamName === undefined || (!kinesis && !options.firehose)) {
      log({level: 'error', event: failed, reason: 'no_stream_configured', ...context})
      return
    }
    const data = Buffer.from(recordLine(record), 'utf8')
    const streamName = options.streamName
    const put = kinesis
      ? (signal: AbortSignal) => kinesis.send(new KinesisPutRecordCommand({StreamName: streamName, PartitionKey: record.event_id, Data: data}), {abortSignal: signal})
      : (signal: AbortSignal) => options.firehose!.send(new PutRecordCommand({DeliveryStreamName: streamName, Record: {Data: data}}), {abortSignal: signal})
    const outcome = await withinBound(put, timeoutMs)
    if (outcome.status === 'timeout') {
      log({level: 'error', event: failed, reason: 'timeout', timeout_ms: timeoutMs, ...context})
    } else if (outcome.status === 'failed') {
      const throttled = (outcome.error as {name?: string})?.name === 'ProvisionedThroughputExceededException'
      log({level: 'error', event: failed, reason: throttled ? 'throttled' : 'error', ...describeError(outcome.error), ...context})
    }
  }

  return async (event) => {
    // A malformed event must not cost the GIF: read every field defensively.
    const method = (event?.requestContext?.http?.method ?? 'GET').toUpperCase()
    const path = event?.rawPath ?? PIXEL_PATH
    if (path === HEALTH_PATH && (method === 'GET' || method === 'HEAD')) return healthResponse()
    if (path !== PIXEL_PATH) return notFoundResponse()
    // A HEAD is a link checker or a prefetch, not a view: it gets the headers and no record.
    if (method === 'HEAD') return gifHeadResponse()
    try {
      await recordHit(event ?? ({} as APIGatewayProxyEventV2))
    } catch (error) {
      log({level: 'error', event: 'pixel_record_failed', ...describeError(error)})
    }
    return gifResponse()
  }
}

let lambdaHandler: PixelHandler | undefined

/** The Lambda entry: settings from the environment, one Firehose (or Kinesis) client per container. */
export const handler: PixelHandler = async (event) => {
  if (lambdaHandler === undefined) {
    const settings = handlerSettingsFromEnv(process.env)
    lambdaHandler = createPixelHandler({
      // Retries past the bound are wasted: one retry fits a throttle blip, the bound cuts the rest.
      ...(settings.ingest === 'kinesis' ? {kinesis: new KinesisClient({maxAttempts: 2})} : {firehose: new FirehoseClient({maxAttempts: 2})}),
      streamName: settings.streamName,
      timeoutMs: settings.timeoutMs,
      clientIp: settings.clientIp,
    })
  }
  return lambdaHandler(event)
}
