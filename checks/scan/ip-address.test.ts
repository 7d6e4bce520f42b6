import {describe, expect, it} from 'vitest'
import {addressKind, breaksIpPolicy} from './ip-address.js'

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
