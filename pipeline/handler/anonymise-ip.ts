import {isIP} from 'node:net'

/**
 * How the handler stores the client address:
 * - `anonymise` (the default): IPv4 with the last octet zeroed, IPv6 kept to its /48;
 * - `full`: the address as API Gateway saw it (check your privacy obligations first);
 * - `omit`: no address at all (`client_ip: null`).
 */
export type ClientIpMode = 'anonymise' | 'full' | 'omit'

export const CLIENT_IP_MODES: readonly ClientIpMode[] = ['anonymise', 'full', 'omit']

/** Narrows an untrusted string (an environment variable, a context value) to a mode. */
export function isClientIpMode(value: unknown): value is ClientIpMode {
  return typeof value === 'string' && (CLIENT_IP_MODES as readonly string[]).includes(value)
}

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i

/**
 * The address to store for `raw` under `mode`, or null when `raw` is not an IP address: the
 * source IP comes from the request context, but a local dev server may pass anything.
 *
 * @example
 * clientIpFor('203.0.113.77', 'anonymise') // '203.0.113.0'
 * clientIpFor('2001:db8:abcd:12::1', 'anonymise') // '2001:db8:abcd::'
 */
export function clientIpFor(raw: string | undefined | null, mode: ClientIpMode): string | null {
  if (mode === 'omit' || typeof raw !== 'string') return null
  // A zone index (fe80::1%eth0) names a local interface: it is not part of the address.
  const address = raw.trim().split('%')[0]
  const version = isIP(address)
  if (version === 0) return null
  if (mode === 'full') return address.toLowerCase()
  if (version === 4) return anonymiseIpv4(address)
  const mapped = IPV4_MAPPED.exec(address)
  if (mapped && isIP(mapped[1]) === 4) return anonymiseIpv4(mapped[1])
  return anonymiseIpv6(address)
}

function anonymiseIpv4(address: string): string {
  const octets = address.split('.').map(Number)
  return `${octets[0]}.${octets[1]}.${octets[2]}.0`
}

function anonymiseIpv6(address: string): string {
  const groups = expandIpv6(address)
  const kept = groups.slice(0, 3).map((group) => Number.parseInt(group, 16).toString(16))
  return `${kept.join(':')}::`
}

/** The eight 16-bit groups of a valid IPv6 address, an embedded IPv4 tail converted. */
function expandIpv6(address: string): string[] {
  let text = address.toLowerCase()
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text)
  if (tail) {
    const [a, b, c, d] = tail[1].split('.').map(Number)
    text = text.slice(0, -tail[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, rest] = text.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  if (rest === undefined) return headGroups
  const restGroups = rest === '' ? [] : rest.split(':')
  const zeros = Array.from({length: 8 - headGroups.length - restGroups.length}, () => '0')
  return [...headGroups, ...zeros, ...restGroups]
}
