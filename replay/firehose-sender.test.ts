import {once} from 'node:events'
import {createServer} from 'node:http'
import type {DescribeDeliveryStreamCommand, PutRecordBatchCommand} from '@aws-sdk/client-firehose'
import {describe, expect, it} from 'vitest'
import {pixelEvent} from '../fixtures/pixel-event-factory.js'
import {seededRandom} from '../fixtures/random.js'
import {devServer, firehoseClient, lakeRecords} from '../pipeline/dev/test-support/dev-server-fixture.js'
import {ReplayTargetError} from './errors.js'
import {type FirehoseLike, type OutgoingRecord, UNANSWERED, assertStream, batches, firehoseClient as realFirehoseClient, sendToFirehose} from './firehose-sender.js'

const MiB = 1024 * 1024

function outgoing(n: number, seed = 1): OutgoingRecord[] {
  const rand = seededRandom(seed)
  return Array.from({length: n}, (_, i) => {
    const event = pixelEvent(rand, new Date(Date.UTC(2026, 1, 10, 5, 0, i % 3600)))
    return {id: event.event_id, data: Buffer.from(`${JSON.stringify(event)}\n`)}
  })
}

function sized(n: number, bytes: number): OutgoingRecord[] {
  return Array.from({length: n}, (_, i) => ({id: String(i), data: Buffer.alloc(bytes)}))
}

/** The real client, with the size of every PutRecordBatch it sends noted. */
function counting(client: FirehoseLike): FirehoseLike & {calls: number[]} {
  const calls: number[] = []
  return {
    calls,
    send(command: PutRecordBatchCommand | DescribeDeliveryStreamCommand) {
      const records = (command.input as {Records?: unknown[]}).Records
      if (records) calls.push(records.length)
      return client.send(command)
    },
  }
}

describe('cutting records into PutRecordBatch calls', () => {
  describe.each([
    {records: sized(1200, 100), sizes: [500, 500, 200]},
    {records: sized(10, 900 * 1024), sizes: [4, 4, 2]},
    {records: [...sized(3, 1024), ...sized(1, 4 * MiB - 3 * 1024), ...sized(1, 1)], sizes: [4, 1]},
    {records: sized(0, 1), sizes: []},
  ])('$sizes', ({records, sizes}) => {
    it('stays within 500 records and 4 MiB a call, in order', () => {
      const cut = batches(records)
      expect(cut.map((b) => b.length)).toEqual(sizes)
      for (const batch of cut) expect(batch.reduce((sum, r) => sum + r.data.length, 0)).toBeLessThanOrEqual(4 * MiB)
      expect(cut.flat()).toEqual(records)
    })
  })
})

describe('sending to pixel dev\'s Firehose API', () => {
  it('lands every record exactly once while a fifth of records fail and a tenth of calls are throttled', async () => {
    const {server, lake} = await devServer({failRate: 0.2, throttleRate: 0.1})
    const records = outgoing(1200)
    const acknowledged: string[] = []
    const result = await sendToFirehose(records, {
      client: firehoseClient(server.url),
      stream: server.stream,
      baseDelayMs: 2,
      maxAttempts: 30,
      onAcknowledged: async (acked) => void acknowledged.push(...acked.map((r) => r.id)),
    })
    await server.flush()
    expect(result).toEqual({sent: 1200, failed: 0, failures: {}})
    expect([...acknowledged].sort()).toEqual(records.map((r) => r.id).sort())
    const landed = (await lakeRecords(lake)).map((r) => r.event_id as string)
    expect(landed).toHaveLength(1200)
    expect(new Set(landed).size).toBe(1200)
  })

  it('retries only the records that failed, never a whole batch again', async () => {
    const {server} = await devServer({failRate: 0.3})
    const client = counting(firehoseClient(server.url))
    const records = outgoing(400, 2)
    await sendToFirehose(records, {client, stream: server.stream, baseDelayMs: 1, maxAttempts: 30, onAcknowledged: async () => {}})
    // The first call carries them all; each retry only the ones still failing.
    expect(client.calls[0]).toBe(400)
    expect(client.calls[1]).toBeLessThan(400)
    expect(client.calls.slice(1).every((n, i) => n <= client.calls[i])).toBe(true)
  })

  it('counts records as failed, by error code, once their attempts are spent, and acknowledges none', async () => {
    const {server, lake} = await devServer({failRate: 1})
    let acknowledged = 0
    const result = await sendToFirehose(outgoing(30, 3), {client: firehoseClient(server.url), stream: server.stream, baseDelayMs: 1, maxAttempts: 3, onAcknowledged: async (r) => void (acknowledged += r.length)})
    await server.flush()
    expect(result).toEqual({sent: 0, failed: 30, failures: {ServiceUnavailableException: 30}})
    expect(acknowledged).toBe(0)
    expect(await lakeRecords(lake)).toEqual([])
  })

  it('keeps to --rate: batches of at most a second\'s worth, a second apart', async () => {
    const {server} = await devServer()
    const client = counting(firehoseClient(server.url))
    const started = Date.now()
    const result = await sendToFirehose(outgoing(60, 4), {client, stream: server.stream, rate: 20, concurrency: 4, onAcknowledged: async () => {}})
    expect(result.sent).toBe(60)
    expect(client.calls).toEqual([20, 20, 20])
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900)
  })

  it('stops at once, naming the stream, when the stream does not exist', async () => {
    const {server} = await devServer()
    const client = firehoseClient(server.url)
    await expect(assertStream(client, 'no-such-stream')).rejects.toThrow(ReplayTargetError)
    await expect(assertStream(client, 'no-such-stream')).rejects.toThrow(/^cannot reach Firehose delivery stream no-such-stream: ResourceNotFoundException/)
    await expect(sendToFirehose(outgoing(2), {client, stream: 'no-such-stream', onAcknowledged: async () => {}})).rejects.toThrow(/Firehose refused the replay: ResourceNotFoundException/)
  })

  it('counts the batches not yet sent as interrupted once aborted', async () => {
    const {server} = await devServer()
    const controller = new AbortController()
    let sent = 0
    const result = await sendToFirehose(outgoing(100, 5), {
      client: firehoseClient(server.url),
      stream: server.stream,
      rate: 10,
      concurrency: 1,
      signal: controller.signal,
      onAcknowledged: async (r) => {
        sent += r.length
        controller.abort()
      },
    })
    expect(result).toEqual({sent: 10, failed: 90, failures: {interrupted: 90}})
    expect(sent).toBe(10)
  })
})

describe('sending to a Firehose endpoint that stops answering', () => {
  /** A real server on 127.0.0.1 that takes every request and never answers it, as a hung endpoint does. */
  async function silentServer() {
    const requests: string[] = []
    const server = createServer((req) => {
      requests.push(String(req.headers['x-amz-target']))
      req.resume()
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const {port} = server.address() as {port: number}
    return {
      endpoint: `http://127.0.0.1:${port}`,
      requests,
      async stop() {
        server.closeAllConnections()
        server.close()
      },
    }
  }

  it('counts a call left unanswered as failed, maybe delivered, and never sends it again', async () => {
    const server = await silentServer()
    const client = realFirehoseClient({endpointUrl: server.endpoint, region: 'us-east-1', requestTimeoutMs: 300})
    try {
      const result = await sendToFirehose(outgoing(3), {client, stream: 'pixel-events', maxAttempts: 5, baseDelayMs: 1, onAcknowledged: async () => {}})
      expect(result).toEqual({sent: 0, failed: 3, failures: {[UNANSWERED]: 3}})
      expect(server.requests).toEqual(['Firehose_20150804.PutRecordBatch'])
    } finally {
      client.destroy()
      await server.stop()
    }
  })

  it('stops at once, naming the stream, when the endpoint does not answer the first call', async () => {
    const server = await silentServer()
    const client = realFirehoseClient({endpointUrl: server.endpoint, region: 'us-east-1', requestTimeoutMs: 300})
    try {
      await expect(assertStream(client, 'pixel-events')).rejects.toThrow('cannot reach Firehose delivery stream pixel-events: the endpoint did not answer in time (--request-timeout): check --endpoint-url, --region and the network')
    } finally {
      client.destroy()
      await server.stop()
    }
  })
})
