import {
  DescribeDeliveryStreamCommand,
  InvalidArgumentException,
  PutRecordBatchCommand,
  PutRecordCommand,
  ResourceNotFoundException,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose'
import {describe, expect, it} from 'vitest'

import {pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom} from '../../fixtures/random.js'
import {devServer, firehoseClient, lakeRecords} from './test-support/dev-server-fixture.js'

/** `n` schema-valid records, one JSON line each, as the handler sends them. */
function records(n: number, seed = 1): {Data: Uint8Array; eventId: string}[] {
  const rand = seededRandom(seed)
  return Array.from({length: n}, (_, i) => {
    const event = pixelEvent(rand, new Date(Date.UTC(2026, 10, 28, 9, 0, i)))
    return {Data: Buffer.from(`${JSON.stringify(event)}\n`), eventId: event.event_id}
  })
}

function blob(bytes: number): {Data: Uint8Array} {
  return {Data: Buffer.alloc(bytes, 0x61)}
}

async function post(url: string, target: string | undefined, body: string): Promise<{status: number; type: string | null; body: Record<string, unknown>}> {
  const headers: Record<string, string> = {'Content-Type': 'application/x-amz-json-1.1'}
  if (target) headers['X-Amz-Target'] = target
  const response = await fetch(url, {method: 'POST', headers, body})
  return {status: response.status, type: response.headers.get('x-amzn-errortype'), body: (await response.json()) as Record<string, unknown>}
}

describe('the Firehose API under the AWS SDK', () => {
  it('takes a full batch of 500 records and delivers each one to the lake', async () => {
    const {server, lake} = await devServer()
    const batch = records(500)
    const output = await firehoseClient(server.url).send(new PutRecordBatchCommand({DeliveryStreamName: 'pixel-events', Records: batch.map(({Data}) => ({Data}))}))
    expect(output.FailedPutCount).toBe(0)
    expect(output.Encrypted).toBe(false)
    expect(output.RequestResponses).toHaveLength(500)
    expect(new Set(output.RequestResponses?.map((r) => r.RecordId)).size).toBe(500)
    await server.flush()
    const stored = (await lakeRecords(lake)).map((r) => r.event_id)
    expect(stored.sort()).toEqual(batch.map((r) => r.eventId).sort())
  })

  it('answers PutRecord with a record id and delivers the record', async () => {
    const {server, lake} = await devServer()
    const [record] = records(1)
    const output = await firehoseClient(server.url).send(new PutRecordCommand({DeliveryStreamName: 'pixel-events', Record: {Data: record.Data}}))
    expect(output.RecordId).toMatch(/\S{20,}/)
    await server.flush()
    expect((await lakeRecords(lake)).map((r) => r.event_id)).toEqual([record.eventId])
  })

  it('describes its one stream as an active Direct PUT stream delivering GZIP', async () => {
    const {server} = await devServer({stream: 'demo-stream'})
    const output = await firehoseClient(server.url).send(new DescribeDeliveryStreamCommand({DeliveryStreamName: 'demo-stream'}))
    expect(output.DeliveryStreamDescription).toMatchObject({
      DeliveryStreamName: 'demo-stream',
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'DirectPut',
      HasMoreDestinations: false,
    })
    expect(output.DeliveryStreamDescription?.CreateTimestamp).toBeInstanceOf(Date)
    expect(output.DeliveryStreamDescription?.Destinations?.[0].ExtendedS3DestinationDescription?.CompressionFormat).toBe('GZIP')
  })

  describe.each([
    {limit: 'more than 500 records in a call', batch: () => records(501), error: 'ValidationException', message: /length less than or equal to 500/},
    {limit: 'an empty batch', batch: () => [], error: 'ValidationException', message: /greater than or equal to 1/},
    {limit: 'a record over 1,000 KiB', batch: () => [...records(2), blob(1_024_001)], error: 'ValidationException', message: /records\.3\.member\.data.*less than or equal to 1024000/},
    {limit: 'more than 4 MiB in a call', batch: () => Array.from({length: 5}, () => blob(1_000_000)), error: 'InvalidArgumentException', message: /4 MB/},
  ])('refuses $limit whole', ({batch, error, message}) => {
    it(`with ${error}, storing none of it`, async () => {
      const {server, lake} = await devServer()
      const call = firehoseClient(server.url).send(new PutRecordBatchCommand({DeliveryStreamName: 'pixel-events', Records: batch().map(({Data}) => ({Data}))}))
      const failure = await call.then(() => undefined, (e: unknown) => e as Error & {$metadata: {httpStatusCode?: number}})
      expect(failure?.name).toBe(error)
      expect(failure?.message).toMatch(message)
      expect(failure?.$metadata.httpStatusCode).toBe(400)
      if (error === 'InvalidArgumentException') expect(failure).toBeInstanceOf(InvalidArgumentException)
      await server.flush()
      expect(server.stats().received).toBe(0)
      expect(await lakeRecords(lake)).toEqual([])
    })
  })

  it('takes a record of exactly 1,000 KiB', async () => {
    const {server} = await devServer()
    const output = await firehoseClient(server.url).send(new PutRecordCommand({DeliveryStreamName: 'pixel-events', Record: blob(1_024_000)}))
    expect(output.RecordId).toBeTruthy()
  })

  it('answers a stream it does not have with ResourceNotFoundException', async () => {
    const {server} = await devServer()
    const call = firehoseClient(server.url).send(new PutRecordCommand({DeliveryStreamName: 'no-such-stream', Record: {Data: Buffer.from('{}')}}))
    await expect(call).rejects.toBeInstanceOf(ResourceNotFoundException)
    await expect(call).rejects.toThrow(/no-such-stream .*not found/)
  })

  it('fails a share of the records of a batch under --fail-rate, and stores exactly the others', async () => {
    const {server, lake} = await devServer({failRate: 0.3, random: seededRandom(7)})
    const batch = records(200, 2)
    const output = await firehoseClient(server.url).send(new PutRecordBatchCommand({DeliveryStreamName: 'pixel-events', Records: batch.map(({Data}) => ({Data}))}))
    const failed = output.RequestResponses?.flatMap((r, i) => (r.ErrorCode ? [i] : [])) ?? []
    expect(failed.length).toBeGreaterThan(20)
    expect(failed.length).toBeLessThan(100)
    expect(output.FailedPutCount).toBe(failed.length)
    for (const i of failed) expect(output.RequestResponses?.[i]).toEqual({ErrorCode: 'ServiceUnavailableException', ErrorMessage: expect.any(String)})
    await server.flush()
    const stored = (await lakeRecords(lake)).map((r) => r.event_id).sort()
    expect(stored).toEqual(batch.filter((_, i) => !failed.includes(i)).map((r) => r.eventId).sort())
  })

  it('fails whole calls under --throttle-rate with ServiceUnavailableException (HTTP 503), which the SDK retries', async () => {
    const {server} = await devServer({throttleRate: 1})
    const call = firehoseClient(server.url).send(new PutRecordCommand({DeliveryStreamName: 'pixel-events', Record: {Data: Buffer.from('{}')}}))
    const failure = await call.then(() => undefined, (e: unknown) => e as ServiceUnavailableException)
    expect(failure).toBeInstanceOf(ServiceUnavailableException)
    expect(failure?.$metadata.httpStatusCode).toBe(503)
    expect(server.stats().received).toBe(0)

    // The first call draws under the rate and is throttled, the retry draws over it.
    const draws = [0.1, 0.9]
    const {server: flaky} = await devServer({throttleRate: 0.5, random: () => draws.shift() ?? 0.9})
    const retried = await firehoseClient(flaky.url, 10).send(new PutRecordCommand({DeliveryStreamName: 'pixel-events', Record: {Data: Buffer.from('{}')}}))
    expect(retried.RecordId).toBeTruthy()
    expect(retried.$metadata.attempts).toBe(2)
  })
})

describe('the Firehose API on bad input', () => {
  it.each([
    {input: 'a body that is not JSON', target: 'Firehose_20150804.PutRecord', body: '{"Record":', type: 'SerializationException'},
    {input: 'data that is not base64', target: 'Firehose_20150804.PutRecord', body: '{"DeliveryStreamName":"pixel-events","Record":{"Data":"%%%"}}', type: 'SerializationException'},
    {input: 'no stream name', target: 'Firehose_20150804.PutRecord', body: '{"Record":{"Data":"e30="}}', type: 'ValidationException'},
    {input: 'records that are not a list', target: 'Firehose_20150804.PutRecordBatch', body: '{"DeliveryStreamName":"pixel-events","Records":{}}', type: 'ValidationException'},
    {input: 'an operation it does not offer', target: 'Firehose_20150804.DeleteDeliveryStream', body: '{}', type: 'UnknownOperationException'},
    {input: 'no X-Amz-Target', target: undefined, body: '{}', type: 'UnknownOperationException'},
  ])('answers $input with a 400 $type', async ({target, body, type}) => {
    const {server} = await devServer()
    const answer = await post(server.url, target, body)
    expect(answer).toEqual({status: 400, type, body: {__type: type, message: expect.any(String)}})
    expect(server.stats().received).toBe(0)
  })
})
