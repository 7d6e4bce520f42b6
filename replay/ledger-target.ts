import type {FirehoseClient} from '@aws-sdk/client-firehose'
import type {LedgerTarget} from './replay-ledger.js'

/** A URL without what must never be written down: user info, query, fragment. */
function bareUrl(url: URL | string): string {
  const u = new URL(String(url))
  return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`
}

/**
 * The ledger target of a replay through Firehose: the stream, the endpoint the client calls
 * (`aws` for AWS's own), the region it signs for, and the account from the stream's ARN when the
 * stream was described (a dry run does not).
 *
 * @example await firehoseTarget(client, 'pixel-events', 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/pixel-events')
 * // {to: 'firehose', stream: 'pixel-events', endpoint: 'aws', region: 'eu-west-1', account: '123456789012'}
 */
export async function firehoseTarget(client: Pick<FirehoseClient, 'config'>, stream: string, arn?: string): Promise<LedgerTarget> {
  const endpoint = client.config.endpoint ? await client.config.endpoint() : undefined
  let region = ''
  try {
    region = await client.config.region()
  } catch {
    // No region configured: the ARN may still say it.
  }
  const [, , , arnRegion, account] = (arn ?? '').split(':')
  return {
    to: 'firehose',
    stream,
    endpoint: endpoint ? bareUrl(`${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.path}`) : 'aws',
    region: region || arnRegion || '',
    ...(account ? {account} : {}),
  }
}

/**
 * The ledger target of `--to lake`: the lake's URL (an absolute folder or `s3://bucket/prefix/`)
 * and, for S3, a custom endpoint's URL.
 *
 * @example lakeTarget('s3://bucket/events/', 'http://127.0.0.1:5000') // {to: 'lake', lake: 's3://bucket/events/', endpoint: 'http://127.0.0.1:5000'}
 */
export function lakeTarget(lakeUrl: string, endpoint?: string): LedgerTarget {
  return {to: 'lake', lake: lakeUrl, ...(lakeUrl.startsWith('s3://') && endpoint ? {endpoint: bareUrl(endpoint)} : {})}
}
