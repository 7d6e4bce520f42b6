import {DescribeDeliveryStreamCommand, type DescribeDeliveryStreamCommandOutput, FirehoseClient, PutRecordBatchCommand, type PutRecordBatchCommandOutput} from '@aws-sdk/client-firehose'
import {ReplayTargetError} from './errors.js'

/** Firehose's Direct PUT limits (bytes before base64). */
export const FIREHOSE_BATCH_LIMITS = {records: 500, bytes: 4 * 1024 * 1024, recordBytes: 1_000 * 1024} as const

/** A record ready to send: its id (for the ledger) and its bytes (one JSON line). */
export interface OutgoingRecord {
  id: string
  data: Buffer
}

/** The part of the SDK client the sender uses, so any Firehose client (or a wrapper) fits. */
export interface FirehoseLike {
  send(command: PutRecordBatchCommand | DescribeDeliveryStreamCommand, options?: {abortSignal?: AbortSignal}): Promise<unknown>
}

export interface FirehoseSendOptions {
  client: FirehoseLike
  stream: string
  /** Calls in flight at once. @default 4 */
  concurrency?: number
  /** Records per second, retries included; undefined sends as fast as the target takes them. */
  rate?: number
  /** Tries per record before it counts as failed. @default 10 */
  maxAttempts?: number
  /** The first backoff's ceiling; each retry doubles it, up to `maxDelayMs`. @default 100 */
  baseDelayMs?: number
  /** @default 5000 */
  maxDelayMs?: number
  /** @default Math.random */
  random?: () => number
  /** Stops taking new batches; calls in flight finish and are acknowledged. */
  signal?: AbortSignal
  /** Called with the records the target acknowledged, before the sender goes on; awaited. */
  onAcknowledged: (records: OutgoingRecord[]) => Promise<void>
}

export interface FirehoseSendResult {
  sent: number
  failed: number
  /** Why records failed, with how many: the last error code each got, or `interrupted`. */
  failures: Record<string, number>
}

// Errors of the whole call worth another try: nothing of it was taken.
const RETRYABLE = new Set(['ServiceUnavailableException', 'ThrottlingException', 'LimitExceededException', 'InternalFailure', 'InternalServerError', 'RequestTimeout'])
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH'])
// Errors that no retry and no other batch can get past: stop the replay.
const FATAL = new Set(['ResourceNotFoundException', 'AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'InvalidClientTokenId'])

/**
 * The failure reason of records whose call got no answer in time: not in the ledger, so a
 * later run sends them again unless the lake already holds them (run it after the stream's
 * buffer has flushed, with --lake, and those that landed are skipped).
 */
export const UNANSWERED = 'no answer in time (maybe delivered)'

/** How long the replay waits on Firehose: to connect, and for a whole call. */
export const FIREHOSE_TIMEOUTS = {connectTimeoutMs: 5_000, requestTimeoutMs: 30_000} as const

type SdkError = Error & {code?: string; $metadata?: {httpStatusCode?: number}}

function errorName(error: SdkError): string {
  return error.code && NETWORK.has(error.code) ? error.code : error.name
}

/**
 * A call that timed out after it was sent: Firehose may have taken its records, so sending them
 * again could land them twice. Only a timeout before the connection was made proves it was not.
 */
function unanswered(error: SdkError): boolean {
  return error.name === 'TimeoutError' && !/did not establish a connection/.test(error.message)
}

function retryable(error: SdkError): boolean {
  const status = error.$metadata?.httpStatusCode
  if (error.name === 'TimeoutError') return !unanswered(error)
  return RETRYABLE.has(error.name) || (error.code !== undefined && NETWORK.has(error.code)) || status === 429 || (status !== undefined && status >= 500)
}

/**
 * Cuts records into PutRecordBatch calls within Firehose's limits: at most `maxRecords` records
 * and 4 MiB each. Records over 1,000 KiB must be left out before (Firehose refuses the call).
 *
 * @example batches(records, 500).length // 3 for 1,200 small records
 */
export function batches(records: readonly OutgoingRecord[], maxRecords: number = FIREHOSE_BATCH_LIMITS.records): OutgoingRecord[][] {
  const out: OutgoingRecord[][] = []
  let batch: OutgoingRecord[] = []
  let bytes = 0
  for (const record of records) {
    if (batch.length >= maxRecords || (batch.length > 0 && bytes + record.data.length > FIREHOSE_BATCH_LIMITS.bytes)) {
      out.push(batch)
      batch = []
      bytes = 0
    }
    batch.push(record)
    bytes += record.data.length
  }
  if (batch.length > 0) out.push(batch)
  return out
}

/** Paces records to `rate` a second across every caller: each takes its slot in turn. */
function pacer(rate: number | undefined) {
  let next = 0
  return async (records: number, signal?: AbortSignal) => {
    if (!rate) return
    const now = Date.now()
    const at = Math.max(now, next)
    next = at + (records * 1000) / rate
    if (at > now) await sleep(at - now, signal)
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, {once: true})
  })
}

/**
 * Sends records to a Firehose delivery stream with PutRecordBatch: bounded concurrency and rate;
 * on a partial failure only the failed records are tried again, and a throttled or failed call
 * is tried again whole, each time after an exponential backoff with full jitter. Records are
 * acknowledged (`onAcknowledged`) as the target takes them, never twice.
 *
 * @example const {sent, failed} = await sendToFirehose(records, {client, stream: 'pixel-events', onAcknowledged: (r) => ledger.append(r.map((x) => x.id), id, hour)})
 */
export async function sendToFirehose(records: readonly OutgoingRecord[], options: FirehoseSendOptions): Promise<FirehoseSendResult> {
  const {client, stream, signal} = options
  const maxAttempts = options.maxAttempts ?? 10
  const base = options.baseDelayMs ?? 100
  const cap = options.maxDelayMs ?? 5000
  const random = options.random ?? Math.random
  const pace = pacer(options.rate)
  // Under a low rate, small batches: a batch never holds more than a second's worth.
  const perBatch = options.rate ? Math.max(1, Math.min(FIREHOSE_BATCH_LIMITS.records, Math.floor(options.rate))) : FIREHOSE_BATCH_LIMITS.records
  const queue = batches(records, perBatch)
  const result: FirehoseSendResult = {sent: 0, failed: 0, failures: {}}
  const fail = (count: number, reason: string) => {
    result.failed += count
    result.failures[reason] = (result.failures[reason] ?? 0) + count
  }

  const sendBatch = async (batch: OutgoingRecord[]) => {
    let pending = batch
    let reason = 'unknown'
    for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) await sleep(random() * Math.min(cap, base * 2 ** (attempt - 2)), signal)
      if (signal?.aborted) return fail(pending.length, 'interrupted')
      await pace(pending.length, signal)
      if (signal?.aborted) return fail(pending.length, 'interrupted')
      let output: PutRecordBatchCommandOutput
      try {
        output = (await client.send(new PutRecordBatchCommand({DeliveryStreamName: stream, Records: pending.map((r) => ({Data: r.data}))}))) as PutRecordBatchCommandOutput
      } catch (error) {
        const e = error as SdkError
        if (FATAL.has(e.name)) throw new ReplayTargetError(`Firehose refused the replay: ${e.name}: ${e.message}`, {cause: error})
        reason = unanswered(e) ? UNANSWERED : errorName(e)
        if (!retryable(e)) return fail(pending.length, reason)
        continue
      }
      const responses = output.RequestResponses ?? []
      const acknowledged: OutgoingRecord[] = []
      const failed: OutgoingRecord[] = []
      pending.forEach((record, i) => {
        const answer = responses[i]
        // No answer for a record cannot prove it was taken: treat it as failed.
        if (answer && !answer.ErrorCode && answer.RecordId !== undefined) acknowledged.push(record)
        else {
          failed.push(record)
          reason = answer?.ErrorCode ?? 'no answer for the record'
        }
      })
      if (acknowledged.length > 0) {
        await options.onAcknowledged(acknowledged)
        result.sent += acknowledged.length
      }
      pending = failed
    }
    if (pending.length > 0) fail(pending.length, reason)
  }

  let next = 0
  const worker = async () => {
    while (next < queue.length) {
      const batch = queue[next++]
      if (signal?.aborted) fail(batch.length, 'interrupted')
      else await sendBatch(batch)
    }
  }
  await Promise.all(Array.from({length: Math.max(1, Math.min(options.concurrency ?? 4, queue.length))}, worker))
  return result
}

/**
 * Checks that the delivery stream exists and the endpoint answers, so a wrong name or URL fails
 * at once, with one line, before anything is sent; returns the stream's ARN (region and account).
 *
 * @example const {arn} = await assertStream(client, 'pixel-events')
 */
export async function assertStream(client: FirehoseLike, stream: string): Promise<{arn?: string}> {
  try {
    const output = (await client.send(new DescribeDeliveryStreamCommand({DeliveryStreamName: stream}))) as DescribeDeliveryStreamCommandOutput
    return {arn: output.DeliveryStreamDescription?.DeliveryStreamARN}
  } catch (error) {
    const e = error as SdkError
    const why = e.name === 'TimeoutError' ? 'the endpoint did not answer in time (--request-timeout): check --endpoint-url, --region and the network' : `${errorName(e)}: ${e.message}`
    throw new ReplayTargetError(`cannot reach Firehose delivery stream ${stream}: ${why}`, {cause: error})
  }
}

/** True for an endpoint on this machine (127.0.0.0/8, ::1, localhost), such as pixel dev's. */
export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false
  try {
    const host = new URL(endpoint).hostname
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
  } catch {
    return false
  }
}

/**
 * What the replay signs with when the endpoint is on this machine and the SDK's chain finds no
 * credentials: pixel dev (and moto) accept any. Not a secret, and never sent off the machine.
 */
export const LOOPBACK_CREDENTIALS = {accessKeyId: 'pixel-dev', secretAccessKey: 'pixel-dev'} as const

/**
 * The SDK's own credential chain (taken from a client built for it), with LOOPBACK_CREDENTIALS
 * after it when it finds none: for a client of an endpoint on this machine.
 *
 * @example new KinesisClient({...config, credentials: withLoopbackFallback(probe.config.credentials)})
 */
export function withLoopbackFallback<P>(chain: (properties?: P) => Promise<{accessKeyId: string; secretAccessKey: string}>) {
  return async (properties?: P) => {
    try {
      return await chain(properties)
    } catch (error) {
      if ((error as Error).name === 'CredentialsProviderError') return {...LOOPBACK_CREDENTIALS}
      throw error
    }
  }
}

/**
 * The SDK client for the replay. Retries are the sender's own (only failed records), so the
 * SDK's are off. For an endpoint on this machine (pixel dev) without a profile, credentials
 * come from the SDK's chain as usual, and when it finds none, from LOOPBACK_CREDENTIALS, so that
 * a replay into pixel dev needs no AWS account.
 *
 * @example const client = firehoseClient({endpointUrl: 'http://127.0.0.1:4573'})
 */
export function firehoseClient(options: {endpointUrl?: string; region?: string; profile?: string; requestTimeoutMs?: number}): FirehoseClient {
  const endpoint = options.endpointUrl ?? process.env.AWS_ENDPOINT_URL_FIREHOSE ?? undefined
  const config = {
    profile: options.profile,
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined),
    endpoint,
    maxAttempts: 1,
    // Without these an endpoint that stops answering holds a call, and the replay, forever.
    requestHandler: {
      connectionTimeout: FIREHOSE_TIMEOUTS.connectTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? FIREHOSE_TIMEOUTS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  }
  if (options.profile || !isLoopbackEndpoint(endpoint)) return new FirehoseClient(config)
  const probe = new FirehoseClient(config)
  const credentials = withLoopbackFallback(probe.config.credentials)
  probe.destroy()
  return new FirehoseClient({...config, credentials})
}
