import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {hourLabel, HOUR_MS} from '../../lake/scope.js'
import {parseObjectKey} from '../../lake/layout/object-key.js'

import type {Lake} from '../../lake/store/lake.js'
import type {ClientIpMode} from '../handler/anonymise-ip.js'
import {HEALTH_PATH, PIXEL_PATH} from '../handler/pixel-handler.js'
import type {Logger} from '../handler/structured-log.js'
import {DeliveryBuffer, type Delivery} from './delivery-buffer.js'
import {DemoFaults, FAULTS, type FaultName} from './demo-faults.js'
import {DEMO_ACTION_HEADER, DEMO_CONTENT_SECURITY_POLICY, type DemoState, type DevStats, type LandedObject, type RecentHit, type RepairState, demoPage} from './demo-page.js'
import {FirehoseApiError, KinesisApiError} from './errors.js'
import {createFirehoseApi, errorAnswer} from './firehose-api.js'
import {type Audit, LiveCheck} from './live-check.js'
import {LiveFeed} from './live-feed.js'
import {MinuteCounts} from './minute-counts.js'
import {objectText} from './object-text.js'
import type {Ingest} from '../handler/handler-environment.js'
import {createKinesisApi, kinesisErrorAnswer, KINESIS_TARGET_PREFIX} from './kinesis-api.js'
import {DevKinesisConsumer} from './kinesis-consumer.js'
import {DevStream} from './kinesis-stream.js'
import {createPixelEndpoint, requestPath} from './pixel-endpoint.js'

/** What a repair did: pixel replay's account for the hour. */
export interface RepairOutcome {
  readonly read: number
  readonly sent: number
  readonly skippedDuplicate: number
  readonly failed: number
  /** The same replay as a command line, for the page. */
  readonly command: string
}

/**
 * Replays a dead-letter file of one hour into this server's Firehose API, exactly once. pixel dev
 * is given one by the CLI (pipeline/ may not import replay/): pixel replay's own code.
 */
export type Repair = (job: {readonly hour: string; readonly file: string; readonly firehoseUrl: string; readonly stream: string}) => Promise<RepairOutcome>

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
  /**
   * Where the pixel puts hits: the Firehose API (delivery buffers) or the Kinesis API (a stream
   * whose consumer writes the lake exactly once). Both APIs answer either way. @default 'firehose'
   */
  readonly ingest?: Ingest
  /** The Kinesis stream's shards. @default 1 */
  readonly shards?: number
  /** The Kinesis consumer's BatchSize. @default 1000 */
  readonly batchSize?: number
  /** The Kinesis consumer's MaximumBatchingWindowInSeconds. @default 10 */
  readonly batchWindowSeconds?: number
  /** The handler's structured logs. @default dropped */
  readonly log?: Logger
  readonly onDelivered?: (delivery: Delivery) => void
  /**
   * A folder for the demo's state (dead-letter files, the repair's ledgers). With it, the demo
   * page's fault buttons work (`POST /faults/<name>`). @default no faults
   */
  readonly stateDir?: string
  /** How long the throttling fault lasts. @default 60 */
  readonly throttleSeconds?: number
  /** The check the demo page runs after each flush. @default none */
  readonly audit?: Audit
  /** How long the check waits after a flush for more. @default 300 */
  readonly auditDebounceMs?: number
  /** The repair behind `POST /repair` (needs `stateDir`). @default none */
  readonly repair?: Repair
  /** The shortest time between two live updates of the demo page. @default 250 */
  readonly liveIntervalMs?: number
}

export interface DevServer {
  /** `http://127.0.0.1:N`: the demo page at `/`, the Firehose and Kinesis APIs at `POST /`. */
  readonly url: string
  readonly pixelUrl: string
  readonly stream: string
  readonly ingest: Ingest
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
const LANDED_SHOWN = 12
// Keys the page may link to: the objects this server wrote, the latest ones.
const KNOWN_KEYS = 5_000
const CHART_MINUTES = 30
const CLOSE_GRACE_MS = 5_000

/**
 * The whole pipeline on one machine, on one port of 127.0.0.1: the pixel (`GET|HEAD /p.gif`)
 * run by the real handler, a Firehose-compatible API and a Kinesis-compatible API (`POST /`,
 * told apart by `X-Amz-Target`), delivery into `lake` as Firehose does it or as the stack's
 * Kinesis consumer does it (`ingest` says which the pixel uses), and a demo page (`GET /`).
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
  const userLog: Logger = options.log ?? (() => {})
  const startedHour = hourLabel(Date.now())
  const recent: (Mutable<RecentHit> & {seq: number})[] = []
  const landedObjects: LandedObject[] = []
  const knownKeys = new Set<string>()
  const deliveredHours = new Set<string>()
  const minutes = new MinuteCounts(CHART_MINUTES)
  const tally = {refused: 0, hits: 0, hitsLost: 0}
  let earliestHour = startedHour
  let feed: LiveFeed | undefined
  let liveCheck: LiveCheck | undefined
  let faults: DemoFaults | undefined
  const repairState: {status: RepairState['status']; last: RepairState['last']} = {status: 'idle', last: null}

  const log: Logger = (entry) => {
    if (entry.event === 'firehose_put_failed' || entry.event === 'kinesis_put_failed') {
      tally.hitsLost++
      feed?.changed()
    }
    userLog(entry)
  }
  const delivered = (delivery: Delivery) => {
    const at = new Date().toISOString()
    if (delivery.fault !== 'lose') {
      knownKeys.add(delivery.key)
      if (knownKeys.size > KNOWN_KEYS) knownKeys.delete(knownKeys.values().next().value as string)
      if (delivery.hour) deliveredHours.add(delivery.hour)
    }
    // A hit links to the first object holding it (a second copy holds it too), or says it was lost.
    for (const hit of recent) {
      if (hit.object !== null || hit.lost || !includes(delivery.sequences, hit.seq)) continue
      if (delivery.fault === 'lose') hit.lost = true
      else hit.object = delivery.key
    }
    if (delivery.hour && delivery.hour < earliestHour && Date.now() - Date.parse(`${delivery.hour}:00:00.000Z`) < 24 * HOUR_MS) earliestHour = delivery.hour
    landedObjects.unshift({key: delivery.key, hour: delivery.hour ?? null, records: delivery.records, size: delivery.stored, at, fault: delivery.fault ?? null})
    landedObjects.splice(LANDED_SHOWN)
    liveCheck?.request()
    feed?.changed()
    options.onDelivered?.(delivery)
  }
  const buffer = new DeliveryBuffer({
    lake: options.lake,
    stream,
    bufferSeconds,
    bufferBytes,
    onDelivered: delivered,
    onWriteFailed: (key, error) => log({level: 'error', event: 'lake_write_failed', key, error_message: String((error as Error)?.message ?? error).slice(0, 300)}),
    tamper: (batch) => faults?.tamper(batch),
    onLost: (batch) => (faults ? faults.keep(batch) : Promise.reject(new Error('no state folder for lost batches'))),
  })
  const add = (records: readonly Buffer[]) => {
    const first = buffer.add(records)
    minutes.add('records', records.length)
    const from = Math.max(0, records.length - RECENT_HITS)
    for (let i = from; i < records.length; i++) {
      const hit = recentHit(records[i], first + i)
      if (hit) recent.unshift(hit)
    }
    recent.splice(RECENT_HITS)
    feed?.changed()
  }
  if (options.stateDir) {
    faults = new DemoFaults({
      stateDir: options.stateDir,
      throttleSeconds: options.throttleSeconds,
      failRate: options.failRate,
      throttleRate: options.throttleRate,
      clientIp: options.clientIp,
      add: (records) => add(records),
      flushHour: (hour) => buffer.flushHour(hour),
      delivered: (hour) => deliveredHours.has(hour),
    })
  }
  const firehose = createFirehoseApi({
    stream,
    bufferSeconds,
    bufferBytes,
    lakeUrl: options.lake.url,
    failRate: faults ? () => faults.failRate() : options.failRate,
    throttleRate: faults ? () => faults.throttleRate() : options.throttleRate,
    random: options.random,
    onRefused: (records) => {
      tally.refused += records
      minutes.add('refused', records)
      feed?.changed()
    },
    backend: {add},
  })

  const ingest = options.ingest ?? 'firehose'
  const kinesisStream = new DevStream({name: stream, shards: options.shards ?? 1})
  const kinesis = createKinesisApi({stream: kinesisStream, failRate: options.failRate, throttleRate: options.throttleRate, random: options.random})
  const consumer = new DevKinesisConsumer({
    stream: kinesisStream,
    lake: options.lake,
    batchSize: options.batchSize ?? 1000,
    batchWindowSeconds: options.batchWindowSeconds ?? 10,
    // Each stored batch would be a line; only what went wrong is worth one.
    log: (entry) => {
      if (entry.level !== 'info') log(entry)
    },
    onStored: (outcome) => {
      const at = new Date().toISOString()
      for (const object of outcome.objects) {
        knownKeys.add(object.key)
        if (knownKeys.size > KNOWN_KEYS) knownKeys.delete(knownKeys.values().next().value as string)
        const hour = object.failed ? null : (parseObjectKey(object.key)?.hour ?? null)
        if (hour) deliveredHours.add(hour)
        landedObjects.unshift({key: object.key, hour, records: object.records, size: object.bytes, at, fault: null})
      }
      landedObjects.splice(LANDED_SHOWN)
      liveCheck?.request()
      feed?.changed()
    },
  })
  kinesisStream.onPut((shard, count) => {
    minutes.add('records', count)
    for (const held of shard.records.slice(-Math.min(count, RECENT_HITS))) {
      // No delivery sequence: the consumer's objects are named by Kinesis sequence numbers instead.
      const hit = recentHit(held.data, -1)
      if (hit) recent.unshift(hit)
    }
    recent.splice(RECENT_HITS)
    feed?.changed()
  })

  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://${HOST}:${port}`
  const pixel = createPixelEndpoint({firehoseUrl: url, stream, clientIp: options.clientIp, log, ingest})

  const stats = (): DevStats => {
    const counts = buffer.stats()
    const consumed = consumer.stats()
    const put = kinesisStream.shards.reduce((sum, shard) => sum + kinesisStream.end(shard), 0)
    return {
      stream,
      lake: options.lake.url,
      received: counts.received + put,
      landed: counts.delivered + consumed.landed,
      partitioningFailed: counts.partitioningFailed + consumed.partitioningFailed,
      objects: counts.objects + consumed.objects,
      lost: counts.lost,
      ...tally,
      recent: recent.map(({seq: _seq, ...hit}) => hit),
    }
  }
  // The hours the live check judges: from the hour this server started (or the earliest hour of
  // the last day it delivered records of) to the current one.
  const checkHours = (): string[] => {
    const hours: string[] = []
    const now = Math.floor(Date.now() / HOUR_MS) * HOUR_MS
    for (let at = Date.parse(`${earliestHour}:00:00.000Z`); at <= now; at += HOUR_MS) hours.push(hourLabel(at))
    return hours
  }
  const demoState = (): DemoState => ({
    ...stats(),
    serverTime: new Date().toISOString(),
    bufferSeconds,
    minutes: minutes.series(),
    pending: buffer.pendingPartitions(),
    landedObjects: [...landedObjects],
    faults: faults ? {...faults.state(), throttleSeconds: options.throttleSeconds ?? 60} : null,
    check: liveCheck ? liveCheck.state() : null,
    repair: options.repair && faults ? {status: repairState.status, last: repairState.last} : null,
  })
  feed = new LiveFeed({snapshot: demoState, intervalMs: options.liveIntervalMs, onConnect: () => liveCheck?.request()})
  // The check runs only while a page is open: pixel dev under load with nobody looking spends nothing on it.
  if (options.audit) liveCheck = new LiveCheck({audit: options.audit, hours: checkHours, onChange: () => feed?.changed(), debounceMs: options.auditDebounceMs, wanted: () => (feed?.size ?? 0) > 0})
  // A check shows a gap as soon as an hour ends: the clock, not only a flush, changes what it says.
  const minuteTick = setInterval(() => feed?.changed(), 1000)
  minuteTick.unref()

  const repair = async (): Promise<{status: number; message: string}> => {
    if (!options.repair || !faults) return {status: 404, message: 'this pixel dev has no repair'}
    if (repairState.status === 'running') return {status: 409, message: 'a repair is under way'}
    const letters = faults.state().deadLetters
    if (letters.length === 0) return {status: 409, message: 'nothing to repair: no flush was lost'}
    repairState.status = 'running'
    feed?.changed()
    let message = ''
    try {
      for (const letter of letters) {
        try {
          const outcome = await options.repair({hour: letter.hour, file: letter.file, firehoseUrl: url, stream})
          repairState.last = {hour: letter.hour, read: outcome.read, sent: outcome.sent, skippedDuplicate: outcome.skippedDuplicate, failed: outcome.failed, command: outcome.command, at: new Date().toISOString(), error: null}
          message += `Replayed ${letter.hour}: ${outcome.sent} sent, ${outcome.skippedDuplicate} already there, ${outcome.failed} failed. `
        } catch (error) {
          const text = String((error as Error)?.message ?? error).split('\n')[0].slice(0, 300)
          repairState.last = {hour: letter.hour, read: 0, sent: 0, skippedDuplicate: 0, failed: 0, command: '', at: new Date().toISOString(), error: text}
          message += `The replay of ${letter.hour} failed: ${text} `
        }
      }
    } finally {
      repairState.status = 'idle'
      feed?.changed()
    }
    return {status: 200, message: `${message}The hour heals at the next flush.`}
  }

  const demoAction = async (request: IncomingMessage, response: ServerResponse, path: string): Promise<void> => {
    // Only this page may act: a page of another origin can neither set the header without a
    // preflight (never approved) nor reach it under another Host name (DNS rebinding).
    if (!sameOrigin(request, port) || header(request, DEMO_ACTION_HEADER) !== '1') return json(response, 403, {message: `refused: a fault or repair needs the ${DEMO_ACTION_HEADER} header, from this page`})
    if (path === '/repair') {
      const {status, message} = await repair()
      return json(response, status, {message})
    }
    const name = path.slice('/faults/'.length) as FaultName
    if (!faults || !(FAULTS as readonly string[]).includes(name)) return json(response, 404, {message: faults ? `no fault ${name}: one of ${FAULTS.join(', ')}` : 'faults need a state folder'})
    const hour = faults.plant(name)
    feed?.changed()
    const messages: Record<FaultName, string> = {
      throttle: `Firehose throttles half the calls and fails half of each batch for ${options.throttleSeconds ?? 60} s.`,
      duplicate: `The next flush of ${hour} is delivered twice.`,
      corrupt: `The next flush of ${hour} is stored corrupt.`,
      'lose-flush': `A late batch of ${hour} is taken; its flush will be lost.`,
    }
    return json(response, 202, {message: messages[name], fault: name, hour})
  }

  const showObject = async (request: IncomingMessage, response: ServerResponse, path: string): Promise<void> => {
    if (!sameOrigin(request, port)) return plain(response, 403, 'refused: open objects from the demo page')
    let key: string
    try {
      key = path.slice('/objects/'.length).split('/').map(decodeURIComponent).join('/')
    } catch {
      return plain(response, 400, 'bad object key: not percent-encoded UTF-8')
    }
    // Only what this server wrote: never a path of the caller's choosing.
    if (!knownKeys.has(key)) return plain(response, 404, 'no such object: the demo shows only objects this pixel dev wrote')
    let text: string
    try {
      text = await objectText(await options.lake.read(key))
    } catch (error) {
      return plain(response, 404, `cannot read ${key}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    }
    response.writeHead(200, {'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'none'; sandbox"})
    response.end(text)
  }

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = requestPath(request.url)
    // A target that is neither a path nor an absolute URL: the client's mistake, not ours.
    if (path === undefined) return plain(response, 400, 'bad request')
    const method = request.method ?? 'GET'
    const action = path === '/repair' || path.startsWith('/faults/')
    if (method === 'POST' && path === '/') {
      const body = await readBody(request, MAX_BODY_BYTES)
      const target = header(request, 'x-amz-target')
      // One port, two services: the SDKs name theirs in X-Amz-Target.
      const isKinesis = target?.startsWith(KINESIS_TARGET_PREFIX) === true
      const answer = body === undefined
        ? isKinesis
          ? kinesisErrorAnswer(new KinesisApiError('InvalidArgumentException', 'Records size exceeds 5 MB limit'))
          : errorAnswer(new FirehoseApiError('InvalidArgumentException', 'Records size exceeds 4 MB limit'))
        : isKinesis
          ? kinesis(target, body)
          : firehose(target, body)
      response.writeHead(answer.status, answer.headers)
      response.end(answer.body)
      return
    }
    if (action) {
      if (method !== 'POST') {
        response.writeHead(405, {'Content-Type': 'text/plain; charset=utf-8', Allow: 'POST'})
        response.end('use POST')
        return
      }
      await readBody(request, 1024)
      return demoAction(request, response, path)
    }
    // Like the HTTP API, only GET and HEAD routes exist: anything else is not found, not a hit.
    if (method !== 'GET' && method !== 'HEAD') return plain(response, 404, 'not found')
    if (path === PIXEL_PATH || path === HEALTH_PATH) {
      if (path === PIXEL_PATH && method === 'GET') {
        tally.hits++
        minutes.add('hits', 1)
      }
      return pixel.handle(request, response)
    }
    if (path === '/') return send(response, 'text/html; charset=utf-8', demoPage(stats()), {'Content-Security-Policy': DEMO_CONTENT_SECURITY_POLICY})
    if (path === '/stats') return send(response, 'application/json', JSON.stringify(stats()))
    if (path === '/events') {
      if (!sameOrigin(request, port)) return plain(response, 403, 'refused: the live feed is for the demo page')
      // A HEAD has no body to stream: its headers say what a GET would get.
      if (method === 'HEAD') return send(response, 'text/event-stream; charset=utf-8', '')
      return feed!.connect(request, response)
    }
    if (path.startsWith('/objects/')) return showObject(request, response, path)
    if (path === '/favicon.ico') {
      response.writeHead(204, {'Cache-Control': 'max-age=86400'})
      response.end()
      return
    }
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
    ingest,
    stats,
    async flush() {
      await buffer.flush()
      await consumer.flush()
    },
    close() {
      closing ??= (async () => {
        // Live streams never end on their own: end them first, so that closing waits for real work only.
        feed?.close()
        clearInterval(minuteTick)
        // Requests under way finish first: their records are acknowledged into the buffer.
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS)
        await stopped
        clearTimeout(grace)
        pixel.close()
        kinesisStream.close()
        await buffer.close()
        await liveCheck?.close()
        await consumer.close()
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

type Mutable<T> = {-readonly [K in keyof T]: T[K]}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff'})
  response.end(JSON.stringify(body))
}

/**
 * A request from this server's own page: the Host names the loopback address and port (not a
 * rebound DNS name), and an Origin, when sent, is that same origin.
 */
function sameOrigin(request: IncomingMessage, port: number): boolean {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]
  const host = header(request, 'host')
  if (host === undefined || !hosts.includes(host.toLowerCase())) return false
  const origin = header(request, 'origin')
  return origin === undefined || hosts.some((h) => origin.toLowerCase() === `http://${h}`)
}

/** Whether the ascending `sorted` holds `value`. */
function includes(sorted: readonly number[], value: number): boolean {
  let low = 0
  let high = sorted.length - 1
  while (low <= high) {
    const mid = (low + high) >> 1
    if (sorted[mid] === value) return true
    if (sorted[mid] < value) low = mid + 1
    else high = mid - 1
  }
  return false
}

function recentHit(data: Buffer, seq: number): (Mutable<RecentHit> & {seq: number}) | undefined {
  try {
    const record = JSON.parse(data.toString('utf8')) as Record<string, unknown>
    const text = (value: unknown) => (typeof value === 'string' ? value : null)
    return {ts: text(record.ts) ?? '', badge: text(record.badge) ?? '', page_url: text(record.page_url), user_agent: text(record.user_agent), event_id: text(record.event_id), object: null, lost: false, seq}
  } catch {
    return undefined
  }
}
