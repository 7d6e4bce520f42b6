import {createServer, get, type IncomingMessage, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {afterEach, describe, expect, it} from 'vitest'

import {LiveFeed, type LiveFeedOptions} from './live-feed.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve)))))
})

async function feedServer(options: Partial<LiveFeedOptions> & Pick<LiveFeedOptions, 'snapshot'>): Promise<{feed: LiveFeed; url: string}> {
  const feed = new LiveFeed(options)
  const server = createServer((request, response) => feed.connect(request, response))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {feed, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`}
}

/** An open stream: its status, and its messages and comments as they come. */
function open(url: string): Promise<{response: IncomingMessage; messages: unknown[]; comments: string[]; next: (test: () => boolean) => Promise<void>; ended: Promise<void>}> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      const messages: unknown[] = []
      const comments: string[] = []
      const waiting: {test: () => boolean; resolve: () => void}[] = []
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        text += chunk
        let end: number
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end)
          text = text.slice(end + 2)
          if (block.startsWith('data: ')) messages.push(JSON.parse(block.slice(6)))
          else if (block.startsWith(':')) comments.push(block)
        }
        for (const w of [...waiting]) if (w.test()) (waiting.splice(waiting.indexOf(w), 1), w.resolve())
      })
      const ended = new Promise<void>((done) => response.on('end', done))
      resolve({response, messages, comments, ended, next: (test) => new Promise((done) => (test() ? done() : waiting.push({test, resolve: done})))})
    }).on('error', reject)
  })
}

describe('LiveFeed', () => {
  it('sends the whole state when a stream opens, then one message for any number of changes within an interval', async () => {
    let n = 0
    const {feed, url} = await feedServer({snapshot: () => ({n: ++n}), intervalMs: 50})
    const stream = await open(url)
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    await stream.next(() => stream.messages.length === 1)
    for (let i = 0; i < 1000; i++) feed.changed()
    await stream.next(() => stream.messages.length === 2)
    // Nothing changed since: closing now shows no other message was sent or built.
    feed.close()
    await stream.ended
    expect(stream.messages).toEqual([{n: 1}, {n: 2}])
  })

  it('answers 503 to one stream more than it holds, and takes one again when a stream closes', async () => {
    const {url} = await feedServer({snapshot: () => ({}), maxClients: 2})
    const first = await open(url)
    await open(url)
    const third = await open(url)
    expect([first.response.statusCode, third.response.statusCode]).toEqual([200, 503])
    first.response.destroy()
    await new Promise((resolve) => first.response.socket?.once('close', resolve) ?? resolve(undefined))
    let again = await open(url)
    // The server hears of the closed socket a moment after the client: retry until it has.
    while (again.response.statusCode === 503) again = await open(url)
    expect(again.response.statusCode).toBe(200)
  })

  it('keeps an idle stream alive with heartbeat comments', async () => {
    const {url} = await feedServer({snapshot: () => ({}), heartbeatMs: 20})
    const stream = await open(url)
    await stream.next(() => stream.comments.length >= 2)
    expect(stream.comments[0]).toBe(': heartbeat')
  })
})
