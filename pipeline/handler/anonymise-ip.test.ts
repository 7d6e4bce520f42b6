import {describe, expect, it} from 'vitest'

import {clientIpFor} from './anonymise-ip.js'

describe('clientIpFor', () => {
  describe.each([
    ['203.0.113.77', '203.0.113.0'],
    ['10.0.0.255', '10.0.0.0'],
    ['2001:db8:abcd:12:34:56:78:9', '2001:db8:abcd::'],
    ['2001:DB8::1', '2001:db8:0::'],
    ['::1', '0:0:0::'],
    ['::ffff:198.51.100.23', '198.51.100.0'],
    ['fe80::1%eth0', 'fe80:0:0::'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0::'],
  ])('anonymising %s', (raw, expected) => {
    it(`keeps only the network part: ${expected}`, () => {
      expect(clientIpFor(raw, 'anonymise')).toBe(expected)
    })
  })

  describe.each([['not-an-ip'], ['999.1.1.1'], ['1.2.3'], [''], ['2001:db8::g'], ['203.0.113.77, 10.0.0.1']])('for %j', (raw) => {
    it('stores no address, because it is not one', () => {
      expect(clientIpFor(raw, 'anonymise')).toBeNull()
      expect(clientIpFor(raw, 'full')).toBeNull()
    })
  })

  it('keeps the whole address in full mode', () => {
    expect(clientIpFor('2001:DB8::1', 'full')).toBe('2001:db8::1')
    expect(clientIpFor('203.0.113.77', 'full')).toBe('203.0.113.77')
  })

  it('stores nothing in omit mode', () => {
    expect(clientIpFor('203.0.113.77', 'omit')).toBeNull()
  })

  it('stores nothing when there is no address', () => {
    expect(clientIpFor(undefined, 'anonymise')).toBeNull()
  })
})
