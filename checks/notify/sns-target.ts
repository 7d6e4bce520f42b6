import {randomUUID} from 'node:crypto'
import {PublishCommand, SNSClient} from '@aws-sdk/client-sns'
import {DeliveryError} from './errors.js'
import {type NotifySummary, headline, summaryText} from './notify-summary.js'
import type {SnsTarget} from './notify-target.js'

/** SNS refuses a subject of 100 characters or more, or one with anything but printable ASCII. */
const SUBJECT_MAX = 99

/**
 * The subject of the SNS message (an e-mail's subject line): the verdict, the scope and the
 * counts, then the lake while it fits; printable ASCII only, as SNS requires.
 *
 * @example snsSubject(summary) // 'pixel check failed: 2026-02-10, 9 errors, 5 warnings - s3://my-bucket/events/'
 */
export function snsSubject(summary: NotifySummary): string {
  const ascii = (text: string) => text.replace(/[^\x20-\x7e]/g, '?')
  const base = ascii(headline(summary))
  const withLake = `${base} - ${ascii(summary.lake)}`
  if (withLake.length <= SUBJECT_MAX) return withLake
  return base.length <= SUBJECT_MAX ? base : `${base.slice(0, SUBJECT_MAX - 3)}...`
}

/** How to reach SNS: the same profile and endpoint handling as every other client of pixel. */
export interface SnsOptions {
  profile?: string
  /** An SNS-compatible endpoint (moto), else AWS's own for the topic's region. */
  endpointUrl?: string
  timeoutMs: number
}

function deliveryError(error: unknown, timeoutMs: number): DeliveryError {
  const e = error as {name?: string; code?: string; message?: string; $metadata?: {httpStatusCode?: number}; $retryable?: unknown}
  const status = e.$metadata?.httpStatusCode
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.name === 'RequestTimeout') return new DeliveryError(`no answer within ${timeoutMs / 1000} s`, true, {cause: error})
  const name = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'error')
  const detail = (e.message ?? '').split('\n')[0]
  let hint = ''
  if (e.name === 'CredentialsProviderError') hint = ': set AWS credentials, --profile or AWS_PROFILE'
  else if (e.name === 'AuthorizationError' || status === 403) hint = ': the credentials may not sns:Publish to this topic'
  else if (e.name === 'NotFoundException' || e.name === 'NotFound') hint = ': check the topic ARN'
  // No answer at all (a refused or dropped connection) may pass; a 4xx answer will say the same again.
  const retryable = e.name === 'CredentialsProviderError' ? false : status === undefined || status === 429 || status >= 500 || /Throttl/.test(name)
  return new DeliveryError(`${name}${detail && detail !== name ? ` (${detail})` : ''}${hint}`, retryable, {cause: error})
}

/**
 * Publishes the summary to an SNS topic, in the topic's own region, once (the caller retries):
 * the subject from snsSubject, the text summary as the message.
 *
 * @example await sendSns(target, summary, {timeoutMs: 10_000})
 */
export async function sendSns(target: SnsTarget, summary: NotifySummary, options: SnsOptions): Promise<void> {
  const client = new SNSClient({
    profile: options.profile,
    region: target.region,
    endpoint: options.endpointUrl,
    maxAttempts: 1,
    requestHandler: {connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs, throwOnRequestTimeout: true},
  })
  try {
    await client.send(
      new PublishCommand({
        TopicArn: target.arn,
        Subject: snsSubject(summary),
        Message: summaryText(summary),
        ...(target.fifo ? {MessageGroupId: 'pixel-check', MessageDeduplicationId: randomUUID()} : {}),
      }),
      {abortSignal: AbortSignal.timeout(options.timeoutMs)},
    )
  } catch (error) {
    throw deliveryError(error, options.timeoutMs)
  } finally {
    client.destroy()
  }
}
