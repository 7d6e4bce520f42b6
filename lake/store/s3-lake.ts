import {DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, paginateListObjectsV2} from '@aws-sdk/client-s3'
import {LakeUnreachableError, ObjectVanishedError} from '../errors.js'
import type {Lake, LakeObject} from './lake.js'

/** How to reach S3; every field falls back to the SDK's own chain (env, shared config, IMDS). */
export interface S3Options {
  profile?: string
  region?: string
  /** An S3-compatible server (MinIO, s3rver, moto); switches to path-style addressing. */
  endpointUrl?: string
  /** Sockets kept open at once, matching the check's read concurrency. @default 16 */
  maxSockets?: number
  /** Keys asked for per ListObjectsV2 page. @default 1000 */
  listPageSize?: number
  /** Milliseconds to open a connection before the attempt is abandoned (and retried). @default 5000 */
  connectTimeoutMs?: number
  /** Milliseconds from sending a request to its answer's headers before the attempt is abandoned. @default 60000 */
  requestTimeoutMs?: number
  /** Milliseconds a connection may stay silent, mid-answer included, before the attempt is abandoned. @default 30000 */
  idleTimeoutMs?: number
  /** Tries per request, the first included, on throttling, 5xx answers, timeouts and dropped connections. @default 5 */
  maxAttempts?: number
}

/** The defaults of the per-request limits; a stalled endpoint costs at most about attempts x idle. */
export const S3_TIMEOUTS = {connectTimeoutMs: 5_000, requestTimeoutMs: 60_000, idleTimeoutMs: 30_000, maxAttempts: 5}

function isTimeout(error: unknown): boolean {
  const e = error as {name?: string; code?: string}
  return e.name === 'TimeoutError' || e.code === 'ETIMEDOUT' || e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.code === 'ECONNABORTED'
}

/** Splits `s3://bucket/some/prefix` into the bucket and a prefix that ends with `/` (or is empty). */
export function parseS3Url(url: string): {bucket: string; prefix: string} {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url)
  if (!match || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(match[1])) {
    throw new LakeUnreachableError(`lake "${url}" is not an S3 URL: use s3://bucket/prefix/`)
  }
  const prefix = match[2] === '' || match[2].endsWith('/') ? match[2] : `${match[2]}/`
  return {bucket: match[1], prefix}
}

/** Names the endpoint the SDK will use, honouring the SDK's own variables, so path style can follow it. */
export function customEndpoint(options: S3Options, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return options.endpointUrl ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? undefined
}

/** One line for an SDK failure: what failed and what to do about it. */
export function explainS3Error(error: unknown, doing: string): LakeUnreachableError {
  const e = error as {name?: string; code?: string; message?: string; $metadata?: {httpStatusCode?: number}}
  const status = e.$metadata?.httpStatusCode
  const what = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'error')
  let hint = ''
  if (e.name === 'CredentialsProviderError' || /credential/i.test(e.message ?? '')) hint = ': set AWS credentials, --profile or AWS_PROFILE'
  else if (e.name === 'NoSuchBucket') hint = ': check the bucket name in --lake'
  else if (status === 403 || e.name === 'AccessDenied' || e.name === 'InvalidAccessKeyId' || e.name === 'SignatureDoesNotMatch') hint = ': check the credentials and that they may list and read this prefix'
  else if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.name === 'TimeoutError') hint = ': check --endpoint-url, --region and the network'
  const detail = (e.message ?? '').split('\n')[0]
  return new LakeUnreachableError(`cannot ${doing}: ${what}${detail && detail !== what ? ` (${detail})` : ''}${hint}`, {cause: error})
}

/** A lake under an S3 prefix, read through the AWS SDK v3 with retries and bounded sockets. */
export class S3Lake implements Lake {
  readonly url: string
  readonly bucket: string
  readonly prefix: string
  private readonly client: S3Client
  private readonly pageSize: number
  private readonly limits: typeof S3_TIMEOUTS

  constructor(url: string, options: S3Options = {}) {
    const {bucket, prefix} = parseS3Url(url)
    this.bucket = bucket
    this.prefix = prefix
    this.url = `s3://${bucket}/${prefix}`
    this.pageSize = options.listPageSize ?? 1000
    this.limits = {
      connectTimeoutMs: options.connectTimeoutMs ?? S3_TIMEOUTS.connectTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs ?? S3_TIMEOUTS.requestTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs ?? S3_TIMEOUTS.idleTimeoutMs,
      maxAttempts: options.maxAttempts ?? S3_TIMEOUTS.maxAttempts,
    }
    const endpoint = customEndpoint(options)
    this.client = new S3Client({
      profile: options.profile,
      region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined),
      endpoint,
      forcePathStyle: endpoint !== undefined,
      // S3-compatible servers reject or mangle the newer default checksums (aws-chunked bodies).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // The standard retry strategy backs off on throttling, 5xx answers and timeouts.
      maxAttempts: this.limits.maxAttempts,
      // Without these a server that stops answering holds a request, and the check, forever.
      requestHandler: {
        httpsAgent: {maxSockets: options.maxSockets ?? 16},
        httpAgent: {maxSockets: options.maxSockets ?? 16},
        connectionTimeout: this.limits.connectTimeoutMs,
        requestTimeout: this.limits.requestTimeoutMs,
        throwOnRequestTimeout: true,
        socketTimeout: this.limits.idleTimeoutMs,
      },
    })
  }

  async listDirectories(prefix: string): Promise<string[]> {
    const names: string[] = []
    try {
      for await (const page of paginateListObjectsV2({client: this.client, pageSize: this.pageSize}, {Bucket: this.bucket, Prefix: this.prefix + prefix, Delimiter: '/'})) {
        for (const common of page.CommonPrefixes ?? []) {
          if (common.Prefix) names.push(common.Prefix.slice(this.prefix.length + prefix.length).replace(/\/$/, ''))
        }
      }
    } catch (error) {
      throw explainS3Error(error, `list ${this.url}${prefix}`)
    }
    return names.sort()
  }

  async *listObjects(prefix: string): AsyncIterable<LakeObject> {
    const pages = paginateListObjectsV2({client: this.client, pageSize: this.pageSize}, {Bucket: this.bucket, Prefix: this.prefix + prefix})
    try {
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          // Folder markers written by consoles are not objects of the lake.
          if (!object.Key || object.Key.endsWith('/')) continue
          yield {key: object.Key.slice(this.prefix.length), size: object.Size ?? 0, modified: object.LastModified}
        }
      }
    } catch (error) {
      throw explainS3Error(error, `list ${this.url}${prefix}`)
    }
  }

  /** Fails with a one-line reason when the bucket cannot be listed, before any work starts. */
  async assertReachable(): Promise<void> {
    try {
      await this.client.send(new ListObjectsV2Command({Bucket: this.bucket, Prefix: this.prefix, MaxKeys: 1}))
    } catch (error) {
      throw explainS3Error(error, `list ${this.url}`)
    }
  }

  async read(key: string): Promise<Buffer> {
    // The SDK retries until the answer's headers; a body that stalls or breaks after them is retried here.
    for (let attempt = 1; ; attempt++) {
      let answer
      try {
        answer = await this.client.send(new GetObjectCommand({Bucket: this.bucket, Key: this.prefix + key}))
      } catch (error) {
        if ((error as {name?: string}).name === 'NoSuchKey') throw new ObjectVanishedError(key, `${this.url}${key} was listed but is gone`, {cause: error})
        throw isTimeout(error) ? this.stalled(key, error) : explainS3Error(error, `read ${this.url}${key}`)
      }
      try {
        const bytes = await answer.Body!.transformToByteArray()
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      } catch (error) {
        if (!isTimeout(error)) throw explainS3Error(error, `read ${this.url}${key}`)
        if (attempt >= this.limits.maxAttempts) throw this.stalled(key, error)
      }
    }
  }

  private stalled(key: string, error: unknown): LakeUnreachableError {
    const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`
    return new LakeUnreachableError(
      `cannot read ${this.url}${key}: the endpoint stopped answering (no data for ${seconds(this.limits.idleTimeoutMs)}, or no answer within ${seconds(this.limits.requestTimeoutMs)}, ${this.limits.maxAttempts} tries): check --endpoint-url, --region and the network`,
      {cause: error},
    )
  }

  async write(key: string, body: Uint8Array): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({Bucket: this.bucket, Key: this.prefix + key, Body: body}))
    } catch (error) {
      throw explainS3Error(error, `write ${this.url}${key}`)
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({Bucket: this.bucket, Key: this.prefix + key}))
    } catch (error) {
      throw explainS3Error(error, `delete ${this.url}${key}`)
    }
  }

  close(): void {
    this.client.destroy()
  }
}
