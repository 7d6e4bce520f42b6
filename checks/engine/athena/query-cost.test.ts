import {describe, expect, it} from 'vitest'

import {billedBytes, costUsd} from './query-cost.js'

describe('billedBytes', () => {
  describe.each<[string, number, 'SUCCEEDED' | 'CANCELLED' | 'FAILED', number]>([
    ['a query that scanned nothing', 0, 'SUCCEEDED', 10_000_000],
    ['a query under 10 MB', 4_200_000, 'SUCCEEDED', 10_000_000],
    ['a query past a megabyte boundary', 12_000_001, 'SUCCEEDED', 13_000_000],
    ['a cancelled query, for what it scanned', 55_000_000, 'CANCELLED', 55_000_000],
    ['a failed query', 55_000_000, 'FAILED', 0],
  ])('for %s', (_name, scanned, state, billed) => {
    it(`bills ${billed} bytes`, () => {
      expect(billedBytes(scanned, state)).toBe(billed)
    })
  })
})

describe('costUsd', () => {
  it('prices a terabyte (10^12 bytes) at the given rate', () => {
    expect(costUsd(3e12, 5)).toBe(15)
    expect(costUsd(1e12, 6.75)).toBe(6.75)
  })
})
