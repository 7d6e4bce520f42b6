import {type ClientIpMode, isClientIpMode} from './anonymise-ip.js'

/** The environment variables the stack sets on the pixel function. */
export const HANDLER_ENV = {
  streamName: 'PIXEL_STREAM_NAME',
  firehoseTimeoutMs: 'PIXEL_FIREHOSE_TIMEOUT_MS',
  clientIp: 'PIXEL_CLIENT_IP',
  ingest: 'PIXEL_INGEST',
} as const

/** Which service takes the hits: the stack's `pixel:ingest`. */
export type Ingest = 'firehose' | 'kinesis'

export const INGESTS: readonly Ingest[] = ['firehose', 'kinesis']

/** The wait for Firehose when nothing says otherwise: well under a page's patience for an image. */
export const DEFAULT_FIREHOSE_TIMEOUT_MS = 300

export interface HandlerSettings {
  readonly streamName: string | undefined
  readonly timeoutMs: number
  readonly clientIp: ClientIpMode
  /** `kinesis` puts hits into the Kinesis data stream `streamName`; anything else means Firehose. */
  readonly ingest: Ingest
}

/**
 * The handler's settings from `env`. A missing or unreadable value falls back to its default
 * instead of failing: the pixel must answer even when misconfigured.
 *
 * @example
 * handlerSettingsFromEnv({PIXEL_STREAM_NAME: 'pixel-events'}) // {streamName: 'pixel-events', timeoutMs: 300, clientIp: 'anonymise', ingest: 'firehose'}
 */
export function handlerSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): HandlerSettings {
  const timeout = Number(env[HANDLER_ENV.firehoseTimeoutMs])
  const clientIp = env[HANDLER_ENV.clientIp]
  return {
    streamName: env[HANDLER_ENV.streamName] || undefined,
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_FIREHOSE_TIMEOUT_MS,
    clientIp: isClientIpMode(clientIp) ? clientIp : 'anonymise',
    ingest: env[HANDLER_ENV.ingest] === 'kinesis' ? 'kinesis' : 'firehose',
  }
}
