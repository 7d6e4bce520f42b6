import {randomUUID} from 'node:crypto'

import {type ClientIpMode, clientIpFor} from './anonymise-ip.js'
import {PIXEL_EVENT_LIMITS, PIXEL_EVENT_SCHEMA_VERSION, type PixelEvent, type PixelEventSource} from '../../lake/schema/pixel-event.js'
import {parseQueryString} from './query-string.js'
import {sanitiseText} from './sanitise-text.js'

/** What the record is built from: the parts of an HTTP request the pixel reads. */
export interface PixelRequest {
  /** The query string without the `?`, exactly as received (not decoded). */
  readonly rawQueryString?: string | null
  /** Request headers; names in any case. */
  readonly headers?: Readonly<Record<string, string | undefined>> | null
  /** The client address as the edge saw it. */
  readonly sourceIp?: string | null
}

export interface BuildRecordOptions {
  /** The receive time. @default new Date() */
  readonly now?: Date
  /** The event id. @default crypto.randomUUID() */
  readonly eventId?: string
  /** How to store the client address. @default 'anonymise' */
  readonly clientIp?: ClientIpMode
}

/** The badge stored when the request names none, so that the hit still counts and shows up. */
export const UNKNOWN_BADGE = 'unknown'

/** The badge and marker the canary sends; only both together make a `canary` record. */
export const CANARY_BADGE = 'canary'
export const CANARY_MARKER = {name: 'src', value: 'canary'} as const

// Query parameters with a column of their own; everything else goes to `params`.
const BADGE = 'b'
const CAMPAIGN = 'c'
const PAGE_URL = 'u'
const REFERER = 'r'
const RESERVED = new Set([BADGE, CAMPAIGN, PAGE_URL, REFERER, CANARY_MARKER.name])

/**
 * The lake record for one hit. Every input is attacker-controlled: this never throws, and what
 * it returns is always valid under the pixel event schema.
 *
 * @example
 * buildRecord({rawQueryString: 'b=docs&c=launch&lang=en', sourceIp: '198.51.100.23'})
 * // {badge: 'docs', campaign: 'launch', params: {lang: 'en'}, client_ip: '198.51.100.0', ...}
 */
export function buildRecord(request: PixelRequest, options: BuildRecordOptions = {}): PixelEvent {
  const headers = lowerCaseHeaders(request.headers)
  const query = parseQueryString(request.rawQueryString)
  let truncated = query.dropped
  const first = new Map<string, string>()
  const params = new Map<string, string>()
  for (const {name, value} of query.pairs) {
    if (RESERVED.has(name)) {
      if (first.has(name)) truncated = true
      else first.set(name, value)
      continue
    }
    const safeName = sanitiseText(name, PIXEL_EVENT_LIMITS.paramName)
    // A shortened name could collide with another one; an empty one names nothing.
    if (safeName.truncated || safeName.value === '' || params.has(safeName.value)) {
      truncated = true
      continue
    }
    if (params.size === PIXEL_EVENT_LIMITS.paramCount) {
      truncated = true
      continue
    }
    const safeValue = sanitiseText(value, PIXEL_EVENT_LIMITS.paramValue)
    truncated ||= safeValue.truncated
    params.set(safeName.value, safeValue.value)
  }
  const field = (raw: string | undefined, maxLength: number): string | null => {
    if (raw === undefined) return null
    const safe = sanitiseText(raw, maxLength)
    truncated ||= safe.truncated
    return safe.value === '' ? null : safe.value
  }
  const badge = field(first.get(BADGE), PIXEL_EVENT_LIMITS.badge) ?? UNKNOWN_BADGE
  const campaign = field(first.get(CAMPAIGN), PIXEL_EVENT_LIMITS.campaign)
  const pageUrl = first.has(PAGE_URL)
    ? field(first.get(PAGE_URL), PIXEL_EVENT_LIMITS.pageUrl)
    : headerField(headers.get('referer'), PIXEL_EVENT_LIMITS.pageUrl)
  const referer = field(first.get(REFERER), PIXEL_EVENT_LIMITS.referer)
  return {
    event_id: options.eventId ?? randomUUID(),
    ts: (options.now ?? new Date()).toISOString(),
    schema_version: PIXEL_EVENT_SCHEMA_VERSION,
    source: sourceOf(badge, first.get(CANARY_MARKER.name)),
    badge,
    campaign,
    page_url: pageUrl,
    referer,
    user_agent: headerField(headers.get('user-agent'), PIXEL_EVENT_LIMITS.userAgent),
    client_ip: clientIpFor(request.sourceIp, options.clientIp ?? 'anonymise'),
    params: Object.fromEntries(params),
    params_truncated: truncated,
  }
}

/** `replay` is never taken from a request: only the replay tool writes replayed records. */
function sourceOf(badge: string, marker: string | undefined): PixelEventSource {
  return badge === CANARY_BADGE && marker === CANARY_MARKER.value ? 'canary' : 'pixel'
}

function headerField(raw: string | undefined, maxLength: number): string | null {
  if (raw === undefined) return null
  const safe = sanitiseText(raw, maxLength).value
  return safe === '' ? null : safe
}

function lowerCaseHeaders(headers: PixelRequest['headers']): Map<string, string> {
  const result = new Map<string, string>()
  if (headers === null || typeof headers !== 'object') return result
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string' && !result.has(name.toLowerCase())) result.set(name.toLowerCase(), value)
  }
  return result
}

/** The record as Firehose receives it: one JSON line, newline-terminated. */
export function recordLine(record: PixelEvent): string {
  return `${JSON.stringify(record)}\n`
}
