import {CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, PutRecordsCommand} from '@aws-sdk/client-kinesis'
import {NodeHttpHandler} from '@smithy/node-http-handler'
import type {KinesisStreamEvent, KinesisStreamRecord} from 'aws-lambda'
import {inject} from 'vitest'

import {MOTO_CREDENTIALS} from '../../../fixtures/test-support/moto-server.js'

let counter = 0

/** A Kinesis client for the run's moto server (HTTP/1.1: moto does not speak the SDK's default HTTP/2). */
export function motoKinesis(): KinesisClient {
  return new KinesisClient({endpoint: inject('s3Endpoint'), region: 'us-east-1', credentials: MOTO_CREDENTIALS, requestHandler: new NodeHttpHandler()})
}

/**
 * Creates a stream of its own on moto and puts `lines` into it, in order, with the partition key
 * `partitionKey(i)`; returns the stream's name.
 *
 * @example const stream = await streamHolding(kinesis, lines, {shards: 2})
 */
export async function streamHolding(kinesis: KinesisClient, lines: readonly string[], options: {shards?: number; partitionKey?: (i: number) => string} = {}): Promise<string> {
  const name = `pixel-${process.pid}-${++counter}`
  await kinesis.send(new CreateStreamCommand({StreamName: name, ShardCount: options.shards ?? 1}))
  for (let start = 0; start < lines.length; start += 500) {
    const answer = await kinesis.send(new PutRecordsCommand({
      StreamName: name,
      Records: lines.slice(start, start + 500).map((line, i) => ({Data: Buffer.from(line), PartitionKey: options.partitionKey?.(start + i) ?? `k${start + i}`})),
    }))
    if (answer.FailedRecordCount) throw new Error(`moto refused ${answer.FailedRecordCount} records`)
  }
  return name
}

/**
 * Every record of every shard of `stream`, read from the start with GetRecords, shaped as
 * Lambda's event source mapping hands them to a function, shard by shard.
 *
 * @example const [shard0] = await lambdaRecordsOf(kinesis, stream)
 */
export async function lambdaRecordsOf(kinesis: KinesisClient, stream: string): Promise<KinesisStreamRecord[][]> {
  const {Shards = []} = await kinesis.send(new ListShardsCommand({StreamName: stream}))
  const arn = `arn:aws:kinesis:us-east-1:123456789012:stream/${stream}`
  const out: KinesisStreamRecord[][] = []
  for (const shard of Shards) {
    let iterator = (await kinesis.send(new GetShardIteratorCommand({StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON'}))).ShardIterator
    const records: KinesisStreamRecord[] = []
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ShardIterator: iterator, Limit: 1000}))
      for (const r of page.Records ?? []) {
        records.push({
          awsRegion: 'us-east-1',
          eventID: `${shard.ShardId}:${r.SequenceNumber}`,
          eventName: 'aws:kinesis:record',
          eventSource: 'aws:kinesis',
          eventSourceARN: arn,
          eventVersion: '1.0',
          invokeIdentityArn: 'arn:aws:iam::123456789012:role/pixel-consumer',
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: r.PartitionKey!,
            sequenceNumber: r.SequenceNumber!,
            data: Buffer.from(r.Data!).toString('base64'),
            approximateArrivalTimestamp: r.ApproximateArrivalTimestamp!.getTime() / 1000,
          },
        })
      }
      if ((page.Records ?? []).length === 0 || page.MillisBehindLatest === 0) break
      iterator = page.NextShardIterator
    }
    out.push(records)
  }
  return out
}

/** The Lambda event of one batch. */
export function kinesisEvent(records: readonly KinesisStreamRecord[]): KinesisStreamEvent {
  return {Records: [...records]}
}

/**
 * `records` cut into consecutive batches at `boundaries` (indexes where a batch starts), as an
 * event source mapping cuts a shard.
 *
 * @example batches(records, [0, 4, 9]) // [records 0-3, 4-8, 9-]
 */
export function batches<T>(records: readonly T[], boundaries: readonly number[]): T[][] {
  const starts = [...boundaries].sort((a, b) => a - b)
  return starts.map((start, i) => records.slice(start, starts[i + 1] ?? records.length)).filter((batch) => batch.length > 0)
}
