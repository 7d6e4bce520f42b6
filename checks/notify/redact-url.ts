/**
 * Webhook URLs are secrets: a Slack incoming webhook's path is its only credential, and a
 * webhook's query string or userinfo often holds a token. These helpers keep them out of every
 * line pixel prints.
 */

/**
 * A URL as it may be printed: its scheme and host only, with `…` for whatever follows.
 *
 * @example redactUrl(new URL('https://hooks.slack.com/services/T0/B0/XyZ')) // 'https://hooks.slack.com/…'
 */
export function redactUrl(url: URL): string {
  const rest = url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== ''
  return `${url.protocol}//${url.host}/${rest ? '…' : ''}`
}

// A token shorter than this is no secret worth hiding and would blank common words.
const MIN_SECRET = 4

function variants(text: string): string[] {
  const out = [text]
  try {
    const decoded = decodeURIComponent(text)
    if (decoded !== text) out.push(decoded)
  } catch {
    // Not percent-encoded text: the raw form is enough.
  }
  return out
}

/**
 * The pieces of a URL that must never be printed: the whole URL, its path and query, every path
 * segment and query value, and its userinfo, longest first so that a longer piece is replaced
 * before a piece inside it.
 */
export function secretPieces(url: URL): string[] {
  const pieces = new Set<string>()
  const add = (piece: string) => {
    for (const v of variants(piece)) if (v.length >= MIN_SECRET) pieces.add(v)
  }
  add(url.href)
  add(`${url.origin}${url.pathname}`)
  add(`${url.host}${url.pathname}`)
  if (url.pathname !== '/') add(`${url.pathname}${url.search}`)
  if (url.pathname !== '/') add(url.pathname)
  add(url.search)
  add(url.hash)
  for (const segment of url.pathname.split('/')) add(segment)
  for (const [name, value] of url.searchParams) {
    add(value)
    add(`${name}=${value}`)
  }
  add(url.username)
  add(url.password)
  return [...pieces].sort((a, b) => b.length - a.length)
}

/**
 * Removes every secret piece of `url` from a message (an error from fetch or undici, a body a
 * server answered with), so that it can be printed.
 *
 * @example scrubUrl('POST https://h.example/hook/s3cr3t failed', new URL('https://h.example/hook/s3cr3t')) // 'POST … failed'
 */
export function scrubUrl(text: string, url: URL): string {
  let out = text
  for (const piece of secretPieces(url)) out = out.split(piece).join('…')
  return out
}
