import {GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, type Shard} from '@aws-sdk/client-kinesis'
import {NodeHttpHandler} from '@smithy/node-http-handler'

import {HOUR_MS, hourStart} from '../lake/scope.js'
import {ReplaySourceError} from './errors.js'
import {isLoopbackEndpoint, withLoopbackFallback} from './firehose-sender.js'

/** A `--from kinesis://STREAM`, resolved: the stream and a client that reaches it. */
export interface KinesisSource {
  readonly kind: 'kinesis'
  readonly spec: string
  readonly stream: string
  readonly client: KinesisClient
}

/** One record of the stream, with where it came from. */
export interface StreamedRecord {
  readonly data: Buffer
  /** `kinesis://STREAM/shardId-000000000000/<sequence number>`, for reports. */
  readonly origin: string
}

const SPEC = /^kinesis:\/\/([A-Za-z0-9_.-]{1,128})\/?$/
/** How far before the hour reading starts by default: a record's ts is its receive time, which may run ahead of Kinesis's clock. */
export const KINESIS_START_BEFORE_HOUR_MS = 15 * 60_000
const PAGE_LIMIT = 10_000
/** GetRecords answers at most 5 calls a second per shard; an empty page behind the tip is read again after this. */
const EMPTY_PAGE_WAIT_MS = 250

/**
 * The stream named by `kinesis://STREAM`, or undefined when `spec` is not one.
 *
 * @example kinesisStreamOf('kinesis://pixel-events') // 'pixel-events'
 */
export function kinesisStreamOf(spec: string): string | undefined {
  if (!spec.startsWith('kinesis://')) return undefined
  const match = SPEC.exec(spec)
  if (!match) throw new ReplaySourceError(`--from ${spec} is not a Kinesis stream: use kinesis://STREAM (a stream name of letters, digits, ".", "_" and "-")`)
  return match[1]
}

/**
 * A client for Kinesis over HTTP/1.1 (the SDK's default for Kinesis is HTTP/2, which neither
 * pixel dev nor moto speaks, and replay needs none of its streaming), with the loopback
 * stand-in credentials as the Firehose client has them.
 */
export function kinesisClient(options: {endpointUrl?: string; region?: string; profile?: string}): KinesisClient {
  const endpoint = options.endpointUrl ?? process.env.AWS_ENDPOINT_URL_KINESIS ?? undefined
  const config = {
    profile: options.profile,
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined),
    endpoint,
    // GetRecords is throttled at 5 calls a second per shard: the standard strategy backs off.
    maxAttempts: 8,
    requestHandler: new NodeHttpHandler({connectionTimeout: 5_000, requestTimeout: 60_000}),
  }
  if (options.profile || !isLoopbackEndpoint(endpoint)) return new KinesisClient(config)
  const probe = new KinesisClient(config)
  const credentials = withLoopbackFallback(probe.config.credentials)
  probe.destroy()
  return new KinesisClient({...config, credentials})
}

/** One line for a Kinesis failure: what failed and what to do. */
function explain(error: unknown, doing: string): ReplaySourceError {
  const e = error as {name?: string; message?: string; code?: string}
  let hint = ''
  if (e.name === 'ResourceNotFoundException') hint = ': check the stream name, --region and --kinesis-endpoint-url'
  else if (e.name === 'CredentialsProviderError' || /credential/i.test(e.message ?? '')) hint = ': set AWS credentials, --profile or AWS_PROFILE'
  else if (e.name === 'AccessDeniedException') hint = ': the credentials may not read this stream (kinesis:ListShards, GetShardIterator, GetRecords)'
  else if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.name === 'TimeoutError') hint = ': check --kinesis-endpoint-url, --region and the network'
  const detail = (e.message ?? '').split('\n')[0].slice(0, 200)
  return new ReplaySourceError(`cannot ${doing}: ${e.name ?? e.code ?? 'error'}${detail && detail !== e.name ? ` (${detail})` : ''}${hint}`, {cause: error})
}

/** Every shard of the stream, closed parents of a resharding included, page by page. */
async function shardsOf(source: KinesisSource): Promise<Shard[]> {
  const shards: Shard[] = []
  let token: string | undefined
  try {
    do {
      const page = await source.client.send(new ListShardsCommand(token ? {NextToken: token} : {StreamName: source.stream}))
      shards.push(...(page.Shards ?? []))
      token = page.NextToken
    } while (token)
  } catch (error) {
    throw explain(error, `list the shards of ${source.spec}`)
  }
  return shards
}

/** Checks that the stream can be listed, so that a wrong name stops the replay before anything is read. */
export async function assertKinesisSource(source: KinesisSource): Promise<void> {
  await shardsOf(source)
}

/**
 * The stream's records from `start` on (GetShardIterator AT_TIMESTAMP on every shard, then
 * GetRecords until the shard is caught up with its tip, or closed), shard after shard, streamed.
 *
 * @example for await (const record of streamRecords(source, new Date('2026-02-10T04:45:00Z'))) ...
 */
export async function* streamRecords(source: KinesisSource, start: Date, signal?: AbortSignal): AsyncGenerator<StreamedRecord> {
  for (const shard of await shardsOf(source)) {
    let iterator: string | undefined
    try {
      iterator = (await source.client.send(new GetShardIteratorCommand({StreamName: source.stream, ShardId: shard.ShardId, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: start}))).ShardIterator
    } catch (error) {
      throw explain(error, `read ${source.spec} from ${start.toISOString()}`)
    }
    while (iterator && !signal?.aborted) {
      let page
      try {
        page = await source.client.send(new GetRecordsCommand({ShardIterator: iterator, Limit: PAGE_LIMIT}), {abortSignal: signal})
      } catch (error) {
        if (signal?.aborted) return
        throw explain(error, `read ${source.spec} (${shard.ShardId})`)
      }
      for (const record of page.Records ?? []) {
        yield {data: Buffer.from(record.Data ?? new Uint8Array()), origin: `${source.spec.replace(/\/$/, '')}/${shard.ShardId}/${record.SequenceNumber}`}
      }
      const count = (page.Records ?? []).length
      // Caught up with the tip: what arrives from now on is not the past this replay rebuilds. (A
      // full page may still be followed by more where the service rounds its lag down to 0.)
      if ((page.MillisBehindLatest === 0 && count < PAGE_LIMIT) || (page.MillisBehindLatest === undefined && count === 0)) break
      iterator = page.NextShardIterator
      if (count === 0) await new Promise((resolve) => setTimeout(resolve, EMPTY_PAGE_WAIT_MS))
    }
  }
}

/**
 * Where a replay of `hour` starts reading a stream by default: a quarter of an hour before the
 * hour begins, since a record's ts may run ahead of the time Kinesis took it.
 *
 * @example defaultKinesisStart('2026-02-10T05') // 2026-02-10T04:45:00.000Z
 */
export function defaultKinesisStart(hour: string): Date {
  return new Date(hourStart(hour) - KINESIS_START_BEFORE_HOUR_MS)
}

/**
 * Whether a record (its data) is known to belong to another hour than `hour`: JSON whose `ts`
 * is a time outside it. Such records of a stream are passed over, not counted: a stream holds
 * every hour, and only this one is being rebuilt. Anything else is read (and judged) as usual.
 */
export function ofAnotherHour(data: Buffer, hour: string): boolean {
  let ts: unknown
  try {
    ts = (JSON.parse(data.toString('utf8')) as {ts?: unknown})?.ts
  } catch {
    return false
  }
  if (typeof ts !== 'string') return false
  const at = Date.parse(ts)
  if (Number.isNaN(at)) return false
  const from = hourStart(hour)
  return at < from || at >= from + HOUR_MS
}
