import {once} from 'node:events'
import {type IncomingMessage, type ServerResponse, createServer, request} from 'node:http'

export interface FlakyProxy {
  endpoint: string
  /** The error answers given so far, by status. */
  failures: Map<number, number>
  stop(): Promise<void>
}

/**
 * A real HTTP server on 127.0.0.1 in front of an S3-compatible endpoint that answers the first
 * `failFirst` requests with S3's throttling (503 SlowDown) and server errors (500 InternalError),
 * in turn, then passes everything through: what a client's retries must ride out.
 *
 * @example const proxy = await flakyProxy(motoEndpoint, 4)
 */
export async function flakyProxy(target: string, failFirst: number): Promise<FlakyProxy> {
  const upstream = new URL(target)
  const failures = new Map<number, number>()
  let seen = 0
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (seen++ < failFirst) {
      const status = seen % 2 === 1 ? 503 : 500
      const code = status === 503 ? 'SlowDown' : 'InternalError'
      failures.set(status, (failures.get(status) ?? 0) + 1)
      req.resume()
      res.writeHead(status, {'content-type': 'application/xml'})
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>try again</Message></Error>`)
      return
    }
    const forward = request({host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers}, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    req.pipe(forward)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const {port} = server.address() as {port: number}
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failures,
    async stop() {
      server.close()
      server.closeAllConnections()
      await once(server, 'close')
    },
  }
}
