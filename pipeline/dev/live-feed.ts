import type {IncomingMessage, ServerResponse} from 'node:http'

export interface LiveFeedOptions {
  /** Builds the whole state the page shows; called at most once per `intervalMs`, only when something changed. */
  readonly snapshot: () => unknown
  /** The shortest time between two updates: changes in between are coalesced. @default 250 */
  readonly intervalMs?: number
  /** A comment line this often keeps proxies and the browser from closing an idle stream. @default 15000 */
  readonly heartbeatMs?: number
  /** Streams open at once; one more is answered 503. @default 16 */
  readonly maxClients?: number
  /** Told when a stream opens. */
  readonly onConnect?: () => void
}

/**
 * The demo page's server-sent events (`GET /events`): each message is the whole state as JSON,
 * so a client that missed one (a slow tab, a reconnect) is whole again with the next. Changes
 * only mark the feed dirty (O(1), nothing built per hit); a timer sends at most one snapshot per
 * interval to every client, and skips a client whose socket is still full of earlier ones.
 *
 * @example
 * const feed = new LiveFeed({snapshot: () => stats()})
 * server.on('request', (req, res) => req.url === '/events' && feed.connect(req, res))
 * feed.changed()
 */
export class LiveFeed {
  private readonly options: LiveFeedOptions
  private readonly clients = new Set<ServerResponse>()
  private dirty = true
  private timer?: NodeJS.Timeout
  private heartbeat?: NodeJS.Timeout
  private closed = false

  constructor(options: LiveFeedOptions) {
    this.options = options
  }

  get size(): number {
    return this.clients.size
  }

  /** Something the page shows has changed: it goes out with the next tick. */
  changed(): void {
    this.dirty = true
  }

  connect(request: IncomingMessage, response: ServerResponse): void {
    if (this.closed || this.clients.size >= (this.options.maxClients ?? 16)) {
      response.writeHead(503, {'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '5'})
      response.end('too many live pages open: close one, or reload later')
      return
    }
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      Connection: 'keep-alive',
    })
    // The browser reconnects after this long if the stream drops.
    response.write('retry: 1000\n\n')
    this.clients.add(response)
    this.send(response, `data: ${JSON.stringify(this.options.snapshot())}\n\n`)
    const gone = () => {
      this.clients.delete(response)
      if (this.clients.size === 0) this.stop()
    }
    request.on('close', gone)
    response.on('close', gone)
    this.start()
    this.options.onConnect?.()
  }

  /** Ends every stream; later connections are refused. */
  close(): void {
    this.closed = true
    this.stop()
    for (const client of this.clients) client.end()
    this.clients.clear()
  }

  private start(): void {
    if (this.timer) return
    this.timer = setInterval(() => this.tick(), this.options.intervalMs ?? 250)
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) if (!client.writableNeedDrain) client.write(': heartbeat\n\n')
    }, this.options.heartbeatMs ?? 15_000)
    this.timer.unref()
    this.heartbeat.unref()
  }

  private stop(): void {
    clearInterval(this.timer)
    clearInterval(this.heartbeat)
    this.timer = undefined
    this.heartbeat = undefined
  }

  private tick(): void {
    if (!this.dirty || this.clients.size === 0) return
    this.dirty = false
    const message = `data: ${JSON.stringify(this.options.snapshot())}\n\n`
    for (const client of this.clients) this.send(client, message)
  }

  private send(client: ServerResponse, message: string): void {
    // A client that has not read the last message gets the next whole one instead.
    if (client.writableNeedDrain) {
      this.dirty = true
      return
    }
    client.write(message)
  }
}
