import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import type {Lake} from '../../lake/store/lake.js'
import type {ClientIpMode} from '../handler/anonymise-ip.js'
import {HEALTH_PATH, PIXEL_PATH} from '../handler/pixel-handler.js'
import type {Logger} from '../handler/structured-log.js'
import {DeliveryBuffer, type Delivery} from './delivery-buffer.js'
import {DEMO_CONTENT_SECURITY_POLICY, DEMO_SCRIPT, DEMO_STYLE, type DevStats, type RecentHit, demoPage} from './demo-page.js'
import {FirehoseApiError} from './errors.js'
import {createFirehoseApi, errorAnswer} from './firehose-api.js'
import {createPixelEndpoint, requestPath} from './pixel-endpoint.js'

export interface DevServerOptions {
  readonly lake: Lake
  /** 0 picks a free port. @default 0 */
  readonly port?: number
  /** @default 'pixel-events' */
  readonly stream?: string
  /** @default 10 */
  readonly bufferSeconds?: number
  /** @default 1 MiB */
  readonly bufferBytes?: number
  readonly failRate?: number
  readonly throttleRate?: number
  /** Decides which calls and records fail under the rates. @default Math.random */
  readonly random?: () => number
  readonly clientIp?: ClientIpMode
  /** The handler's structured logs. @default dropped */
  readonly log?: Logger
  readonly onDelivered?: (delivery: Delivery) => void
}

export interface DevServer {
  /** `http://127.0.0.1:N`: the demo page at `/`, the Firehose API at `POST /`. */
  readonly url: string
  readonly pixelUrl: string
  readonly stream: string
  stats(): DevStats
  /** Writes every buffer to the lake now. */
  flush(): Promise<void>
  /** Stops taking requests, waits for those under way, then flushes: nothing acknowledged is lost. */
  close(): Promise<void>
}

const HOST = '127.0.0.1'
// Room for 4 MiB of records in base64 plus JSON, so an oversized call still gets Firehose's answer.
const MAX_BODY_BYTES = 16 * 1024 * 1024
const RECENT_HITS = 10
const CLOSE_GRACE_MS = 5_000

/**
 * The whole pipeline on one machine, on one port of 127.0.0.1: the pixel (`GET|HEAD /p.gif`)
 * run by the real handler, a Firehose-compatible API (`POST /`), delivery into `lake` as
 * Firehose does it, and a demo page (`GET /`).
 *
 * @example
 * const server = await startDevServer({lake: new LocalLake('lake'), port: 4573})
 * console.log(server.pixelUrl)
 * await server.close()
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const stream = options.stream ?? 'pixel-events'
  const bufferSeconds = options.bufferSeconds ?? 10
  const bufferBytes = options.bufferBytes ?? 1024 * 1024
  const log: Logger = options.log ?? (() => {})
  const recent: RecentHit[] = []
  const buffer = new DeliveryBuffer({
    lake: options.lake,
    stream,
    bufferSeconds,
    bufferBytes,
    onDelivered: options.onDelivered,
    onWriteFailed: (key, error) => log({level: 'error', event: 'lake_write_failed', key, error_message: String((error as Error)?.message ?? error).slice(0, 300)}),
  })
  const firehose = createFirehoseApi({
    stream,
    bufferSeconds,
    bufferBytes,
    lakeUrl: options.lake.url,
    failRate: options.failRate,
    throttleRate: options.throttleRate,
    random: options.random,
    backend: {
      add(records) {
        buffer.add(records)
        for (const data of records.slice(-RECENT_HITS)) {
          const hit = recentHit(data)
          if (hit) recent.unshift(hit)
        }
        recent.splice(RECENT_HITS)
      },
    },
  })

  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const url = `http://${HOST}:${(server.address() as AddressInfo).port}`
  const pixel = createPixelEndpoint({firehoseUrl: url, stream, clientIp: options.clientIp, log})

  const stats = (): DevStats => {
    const counts = buffer.stats()
    return {stream, lake: options.lake.url, received: counts.received, landed: counts.delivered, partitioningFailed: counts.partitioningFailed, objects: counts.objects, recent: [...recent]}
  }

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = requestPath(request.url)
    // A target that is neither a path nor an absolute URL: the client's mistake, not ours.
    if (path === undefined) return plain(response, 400, 'bad request')
    const method = request.method ?? 'GET'
    if (method === 'POST' && path === '/') {
      const body = await readBody(request, MAX_BODY_BYTES)
      const answer = body === undefined
        ? errorAnswer(new FirehoseApiError('InvalidArgumentException', 'Records size exceeds 4 MB limit'))
        : firehose(header(request, 'x-amz-target'), body)
      response.writeHead(answer.status, answer.headers)
      response.end(answer.body)
      return
    }
    // Like the HTTP API, only GET and HEAD routes exist: anything else is not found, not a hit.
    if (method !== 'GET' && method !== 'HEAD') return plain(response, 404, 'not found')
    if (path === PIXEL_PATH || path === HEALTH_PATH) return pixel.handle(request, response)
    if (path === '/') return send(response, 'text/html; charset=utf-8', demoPage(stats()), {'Content-Security-Policy': DEMO_CONTENT_SECURITY_POLICY})
    if (path === '/demo.js') return send(response, 'text/javascript; charset=utf-8', DEMO_SCRIPT)
    if (path === '/demo.css') return send(response, 'text/css; charset=utf-8', DEMO_STYLE)
    if (path === '/stats') return send(response, 'application/json', JSON.stringify(stats()))
    plain(response, 404, 'not found')
  }

  let closing: Promise<void> | undefined
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    // While shutting down, answer what arrives on open connections, then close each one.
    if (closing) response.setHeader('Connection', 'close')
    route(request, response).catch((error: unknown) => {
      log({level: 'error', event: 'dev_request_failed', error_message: String((error as Error)?.message ?? error).slice(0, 300)})
      if (!response.headersSent) plain(response, 500, 'internal error')
      else response.destroy()
    })
  })

  return {
    url,
    pixelUrl: `${url}${PIXEL_PATH}`,
    stream,
    stats,
    flush: () => buffer.flush(),
    close() {
      closing ??= (async () => {
        // Requests under way finish first: their records are acknowledged into the buffer.
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS)
        await stopped
        clearTimeout(grace)
        pixel.close()
        await buffer.close()
      })()
      return closing
    },
  }
}

/** The body, or undefined (the rest drained, unread) when it is larger than `limit`. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) chunks.push(chunk)
    })
    request.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined))
    request.on('error', reject)
  })
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function send(response: ServerResponse, type: string, body: string, extra: Record<string, string> = {}): void {
  response.writeHead(200, {'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...extra})
  response.end(body)
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {'Content-Type': 'text/plain; charset=utf-8'})
  response.end(text)
}

function recentHit(data: Buffer): RecentHit | undefined {
  try {
    const record = JSON.parse(data.toString('utf8')) as Record<string, unknown>
    const text = (value: unknown) => (typeof value === 'string' ? value : null)
    return {ts: text(record.ts) ?? '', badge: text(record.badge) ?? '', page_url: text(record.page_url), user_agent: text(record.user_agent)}
  } catch {
    return undefined
  }
}
