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

const HEX_VALUE = new Int8Array(256).fill(-1)
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i

/**
 * The kind addressKind gives a plain IPv6 address written by the bytes `b[start, end)`: hex
 * groups of one to four digits split by colons, with at most one `::` (no zone, no IPv4 tail),
 * read without making a string of it; undefined for anything else, which addressKind judges.
 *
 * @example ipv6KindAt(Buffer.from('2001:db8:1::'), 0, 12) // 'anonymised'
 */
export function ipv6KindAt(b: Uint8Array, start: number, end: number): 'anonymised' | 'full' | undefined {
  // Groups before the `::` (or all of them), then those after it; `hostBits` says whether a
  // group past the /48 (the fourth onwards) is not zero.
  let before = 0
  let after = 0
  let compressed = false
  let nonZeroBefore = 0 // bit k: group k of the head is not zero
  let nonZeroAfter = 0 // bit k: group k of the tail is not zero
  let i = start
  if (end - start >= 2 && b[start] === 0x3a && b[start + 1] === 0x3a) {
    compressed = true
    i += 2
  }
  while (i < end) {
    let value = 0
    const from = i
    while (i < end && i - from < 4 && HEX_VALUE[b[i]] >= 0) value |= HEX_VALUE[b[i++]]
    if (i === from) return undefined
    if (compressed) nonZeroAfter |= (value !== 0 ? 1 : 0) << after++
    else nonZeroBefore |= (value !== 0 ? 1 : 0) << before++
    if (before + after > 8) return undefined
    if (i === end) break
    if (b[i] !== 0x3a) return undefined
    i++
    if (i < end && b[i] === 0x3a) {
      if (compressed) return undefined
      compressed = true
      i++
    } else if (i === end) return undefined
  }
  if (compressed ? before + after >= 8 : before !== 8) return undefined
  // The tail's groups end at group 7: group j of `after` is group 8 - after + j.
  const tailHost = after === 0 ? 0 : nonZeroAfter >> Math.max(0, 3 - (8 - after))
  return (nonZeroBefore >> 3) === 0 && tailHost === 0 ? 'anonymised' : 'full'
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
