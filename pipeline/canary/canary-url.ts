import {CANARY_BADGE, CANARY_MARKER} from '../handler/build-record.js'

/**
 * The URL the canary requests: the real pixel URL with the canary badge and marker, and a
 * nonce so that nothing between the canary and the handler can answer from a cache.
 *
 * @example
 * canaryUrl('https://abc.execute-api.eu-west-1.amazonaws.com/p.gif', 'n1')
 * // 'https://abc.execute-api.eu-west-1.amazonaws.com/p.gif?b=canary&src=canary&n=n1'
 */
export function canaryUrl(pixelUrl: string, nonce: string): string {
  const url = new URL(pixelUrl)
  url.search = ''
  url.searchParams.set('b', CANARY_BADGE)
  url.searchParams.set(CANARY_MARKER.name, CANARY_MARKER.value)
  url.searchParams.set('n', nonce)
  return url.toString()
}
