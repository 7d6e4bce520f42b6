/** Where a record came from; see `lake/schema/pixel-event.schema.json`. */
export type PixelEventSource = 'pixel' | 'canary' | 'replay'

/** One hit, as written to the lake: version 1 of `lake/schema/pixel-event.schema.json`. */
export interface PixelEvent {
  readonly event_id: string
  readonly ts: string
  readonly schema_version: 1
  readonly source: PixelEventSource
  readonly badge: string
  readonly campaign: string | null
  readonly page_url: string | null
  readonly referer: string | null
  readonly user_agent: string | null
  readonly client_ip: string | null
  readonly params: Readonly<Record<string, string>>
  readonly params_truncated: boolean
  readonly replay_id?: string
}

/** The schema's bounds, in code points. */
export const PIXEL_EVENT_LIMITS = {
  badge: 128,
  campaign: 128,
  pageUrl: 2048,
  referer: 2048,
  userAgent: 1024,
  paramCount: 32,
  paramName: 64,
  paramValue: 512,
} as const

export const PIXEL_EVENT_SCHEMA_VERSION = 1
