/** What `--ip-policy` promises about the address field: kept to a prefix, left out, or kept whole. */
export type IpPolicy = 'anonymise' | 'omit' | 'full'

export const IP_POLICIES: readonly IpPolicy[] = ['anonymise', 'omit', 'full']

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/
const HEX_GROUP = /^[0-9a-f]{1,4}$/i

function ipv4LastOctet(text: string): number | undefined {
  const m = IPV4.exec(text)
  if (!m || m.slice(1).some((p) => +p > 255)) return undefined
  return +m[4]
}

/**
 * The kind addressKind gives the string written by the ASCII bytes `b[start, end)` when they
 * spell an IPv4 address (as its regex reads one: four parts of one to three digits, each up to
 * 255), read without making a string of them; undefined for anything else, which addressKind
 * itself must judge. The checker's fast path calls this once per record.
 *
 * @example ipv4KindAt(Buffer.from('203.0.113.0'), 0, 11) // 'anonymised'
 */
export function ipv4KindAt(b: Uint8Array, start: number, end: number): 'anonymised' | 'full' | undefined {
  let i = start
  let octet = 0
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= end || b[i] !== 0x2e) return undefined
      i++
    }
    const from = i
    octet = 0
    while (i < end && i - from < 3 && b[i] >= 0x30 && b[i] <= 0x39) octet = octet * 10 + b[i++] - 0x30
    if (i === from || octet > 255) return undefined
  }
  if (i !== end) return undefined
  return octet === 0 ? 'anonymised' : 'full'
}

/**
 * Whether an address is kept to what the stack's anonymisation leaves: an IPv4 address ending in
 * `.0` (its /24), an IPv6 address zero beyond its /48. `'full'` is an address with more, and
 * `'other'` a text that is no address at all (the check cannot say, so it does not accuse).
 *
 * @example addressKind('203.0.113.0') // 'anonymised'; addressKind('2001:db8:1:2::') // 'full'
 */
export function addressKind(text: string): 'anonymised' | 'full' | 'other' {
  const v4 = ipv4LastOctet(text)
  if (v4 !== undefined) return v4 === 0 ? 'anonymised' : 'full'
  if (!text.includes(':')) return 'other'
  let address = text.replace(/%.*$/, '')
  let tail: number[] = []
  const lastColon = address.lastIndexOf(':')
  if (address.includes('.', lastColon)) {
    // An IPv4 address inside IPv6 (::ffff:198.51.100.7): its last octet is the host part.
    const octet = ipv4LastOctet(address.slice(lastColon + 1))
    if (octet === undefined) return 'other'
    if (octet !== 0) return 'full'
    tail = [0, 0]
    address = address.slice(0, lastColon + 1) + (address.endsWith('::') ? '' : '0')
  }
  const halves = address.split('::')
  if (halves.length > 2) return 'other'
  const parse = (part: string) => (part === '' ? [] : part.split(':'))
  const head = parse(halves[0])
  const rest = halves.length === 2 ? parse(halves[1]) : []
  if (![...head, ...rest].every((g) => HEX_GROUP.test(g))) return 'other'
  const width = 8 - tail.length
  if (halves.length === 1 ? head.length !== width : head.length + rest.length >= width) return 'other'
  const groups = [...head, ...Array.from({length: width - head.length - rest.length}, () => '0'), ...rest].map((g) => Number.parseInt(g, 16))
  return groups.slice(3).every((g) => g === 0) ? 'anonymised' : 'full'
}

/**
 * Whether a record's address value breaks the policy: under `anonymise` a full address, under
 * `omit` any value but null, under `full` never.
 *
 * @example breaksIpPolicy('198.51.100.7', 'anonymise') // true
 */
export function breaksIpPolicy(value: unknown, policy: IpPolicy): boolean {
  if (value === null || value === undefined || policy === 'full') return false
  if (policy === 'omit') return true
  return typeof value === 'string' && addressKind(value) === 'full'
}
