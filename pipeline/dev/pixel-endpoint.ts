import {randomUUID} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'

import {FirehoseClient, type PutRecordCommand} from '@aws-sdk/client-firehose'
import {KinesisClient, type PutRecordCommand as KinesisPutRecordCommand} from '@aws-sdk/client-kinesis'
import {NodeHttpHandler} from '@smithy/node-http-handler'
import type {APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2} from 'aws-lambda'

import type {ClientIpMode} from '../handler/anonymise-ip.js'
import type {Ingest} from '../handler/handler-environment.js'
import {createPixelHandler} from '../handler/pixel-handler.js'
import type {Logger} from '../handler/structured-log.js'

/**
 * Dev-only answer headers naming the record a GIF answer stored, present only when the Firehose
 * API acknowledged it, so that tests and demos can follow a hit into the lake.
 */
export const ACKNOWLEDGED_EVENT_HEADER = 'x-pixel-dev-event-id'
export const ACKNOWLEDGED_RECORD_HEADER = 'x-pixel-dev-record-id'

export interface PixelEndpointOptions {
  /** The Firehose API the handler sends to: this same server. */
  readonly firehoseUrl: string
  readonly stream: string
  /** @default 'anonymise' */
  readonly clientIp?: ClientIpMode
  /** Where the handler puts hits: this server's Firehose API or its Kinesis API. @default 'firehose' */
  readonly ingest?: Ingest
  /** Longer than the Lambda's 300 ms: a busy laptop is slower than Firehose. @default 2000 */
  readonly timeoutMs?: number
  readonly log: Logger
}

export interface PixelEndpoint {
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>
  close(): void
}

/**
 * The pixel as the Lambda serves it, in a plain Node server: each request becomes an API
 * Gateway 2.0 event for the real handler, which sends its record with the AWS SDK to `firehoseUrl`.
 *
 * @example
 * const endpoint = createPixelEndpoint({firehoseUrl: 'http://127.0.0.1:4573', stream: 'pixel-events', log})
 * server.on('request', (req, res) => endpoint.handle(req, res))
 */
export function createPixelEndpoint(options: PixelEndpointOptions): PixelEndpoint {
  const reach = {endpoint: options.firehoseUrl, region: 'us-east-1', credentials: {accessKeyId: 'pixel-dev', secretAccessKey: 'pixel-dev'}, maxAttempts: 2}
  const client = new FirehoseClient(reach)
  // The Kinesis client speaks HTTP/2 unless told otherwise; this server speaks HTTP/1.1.
  const kinesisClient = options.ingest === 'kinesis' ? new KinesisClient({...reach, requestHandler: new NodeHttpHandler()}) : undefined
  return {
    async handle(request, response) {
      let acknowledged: {eventId: string | undefined; recordId: string} | undefined
      // One handler per request, so that this request's acknowledgement is known for its answer.
      const kinesis = kinesisClient && {
        async send(command: KinesisPutRecordCommand, sendOptions?: {abortSignal?: AbortSignal}) {
          const output = await kinesisClient.send(command, sendOptions)
          if (output.SequenceNumber) acknowledged = {eventId: command.input.PartitionKey, recordId: `${output.ShardId}:${output.SequenceNumber}`}
          return output
        },
      }
      const handler = createPixelHandler({
        kinesis,
        firehose: {
          async send(command: PutRecordCommand, sendOptions) {
            const output = await client.send(command, sendOptions)
            if (output.RecordId) acknowledged = {eventId: eventIdOf(command), recordId: output.RecordId}
            return output
          },
        },
        streamName: options.stream,
        clientIp: options.clientIp,
        timeoutMs: options.timeoutMs ?? 2000,
        log: options.log,
      })
      const result = await handler(apiGatewayEventOf(request))
      const headers: Record<string, string> = {}
      if (acknowledged?.eventId) headers[ACKNOWLEDGED_EVENT_HEADER] = acknowledged.eventId
      if (acknowledged) headers[ACKNOWLEDGED_RECORD_HEADER] = acknowledged.recordId
      writeResult(response, result, headers)
    },
    close() {
      client.destroy()
      kinesisClient?.destroy()
    },
  }
}

/**
 * A request's target as a URL: the origin form (`/p.gif?b=x`) taken as a path even when it
 * starts with `//` (which a URL parser would read as a host), the absolute form (`http://h/p.gif`)
 * as it is; undefined for anything else (`*`, or an absolute URL that does not parse).
 *
 * @example requestUrl('//[::1/p.gif')?.pathname // '//[::1/p.gif'
 */
export function requestUrl(target: string | undefined): URL | undefined {
  const raw = target ?? '/'
  try {
    return raw.startsWith('/') ? new URL(`http://localhost${raw}`) : new URL(raw)
  } catch {
    return undefined
  }
}

/** The path of a request's target (see requestUrl), or undefined when it has none. */
export function requestPath(target: string | undefined): string | undefined {
  return requestUrl(target)?.pathname
}

/**
 * The event API Gateway (HTTP API, payload 2.0) would hand the Lambda for `request`: headers
 * lower-cased and repeated ones joined with commas, cookies apart, the TCP peer as source IP.
 */
export function apiGatewayEventOf(request: IncomingMessage, now = new Date()): APIGatewayProxyEventV2 {
  const url = requestUrl(request.url) ?? new URL('http://localhost/')
  const method = (request.method ?? 'GET').toUpperCase()
  const headers: Record<string, string> = {}
  const cookies: string[] = []
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i].toLowerCase()
    const value = request.rawHeaders[i + 1]
    if (name === 'cookie') cookies.push(...value.split(/;\s*/).filter((c) => c !== ''))
    else headers[name] = name in headers ? `${headers[name]},${value}` : value
  }
  const rawQueryString = url.search.startsWith('?') ? url.search.slice(1) : ''
  const routeKey = `${method} ${url.pathname}`
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString,
    ...(cookies.length > 0 ? {cookies} : {}),
    headers,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'pixel-dev',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'pixel-dev',
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
    },
  }
}

function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2, extra: Record<string, string>): void {
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8')
  const headers: Record<string, string> = {...extra}
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value)
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')) headers['Content-Length'] = String(body.length)
  response.writeHead(result.statusCode ?? 200, headers)
  response.end(body)
}

function eventIdOf(command: PutRecordCommand): string | undefined {
  try {
    const record = JSON.parse(Buffer.from(command.input.Record?.Data ?? new Uint8Array()).toString('utf8')) as {event_id?: unknown}
    return typeof record.event_id === 'string' ? record.event_id : undefined
  } catch {
    return undefined
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `28/Nov/2026:10:00:00 +0000`, API Gateway's `requestContext.time`. */
function apiGatewayTime(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`
}
