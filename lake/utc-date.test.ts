import {describe, expect, it} from 'vitest'
import {utcDate} from './utc-date.js'

describe('utcDate', () => {
  it.each([
    [[0, 1, 1], '0000-01-01T00:00:00.000Z'],
    [[99, 1, 1], '0099-01-01T00:00:00.000Z'],
    [[999, 12, 31, 23, 59, 59], '0999-12-31T23:59:59.000Z'],
    [[2026, 2, 10, 5], '2026-02-10T05:00:00.000Z'],
    [[2024, 2, 29], '2024-02-29T00:00:00.000Z'],
  ])('builds %j as %s, taking two-digit years as they are', (parts, iso) => {
    const [y, mo, d, h, mi, s] = parts
    expect(utcDate(y, mo, d, h, mi, s)?.toISOString()).toBe(iso)
  })

  it.each([
    ['hour 24', [2026, 2, 10, 24]],
    ['month 13', [2026, 13, 1]],
    ['month 0', [2026, 0, 1]],
    ['day 32', [2026, 1, 32]],
    ['February 30th', [2026, 2, 30]],
    ['February 29th of a common year', [2100, 2, 29]],
    ['minute 60', [2026, 2, 10, 5, 60]],
    ['second 60', [2026, 2, 10, 5, 0, 60]],
    ['a five-digit year', [10000, 1, 1]],
    ['a fraction', [2026, 2, 10.5]],
    ['NaN', [Number.NaN, 1, 1]],
  ])('refuses %s instead of rolling it over', (_, parts) => {
    const [y, mo, d, h, mi, s] = parts
    expect(utcDate(y, mo, d, h, mi, s)).toBeUndefined()
  })
})
