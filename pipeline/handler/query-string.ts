/** One `name=value` pair of a query string, percent-decoded. */
export interface QueryPair {
  readonly name: string
  readonly value: string
}

/** The pairs of a query string, and whether some were not read because there were too many. */
export interface ParsedQuery {
  readonly pairs: readonly QueryPair[]
  readonly dropped: boolean
}

// Bounds on the work done for one request, whatever its size: far above what a real badge
// URL carries, far below what would cost the Lambda measurable time.
const MAX_QUERY_CHARACTERS = 16_384
const MAX_PAIRS = 256

const utf8 = new TextDecoder('utf-8', {fatal: false})
const encoder = new TextEncoder()

/**
 * Parses a raw query string the way a browser encodes it (`+` is a space), without ever
 * throwing: broken percent escapes stay literal and invalid UTF-8 becomes U+FFFD.
 *
 * @example
 * parseQueryString('b=docs&c=spring%20sale&x=%E0%A4') // pairs b, c and x (x is '\uFFFD')
 */
export function parseQueryString(raw: string | undefined | null): ParsedQuery {
  if (typeof raw !== 'string' || raw === '') return {pairs: [], dropped: false}
  const text = raw.startsWith('?') ? raw.slice(1) : raw
  let dropped = text.length > MAX_QUERY_CHARACTERS
  const segments = text.slice(0, MAX_QUERY_CHARACTERS).split('&')
  const pairs: QueryPair[] = []
  for (const segment of segments) {
    if (segment === '') continue
    if (pairs.length === MAX_PAIRS) {
      dropped = true
      break
    }
    const equals = segment.indexOf('=')
    const name = equals === -1 ? segment : segment.slice(0, equals)
    const value = equals === -1 ? '' : segment.slice(equals + 1)
    pairs.push({name: decodeComponent(name), value: decodeComponent(value)})
  }
  return {pairs, dropped}
}

/**
 * Percent-decodes `text` byte by byte, so that a broken escape (`%zz`, a lone `%`) or an invalid
 * UTF-8 sequence cannot make it throw as `decodeURIComponent` would.
 */
export function decodeComponent(text: string): string {
  const plus = text.replaceAll('+', ' ')
  if (!plus.includes('%')) return plus
  const bytes: number[] = []
  // Splitting on well-formed escapes keeps every other run intact, surrogate pairs included.
  for (const token of plus.split(/(%[0-9a-fA-F]{2})/)) {
    if (/^%[0-9a-fA-F]{2}$/.test(token)) bytes.push(Number.parseInt(token.slice(1), 16))
    else for (const byte of encoder.encode(token)) bytes.push(byte)
  }
  return utf8.decode(Uint8Array.from(bytes))
}
