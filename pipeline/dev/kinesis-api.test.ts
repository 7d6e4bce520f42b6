import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ProvisionedThroughputExceededException,
  PutRecordCommand,
  PutRecordsCommand,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-kinesis'
import {NodeHttpHandler} from '@smithy/node-http-handler'
import {afterEach, describe, expect, it} from 'vitest'

import {runCheck} from '../../checks/run-check.js'
import {compileValidator, loadSchema} from '../../checks/schema/record-validator.js'
import {pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom} from '../../fixtures/random.js'
import {parseObjectKey} from '../../lake/layout/object-key.js'
import {hourScope} from '../../lake/scope.js'
import {createKinesisApi} from './kinesis-api.js'
import {DevStream} from './kinesis-stream.js'
import {devServer, lakeObjects, lakeRecords} from './test-support/dev-server-fixture.js'

const clients: KinesisClient[] = []
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})

/** The unmodified SDK client, over HTTP/1.1 (its default is HTTP/2, which pixel dev does not speak). */
function kinesisClient(url: string): KinesisClient {
  const client = new KinesisClient({endpoint: url, region: 'us-east-1', credentials: {accessKeyId: 'x', secretAccessKey: 'x'}, maxAttempts: 1, requestHandler: new NodeHttpHandler()})
  clients.push(client)
  return client
}

const HOUR = '2026-11-28T09'

/** `n` schema-valid records of HOUR, one JSON line each, as the handler sends them. */
function lines(n: number, seed = 1): {Data: Uint8Array; PartitionKey: string}[] {
  const rand = seededRandom(seed)
  return Array.from({length: n}, (_, i) => {
    const event = pixelEvent(rand, new Date(Date.UTC(2026, 10, 28, 9, 0, i)))
    return {Data: Buffer.from(`${JSON.stringify(event)}\n`), PartitionKey: event.event_id}
  })
}

async function readAll(client: KinesisClient, shardId: string, type: 'TRIM_HORIZON' | 'LATEST' = 'TRIM_HORIZON') {
  const {ShardIterator} = await client.send(new GetShardIteratorCommand({StreamName: 'pixel-events', ShardId: shardId, ShardIteratorType: type}))
  const out = []
  let iterator = ShardIterator
  for (let pages = 0; iterator && pages < 100; pages++) {
    const page = await client.send(new GetRecordsCommand({ShardIterator: iterator, Limit: 7}))
    out.push(...(page.Records ?? []))
    if (page.MillisBehindLatest === 0 && (page.Records ?? []).length === 0) break
    iterator = page.NextShardIterator
  }
  return out
}

describe('the Kinesis API under the AWS SDK (pixel dev, beside the Firehose API)', () => {
  it('puts records and gives them back from every shard, in order, with growing sequence numbers', async () => {
    const {server} = await devServer({shards: 3, batchWindowSeconds: 300})
    const client = kinesisClient(server.url)
    const sent = lines(40)
    const put = await client.send(new PutRecordsCommand({StreamName: 'pixel-events', Records: sent}))
    expect(put.FailedRecordCount).toBe(0)
    const one = await client.send(new PutRecordCommand({StreamName: 'pixel-events', PartitionKey: 'single', Data: Buffer.from('{"x":1}\n')}))
    expect(one.SequenceNumber).toMatch(/^\d{56}$/)

    const {Shards = []} = await client.send(new ListShardsCommand({StreamName: 'pixel-events'}))
    expect(Shards.map((s) => s.ShardId)).toEqual(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002'])
    const read = []
    for (const shard of Shards) {
      const records = await readAll(client, shard.ShardId!)
      const numbers = records.map((r) => BigInt(r.SequenceNumber!))
      expect(numbers).toEqual([...numbers].sort((a, b) => (a < b ? -1 : 1)))
      read.push(...records)
    }
    expect(read).toHaveLength(41)
    expect(new Set(read.map((r) => Buffer.from(r.Data!).toString()))).toEqual(new Set([...sent.map((s) => Buffer.from(s.Data).toString()), '{"x":1}\n']))
    // The same partition key always goes to the same shard, spread over the shards by its MD5.
    const byShard = new Set(put.Records!.map((r) => r.ShardId))
    expect(byShard.size).toBeGreaterThan(1)
  })

  it('describes the stream with its shards and hash key ranges covering the whole space', async () => {
    const {server} = await devServer({shards: 2})
    const {StreamDescription} = await kinesisClient(server.url).send(new DescribeStreamCommand({StreamName: 'pixel-events'}))
    expect(StreamDescription).toMatchObject({StreamName: 'pixel-events', StreamStatus: 'ACTIVE', RetentionPeriodHours: 24})
    const ranges = StreamDescription!.Shards!.map((s) => [BigInt(s.HashKeyRange!.StartingHashKey!), BigInt(s.HashKeyRange!.EndingHashKey!)])
    expect(ranges[0][0]).toBe(0n)
    expect(ranges[1][0]).toBe(ranges[0][1] + 1n)
    expect(ranges[1][1]).toBe((1n << 128n) - 1n)
  })

  it.each([
    ['AT_SEQUENCE_NUMBER', 2, 2],
    ['AFTER_SEQUENCE_NUMBER', 2, 3],
  ] as const)('starts an %s iterator at the right record', async (type, at, first) => {
    const {server} = await devServer({batchWindowSeconds: 300})
    const client = kinesisClient(server.url)
    const put = await client.send(new PutRecordsCommand({StreamName: 'pixel-events', Records: lines(5)}))
    const {ShardIterator} = await client.send(new GetShardIteratorCommand({StreamName: 'pixel-events', ShardId: 'shardId-000000000000', ShardIteratorType: type, StartingSequenceNumber: put.Records![at].SequenceNumber}))
    const page = await client.send(new GetRecordsCommand({ShardIterator}))
    expect(page.Records![0].SequenceNumber).toBe(put.Records![first].SequenceNumber)
  })

  it('starts an AT_TIMESTAMP iterator at the first record that arrived at or after the time', async () => {
    let clock = Date.parse('2026-11-28T09:00:00Z')
    const stream = new DevStream({name: 'pixel-events', now: () => new Date(clock)})
    const api = createKinesisApi({stream, now: () => new Date(clock)})
    const call = (op: string, input: unknown) => JSON.parse(api(`Kinesis_20131202.${op}`, Buffer.from(JSON.stringify(input))).body) as Record<string, never>
    for (let i = 0; i < 4; i++) {
      call('PutRecord', {StreamName: 'pixel-events', PartitionKey: `k${i}`, Data: Buffer.from(`r${i}`).toString('base64')})
      clock += 60_000
    }
    const {ShardIterator} = call('GetShardIterator', {StreamName: 'pixel-events', ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: Date.parse('2026-11-28T09:01:30Z') / 1000})
    const {Records} = call('GetRecords', {ShardIterator}) as unknown as {Records: {Data: string; ApproximateArrivalTimestamp: number}[]}
    expect(Records.map((r) => Buffer.from(r.Data, 'base64').toString())).toEqual(['r2', 'r3'])
    expect(Records[0].ApproximateArrivalTimestamp).toBe(Date.parse('2026-11-28T09:02:00Z') / 1000)
  })

  it('answers a LATEST iterator with nothing until new records come', async () => {
    const {server} = await devServer({batchWindowSeconds: 300})
    const client = kinesisClient(server.url)
    await client.send(new PutRecordsCommand({StreamName: 'pixel-events', Records: lines(3)}))
    const {ShardIterator} = await client.send(new GetShardIteratorCommand({StreamName: 'pixel-events', ShardId: 'shardId-000000000000', ShardIteratorType: 'LATEST'}))
    expect((await client.send(new GetRecordsCommand({ShardIterator}))).Records).toEqual([])
  })

  it.each([
    ['another stream', () => new PutRecordCommand({StreamName: 'other', PartitionKey: 'k', Data: Buffer.from('x')}), ResourceNotFoundException],
    ['more than 500 records', () => new PutRecordsCommand({StreamName: 'pixel-events', Records: Array.from({length: 501}, () => ({PartitionKey: 'k', Data: Buffer.from('x')}))}), ValidationException],
    ['a record over 1 MiB', () => new PutRecordCommand({StreamName: 'pixel-events', PartitionKey: 'k', Data: Buffer.alloc(1024 * 1024 + 1)}), ValidationException],
    ['a partition key over 256 characters', () => new PutRecordCommand({StreamName: 'pixel-events', PartitionKey: 'k'.repeat(257), Data: Buffer.from('x')}), ValidationException],
  ])('refuses %s with the service\'s error', async (_what, command, type) => {
    const {server} = await devServer()
    await expect(kinesisClient(server.url).send(command() as never)).rejects.toBeInstanceOf(type)
  })

  it('throttles puts under --throttle-rate, as ProvisionedThroughputExceededException', async () => {
    const {server} = await devServer({throttleRate: 1})
    await expect(kinesisClient(server.url).send(new PutRecordCommand({StreamName: 'pixel-events', PartitionKey: 'k', Data: Buffer.from('x')}))).rejects.toBeInstanceOf(ProvisionedThroughputExceededException)
  })

  it('fails single records of a PutRecords under --fail-rate, naming each', async () => {
    let calls = 0
    const {server} = await devServer({failRate: 0.5, random: () => (calls++ % 2 === 0 ? 0.9 : 0.1)})
    const put = await kinesisClient(server.url).send(new PutRecordsCommand({StreamName: 'pixel-events', Records: lines(4)}))
    expect(put.FailedRecordCount).toBe(2)
    expect(put.Records!.map((r) => r.ErrorCode ?? 'ok')).toEqual(['ok', 'ProvisionedThroughputExceededException', 'ok', 'ProvisionedThroughputExceededException'])
  })

  it('refuses an iterator older than 5 minutes, as ExpiredIteratorException', async () => {
    let clock = Date.parse('2026-11-28T09:00:00Z')
    const stream = new DevStream({name: 'pixel-events'})
    const api = createKinesisApi({stream, now: () => new Date(clock)})
    const {ShardIterator} = JSON.parse(api('Kinesis_20131202.GetShardIterator', Buffer.from(JSON.stringify({StreamName: 'pixel-events', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON'}))).body) as {ShardIterator: string}
    clock += 5 * 60_000 + 1
    const answer = api('Kinesis_20131202.GetRecords', Buffer.from(JSON.stringify({ShardIterator})))
    expect([answer.status, answer.headers['x-amzn-ErrorType']]).toEqual([400, ExpiredIteratorException.name])
  })
})

describe('pixel dev --ingest kinesis', () => {
  it('takes hits through the pixel into the stream, and its consumer writes a lake pixel check passes', async () => {
    const {server, lake} = await devServer({ingest: 'kinesis', shards: 2, batchSize: 5, batchWindowSeconds: 300})
    const ids: string[] = []
    for (let i = 0; i < 12; i++) {
      const response = await fetch(`${server.pixelUrl}?b=docs&c=launch&n=${i}`, {headers: {'User-Agent': 'Mozilla/5.0 test', Referer: 'https://example.org/'}})
      expect(response.status).toBe(200)
      const id = response.headers.get('x-pixel-dev-event-id')
      expect(id).toMatch(/^[0-9a-f-]{36}$/)
      ids.push(id!)
    }
    await server.flush()
    const records = await lakeRecords(lake)
    expect(records.map((r) => r.event_id).sort()).toEqual([...ids].sort())
    const keys = (await lakeObjects(lake)).map((o) => parseObjectKey(o.key))
    expect(keys.every((k) => k?.form === 'kinesis' && k.stream === 'pixel-events')).toBe(true)
    const hour = keys[0]!.hour
    const report = await runCheck({lake, scope: hourScope(hour), validator: compileValidator(await loadSchema()), now: new Date(Date.parse(`${hour}:00:00Z`) + 2 * 3_600_000)})
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([])
    expect(report.summary).toMatchObject({records: 12, duplicateRecords: 0})
    expect(server.stats()).toMatchObject({received: 12, landed: 12})
  })

  it('writes a batch once it holds BatchSize records, without waiting for the window', async () => {
    const {server, lake} = await devServer({batchSize: 10, batchWindowSeconds: 300})
    const client = kinesisClient(server.url)
    await client.send(new PutRecordsCommand({StreamName: 'pixel-events', Records: lines(25)}))
    await expect.poll(async () => (await lakeRecords(lake)).length, {timeout: 10_000}).toBe(20)
    // The five left wait for the window, or for the flush at shutdown.
    expect(server.stats().landed).toBe(20)
    await server.close()
    expect((await lakeRecords(lake)).length).toBe(25)
  })

  it('writes a smaller batch when the batching window has passed since its first record', async () => {
    const {server, lake} = await devServer({batchSize: 1000, batchWindowSeconds: 2})
    const sent = Date.now()
    await kinesisClient(server.url).send(new PutRecordsCommand({StreamName: 'pixel-events', Records: lines(3)}))
    await expect.poll(async () => (await lakeRecords(lake)).length, {timeout: 15_000}).toBe(3)
    expect(Date.now() - sent).toBeGreaterThanOrEqual(2000)
  })

  it('retries a batch the lake refused, and stores each record once', async () => {
    const {tempLake} = await import('../../fixtures/test-support/temp-lake.js')
    const real = tempLake()
    let refusals = 2
    const flaky = Object.assign(Object.create(real) as typeof real, {
      write: async (key: string, body: Uint8Array) => {
        if (refusals-- > 0) throw new Error('injected: the disk is full')
        return real.write(key, body)
      },
    })
    const {server} = await devServer({lake: flaky, batchSize: 4, batchWindowSeconds: 0})
    await kinesisClient(server.url).send(new PutRecordsCommand({StreamName: 'pixel-events', Records: lines(8)}))
    await expect.poll(() => server.stats().landed, {timeout: 15_000}).toBe(8)
    const records = await lakeRecords(real)
    expect(records).toHaveLength(8)
    expect(new Set(records.map((r) => r.event_id)).size).toBe(8)
  })
})
