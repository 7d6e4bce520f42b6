import {describe, expect, it} from 'vitest'
import {seededRandom} from '../../fixtures/random.js'
import {addressKind, breaksIpPolicy, ipv4KindAt, ipv6KindAt} from './ip-address.js'

describe('addressKind', () => {
  it.each([
    ['203.0.113.0', 'anonymised'],
    ['203.0.113.7', 'full'],
    ['10.0.0.255', 'full'],
    ['2001:db8:1::', 'anonymised'],
    ['2001:db8::', 'anonymised'],
    ['2001:0db8:0001:0000:0000:0000:0000:0000', 'anonymised'],
    ['2001:db8:1:2::', 'full'],
    ['2001:db8:1::5', 'full'],
    ['::1', 'full'],
    ['::', 'anonymised'],
    ['fe80::1%eth0', 'full'],
    ['::ffff:198.51.100.7', 'full'],
    ['::ffff:198.51.100.0', 'full'],
    ['2001:db8:1::0.0.0.0', 'anonymised'],
    ['example.org', 'other'],
    ['999.1.1.0', 'other'],
    ['1:2:3:4:5:6:7', 'other'],
    ['1::2::3', 'other'],
    ['', 'other'],
  ])('says %s is %s', (text, kind) => {
    expect(addressKind(text)).toBe(kind)
  })
})

describe('breaksIpPolicy', () => {
  it.each([
    ['203.0.113.7', 'anonymise', true],
    ['203.0.113.0', 'anonymise', false],
    [null, 'anonymise', false],
    ['not an address', 'anonymise', false],
    ['203.0.113.0', 'omit', true],
    [null, 'omit', false],
    ['203.0.113.7', 'full', false],
  ] as const)('says %j under %s breaks it: %s', (value, policy, breaks) => {
    expect(breaksIpPolicy(value, policy)).toBe(breaks)
  })
})

describe('ipv4KindAt', () => {
  it('gives addressKind\'s kind for every IPv4 spelling, and leaves everything else to it', () => {
    const rand = seededRandom(13)
    const pieces = ['0', '00', '000', '1', '7', '25', '255', '256', '999', '0255', '', '.', ':', 'a', ' ', '\u0661', '+1', '1e2', '12']
    const texts = ['203.0.113.0', '203.0.113.7', '1.2.3.4.5', '1.2.3', '::1', '1.2.3.0 ']
    for (let k = 0; k < 40_000; k++) {
      // Mostly numbers of one to three digits (some past 255, some with leading zeros), else an odd piece.
      const part = () => (rand() < 0.8 ? String(Math.floor(rand() * 300)).padStart(1 + Math.floor(rand() * 3), '0') : pieces[Math.floor(rand() * pieces.length)])
      const parts = Array.from({length: 3 + Math.floor(rand() * 3)}, part)
      texts.push(parts.join(rand() < 0.9 ? '.' : ':'))
    }
    let decided = 0
    for (const text of texts) {
      // A byte before and after, so that the range, not the buffer's ends, is what is read.
      const bytes = Buffer.from(`9${text}9`)
      const kind = ipv4KindAt(bytes, 1, bytes.length - 1)
      if (kind === undefined) continue
      decided++
      expect(kind, text).toBe(addressKind(text))
    }
    expect(decided).toBeGreaterThan(3000)
    expect(ipv4KindAt(Buffer.from('999.1.1.0'), 0, 9)).toBeUndefined()
  })
})

describe('ipv6KindAt', () => {
  it('gives addressKind\'s kind for every plain IPv6 spelling, and leaves everything else to it', () => {
    const rand = seededRandom(29)
    const odd = ['', ':', 'g', '12345', '1.2.3.4', '%eth0', ' ', 'FFFF', '0000', '00000']
    const group = () => (rand() < 0.85 ? (rand() < 0.4 ? '0'.repeat(1 + Math.floor(rand() * 4)) : Math.floor(rand() * 0x10000).toString(16).slice(0, 1 + Math.floor(rand() * 4))) : odd[Math.floor(rand() * odd.length)])
    const texts = ['::', '::1', '1::', '2001:db8:1::', '2001:db8:1:2::', '1:2:3:4:5:6:7:8', '1:2:3:0:0:0:0:0', '1::2::3', ':::', '1:']
    for (let k = 0; k < 40_000; k++) {
      const groups = Array.from({length: 1 + Math.floor(rand() * 9)}, group)
      if (rand() < 0.7) groups.splice(Math.floor(rand() * (groups.length + 1)), 0, '')
      let text = groups.join(':')
      if (text.startsWith(':') && !text.startsWith('::') && rand() < 0.8) text = ':' + text
      if (text.endsWith(':') && !text.endsWith('::') && rand() < 0.8) text += ':'
      texts.push(text)
    }
    const decided = {anonymised: 0, full: 0}
    for (const text of texts) {
      const bytes = Buffer.from(`:${text}:`)
      const kind = ipv6KindAt(bytes, 1, bytes.length - 1)
      if (kind === undefined) continue
      decided[kind]++
      expect(kind, text).toBe(addressKind(text))
    }
    expect(decided.anonymised).toBeGreaterThan(1000)
    expect(decided.full).toBeGreaterThan(1000)
  })
})
