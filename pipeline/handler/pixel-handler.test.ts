import {PutRecordCommand} from '@aws-sdk/client-firehose'
import {describe, expect, it} from 'vitest'

import {apiGatewayEvent} from '../test-support/api-gateway-event.js'
import {schemaErrors} from '../test-support/pixel-event-validator.js'
import {PutRecordCommand as KinesisPutRecordCommand} from '@aws-sdk/client-kinesis'
import {createPixelHandler, type FirehoseSender, type KinesisSender} from './pixel-handler.js'
import type {LogEntry} from './structured-log.js'

// The standard transparent 1x1 GIF89a, written out byte by byte.
const STANDARD_GIF = Uint8Array.from([
  0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xff, 0xff, 0xff,
  0x00, 0x00, 0x00, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
  0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
])

interface Sent {
  readonly command: PutRecordCommand
  readonly signal: AbortSignal | undefined
}

/** A Firehose double: records what it was sent and answers with `behaviour`. */
function fakeFirehose(behaviour: (sent: Sent) => Promise<unknown> = async () => ({RecordId: 'r-1'})) {
  const sent: Sent[] = []
  const firehose: FirehoseSender = {
    send(command, options) {
      const call = {command, signal: options?.abortSignal}
      sent.push(call)
      return behaviour(call)
    },
  }
  return {firehose, sent}
}

function setup(behaviour?: (sent: Sent) => Promise<unknown>, timeoutMs = 300) {
  const {firehose, sent} = fakeFirehose(behaviour)
  const logs: LogEntry[] = []
  const handler = createPixelHandler({
    firehose,
    streamName: 'pixel-events',
    timeoutMs,
    now: () => new Date('2026-11-28T10:15:30.123Z'),
    log: (entry) => logs.push(entry),
  })
  return {handler, sent, logs}
}

function sentRecord(sent: readonly Sent[]): unknown {
  const data = sent[0].command.input.Record?.Data
  return JSON.parse(Buffer.from(data as Uint8Array).toString('utf8'))
}

function throwing(error: Error) {
  return async (): Promise<unknown> => {
    throw error
  }
}

function namedError(name: string, message: string): Error {
  const error = new Error(message)
  error.name = name
  return error
}

describe('the pixel answer', () => {
  it('answers the standard 43-byte transparent GIF, base64-encoded', async () => {
    const {handler} = setup()
    const response = await handler(apiGatewayEvent())
    expect(response.statusCode).toBe(200)
    expect(response.isBase64Encoded).toBe(true)
    expect(Uint8Array.from(Buffer.from(response.body ?? '', 'base64'))).toEqual(STANDARD_GIF)
  })

  it('answers image/gif that no cache may keep, and sets no cookie', async () => {
    const {handler} = setup()
    const response = await handler(apiGatewayEvent())
    expect(response.headers).toMatchObject({'Content-Type': 'image/gif', 'Cache-Control': 'no-cache, no-store, must-revalidate'})
    expect(response.cookies).toBeUndefined()
    expect(Object.keys(response.headers ?? {}).map((name) => name.toLowerCase())).not.toContain('set-cookie')
  })

  it('answers HEAD with the GIF headers and no body, and records nothing', async () => {
    const {handler, sent} = setup()
    const response = await handler(apiGatewayEvent({method: 'HEAD'}))
    expect(response).toMatchObject({statusCode: 200, body: '', headers: {'Content-Type': 'image/gif', 'Content-Length': '43'}})
    expect(sent).toHaveLength(0)
  })

  it('answers GET /health for monitors without writing a record', async () => {
    const {handler, sent} = setup()
    const response = await handler(apiGatewayEvent({path: '/health'}))
    expect(response.statusCode).toBe(200)
    expect(JSON.parse(response.body ?? '')).toEqual({status: 'ok'})
    expect(sent).toHaveLength(0)
  })

  it('answers 404 for any other path', async () => {
    const {handler, sent} = setup()
    const response = await handler(apiGatewayEvent({path: '/admin'}))
    expect(response.statusCode).toBe(404)
    expect(sent).toHaveLength(0)
  })
})

describe('the record sent to Firehose', () => {
  it('puts one newline-terminated JSON line into the configured stream', async () => {
    const {handler, sent} = setup()
    await handler(apiGatewayEvent())
    expect(sent).toHaveLength(1)
    expect(sent[0].command.input.DeliveryStreamName).toBe('pixel-events')
    const text = Buffer.from(sent[0].command.input.Record?.Data as Uint8Array).toString('utf8')
    expect(text.endsWith('}\n')).toBe(true)
    expect(text.slice(0, -1)).not.toContain('\n')
  })

  it('writes a record valid under the shipped schema, stamped with the receive time', async () => {
    const {handler, sent} = setup()
    await handler(apiGatewayEvent({rawQueryString: 'b=docs&c=launch&lang=en'}))
    const record = sentRecord(sent)
    expect(schemaErrors(record)).toEqual([])
    expect(record).toMatchObject({ts: '2026-11-28T10:15:30.123Z', badge: 'docs', campaign: 'launch', client_ip: '203.0.113.0', params: {lang: 'en'}})
  })
})

describe('when Firehose misbehaves', () => {
  describe.each([
    ['throws', throwing(new Error('socket hang up'))],
    ['throttles', throwing(namedError('ThrottlingException', 'Rate exceeded'))],
    ['is unavailable', throwing(namedError('ServiceUnavailableException', 'Slow down.'))],
  ])('when Firehose %s', (_name, behaviour) => {
    it('still answers the GIF and logs the lost record', async () => {
      const {handler, logs} = setup(behaviour)
      const response = await handler(apiGatewayEvent())
      expect(response.statusCode).toBe(200)
      expect(response.headers?.['Content-Type']).toBe('image/gif')
      expect(logs).toEqual([expect.objectContaining({level: 'error', event: 'firehose_put_failed', reason: 'error'})])
    })
  })

  it('answers within the bound when Firehose never answers, and cancels the request', async () => {
    const {handler, sent, logs} = setup(() => new Promise<never>(() => {}), 300)
    const started = performance.now()
    const response = await handler(apiGatewayEvent())
    const elapsed = performance.now() - started
    expect(response.headers?.['Content-Type']).toBe('image/gif')
    expect(elapsed).toBeLessThan(2000)
    expect(sent[0].signal?.aborted).toBe(true)
    expect(logs).toEqual([expect.objectContaining({event: 'firehose_put_failed', reason: 'timeout'})])
  })

  it('answers the GIF and logs when no stream is configured', async () => {
    const logs: LogEntry[] = []
    const {firehose, sent} = fakeFirehose()
    const handler = createPixelHandler({firehose, streamName: undefined, log: (entry) => logs.push(entry)})
    const response = await handler(apiGatewayEvent())
    expect(response.headers?.['Content-Type']).toBe('image/gif')
    expect(sent).toHaveLength(0)
    expect(logs).toEqual([expect.objectContaining({event: 'firehose_put_failed', reason: 'no_stream_configured'})])
  })

  it('never logs the raw client address', async () => {
    const {handler, logs} = setup(throwing(new Error('boom')))
    await handler(apiGatewayEvent({sourceIp: '198.51.100.201', rawQueryString: 'b=docs'}))
    expect(logs).not.toHaveLength(0)
    expect(JSON.stringify(logs)).not.toContain('198.51.100.201')
  })
})

describe('bad input', () => {
  const huge = 'x'.repeat(200_000)
  describe.each([
    ['a huge parameter value', {rawQueryString: `b=docs&big=${huge}`}],
    ['a huge badge', {rawQueryString: `b=${huge}`}],
    ['thousands of parameters', {rawQueryString: Array.from({length: 5000}, (_, i) => `p${i}=${i}`).join('&')}],
    ['repeated parameters', {rawQueryString: 'b=one&b=two&x=1&x=2'}],
    ['broken percent-encoding', {rawQueryString: 'b=%E0%A4%&c=%zz&u=%'}],
    ['invalid UTF-8', {rawQueryString: 'b=%C3%28&c=%FF%FE'}],
    ['control characters', {rawQueryString: 'b=do%00cs%0A&c=%1B%5B31m'}],
    ['no query string', {rawQueryString: ''}],
    ['no headers', {headers: {}}],
    ['a huge user agent', {headers: {'user-agent': huge}}],
    ['a malformed source IP', {sourceIp: 'not-an-ip'}],
  ])('with %s', (_name, overrides) => {
    it('answers the GIF and writes a schema-valid record', async () => {
      const {handler, sent} = setup()
      const response = await handler(apiGatewayEvent(overrides))
      expect(response.headers?.['Content-Type']).toBe('image/gif')
      expect(schemaErrors(sentRecord(sent))).toEqual([])
    })
  })

  it('answers the GIF for an event with no request context and no headers at all', async () => {
    const {handler, sent} = setup()
    const event = {...apiGatewayEvent(), headers: undefined, requestContext: undefined} as unknown as Parameters<typeof handler>[0]
    const response = await handler(event)
    expect(response.headers?.['Content-Type']).toBe('image/gif')
    expect(schemaErrors(sentRecord(sent))).toEqual([])
  })
})

describe('the record put into Kinesis (the kinesis ingest)', () => {
  function kinesisSetup(behaviour: () => Promise<unknown> = async () => ({SequenceNumber: '1', ShardId: 'shardId-000000000000'}), timeoutMs = 300) {
    const sent: {command: KinesisPutRecordCommand; signal: AbortSignal | undefined}[] = []
    const logs: LogEntry[] = []
    const kinesis: KinesisSender = {
      send(command, options) {
        sent.push({command, signal: options?.abortSignal})
        return behaviour()
      },
    }
    const handler = createPixelHandler({kinesis, streamName: 'pixel-stream', timeoutMs, log: (entry) => logs.push(entry)})
    return {handler, sent, logs}
  }

  it('puts one newline-terminated JSON line into the stream, keyed by its event id', async () => {
    const {handler, sent} = kinesisSetup()
    await handler(apiGatewayEvent({rawQueryString: 'b=docs'}))
    expect(sent).toHaveLength(1)
    const {StreamName, PartitionKey, Data} = sent[0].command.input
    const text = Buffer.from(Data as Uint8Array).toString('utf8')
    expect(StreamName).toBe('pixel-stream')
    expect(text.endsWith('}\n')).toBe(true)
    const record = JSON.parse(text) as {event_id: string; badge: string}
    expect(PartitionKey).toBe(record.event_id)
    expect(schemaErrors(record)).toEqual([])
  })

  it.each([
    ['throttled', namedError('ProvisionedThroughputExceededException', 'Rate exceeded for shard'), 'throttled'],
    ['failing', namedError('InternalFailure', 'boom'), 'error'],
  ])('still answers the GIF when Kinesis is %s, logging the lost record', async (_what, error, reason) => {
    const {handler, logs} = kinesisSetup(throwing(error))
    const response = await handler(apiGatewayEvent())
    expect(response.statusCode).toBe(200)
    expect(logs).toEqual([expect.objectContaining({level: 'error', event: 'kinesis_put_failed', reason, error_name: error.name})])
  })

  it('answers within its bound when Kinesis hangs, and aborts the put', async () => {
    const {handler, sent, logs} = kinesisSetup(() => new Promise(() => {}), 50)
    const started = Date.now()
    const response = await handler(apiGatewayEvent())
    expect(response.statusCode).toBe(200)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(sent[0].signal?.aborted).toBe(true)
    expect(logs).toEqual([expect.objectContaining({event: 'kinesis_put_failed', reason: 'timeout'})])
  })
})
