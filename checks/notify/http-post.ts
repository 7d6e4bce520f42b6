import {escapeTerminal} from '../report/escape-text.js'
import {DeliveryError} from './errors.js'
import {scrubUrl} from './redact-url.js'

/** The longest piece of an error answer quoted in a warning (Slack answers e.g. `invalid_token`). */
const BODY_EXCERPT = 120

function describeFetchError(error: unknown): {message: string; retryable: boolean} {
  const e = error as {name?: string; message?: string; cause?: {code?: string; message?: string}}
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return {message: 'no answer in time', retryable: true}
  const code = e.cause?.code
  // undici says "fetch failed" and keeps the reason in `cause`.
  const reason = code ?? e.cause?.message ?? e.message ?? String(error)
  return {message: `cannot reach it: ${reason}`, retryable: true}
}

/**
 * POSTs a JSON body once, within `timeoutMs` for the whole exchange (connect, answer, body).
 * A 2xx answer is success. A redirect is not followed (it could lead anywhere, over plain http
 * too). Throws a DeliveryError whose message never holds the URL's secret; 429, 5xx, timeouts
 * and dropped connections are retryable, other answers are not.
 *
 * @example await postJson(new URL('https://hooks.slack.com/services/…'), JSON.stringify(payload), {timeoutMs: 10_000})
 */
export async function postJson(url: URL, body: string, options: {timeoutMs: number}): Promise<void> {
  // fetch refuses URLs with credentials: they go as Basic authentication, as curl sends them.
  const target = new URL(url)
  const headers: Record<string, string> = {'content-type': 'application/json; charset=utf-8', 'user-agent': 'pixel-check'}
  if (target.username || target.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`
    target.username = ''
    target.password = ''
  }
  const safe = (text: string) => escapeTerminal(scrubUrl(text, url))
  const signal = AbortSignal.timeout(options.timeoutMs)
  let response: Response
  let text: string
  try {
    response = await fetch(target, {method: 'POST', headers, body, redirect: 'manual', signal})
    text = await response.text()
  } catch (error) {
    const {message, retryable} = describeFetchError(error)
    throw new DeliveryError(safe(message === 'no answer in time' ? `no answer within ${options.timeoutMs / 1000} s` : message), retryable)
  }
  if (response.status >= 200 && response.status < 300) return
  const excerpt = text.trim().split(/\r?\n/)[0] ?? ''
  const said = excerpt === '' ? '' : `: ${excerpt.length > BODY_EXCERPT ? `${excerpt.slice(0, BODY_EXCERPT)}…` : excerpt}`
  const status = `answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
  if (response.status >= 300 && response.status < 400) throw new DeliveryError(safe(`${status}, a redirect, which pixel does not follow: give the URL it redirects to`), false)
  const retryable = response.status === 429 || response.status >= 500
  const retryAfter = Number(response.headers.get('retry-after'))
  const error = new DeliveryError(safe(`${status}${said}`), retryable)
  if (Number.isFinite(retryAfter) && retryAfter > 0) error.retryAfterMs = retryAfter * 1000
  throw error
}
