import {randomUUID} from 'node:crypto'

import {CanaryFailedError} from '../errors.js'
import {jsonLineLogger, type Logger} from '../handler/structured-log.js'
import {canaryUrl} from './canary-url.js'

/** The environment variable that holds the pixel URL. */
export const CANARY_PIXEL_URL_ENV = 'PIXEL_URL'

export interface CanaryOptions {
  readonly pixelUrl: string | undefined
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch
  /** @default 5000 */
  readonly timeoutMs?: number
  readonly log?: Logger
}

/**
 * Sends one `source: canary` hit through the real endpoint and throws when the pixel does not
 * come back, so that the canary function's Errors metric (and its alarm) show an outage.
 *
 * @example
 * await runCanary({pixelUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/p.gif'})
 */
export async function runCanary(options: CanaryOptions): Promise<void> {
  const log = options.log ?? jsonLineLogger
  if (!options.pixelUrl) throw new CanaryFailedError(`${CANARY_PIXEL_URL_ENV} is not set`)
  const doFetch = options.fetch ?? fetch
  const started = Date.now()
  let response: Response
  try {
    response = await doFetch(canaryUrl(options.pixelUrl, randomUUID()), {
      headers: {'User-Agent': 'pixel-canary/1'},
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    })
  } catch (error) {
    throw new CanaryFailedError('the pixel endpoint did not answer', {cause: error})
  }
  const contentType = response.headers.get('content-type') ?? ''
  const body = new Uint8Array(await response.arrayBuffer())
  const elapsed_ms = Date.now() - started
  if (response.status !== 200 || !contentType.startsWith('image/gif') || body.length === 0) {
    log({level: 'error', event: 'canary_failed', status: response.status, content_type: contentType, elapsed_ms})
    throw new CanaryFailedError(`the pixel answered ${response.status} ${contentType}`)
  }
  log({level: 'info', event: 'canary_ok', elapsed_ms})
}

/** The Lambda entry, run on a schedule. */
export const handler = async (): Promise<void> => runCanary({pixelUrl: process.env[CANARY_PIXEL_URL_ENV]})
