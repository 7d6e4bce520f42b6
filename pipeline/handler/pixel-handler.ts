import {FirehoseClient, PutRecordCommand} from '@aws-sdk/client-firehose'
import type {APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2} from 'aws-lambda'

import type {ClientIpMode} from './anonymise-ip.js'
import {withinBound} from './bounded-wait.js'
import {buildRecord, recordLine} from './build-record.js'
import {DEFAULT_FIREHOSE_TIMEOUT_MS, handlerSettingsFromEnv} from './handler-environment.js'
import {gifHeadResponse, gifResponse, healthResponse, notFoundResponse} from './http-responses.js'
import {describeError, jsonLineLogger, type Logger} from './structured-log.js'

/** The one thing the handler needs from a Firehose client; a `FirehoseClient` is one. */
export interface FirehoseSender {
  send(command: PutRecordCommand, options?: {abortSignal?: AbortSignal}): Promise<unknown>
}

export interface PixelHandlerOptions {
  readonly firehose: FirehoseSender
  /** The delivery stream; when missing the hit is logged as lost and the GIF still answered. */
  readonly streamName: string | undefined
  /** The longest the handler waits for Firehose before answering anyway. @default 300 */
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
 * always answers: Firehose failing, throttling or hanging costs a record, never the page's image.
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
    if (options.streamName === undefined) {
      log({level: 'error', event: 'firehose_put_failed', reason: 'no_stream_configured', ...context})
      return
    }
    const command = new PutRecordCommand({
      DeliveryStreamName: options.streamName,
      Record: {Data: Buffer.from(recordLine(record), 'utf8')},
    })
    const outcome = await withinBound((signal) => options.firehose.send(command, {abortSignal: signal}), timeoutMs)
    if (outcome.status === 'timeout') {
      log({level: 'error', event: 'firehose_put_failed', reason: 'timeout', timeout_ms: timeoutMs, ...context})
    } else if (outcome.status === 'failed') {
      log({level: 'error', event: 'firehose_put_failed', reason: 'error', ...describeError(outcome.error), ...context})
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

/** The Lambda entry: settings from the environment, one Firehose client per container. */
export const handler: PixelHandler = async (event) => {
  if (lambdaHandler === undefined) {
    const settings = handlerSettingsFromEnv(process.env)
    lambdaHandler = createPixelHandler({
      // Retries past the bound are wasted: one retry fits a throttle blip, the bound cuts the rest.
      firehose: new FirehoseClient({maxAttempts: 2}),
      streamName: settings.streamName,
      timeoutMs: settings.timeoutMs,
      clientIp: settings.clientIp,
    })
  }
  return lambdaHandler(event)
}
