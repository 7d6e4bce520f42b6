import {describe, expect, it} from 'vitest'
import {formatBytes, formatBytesOf} from './format-bytes.js'

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [147_009, '147 kB'],
    [999_600, '1.0 MB'],
    [2_411_724, '2.4 MB'],
    [9_949_999, '9.9 MB'],
    [9_960_000, '10 MB'],
    [208_000_000, '208 MB'],
    [1_260_000_000, '1.3 GB'],
  ])('prints %i bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })
})

describe('formatBytesOf', () => {
  it('prints both figures in the unit and rounding of the total', () => {
    expect(formatBytesOf(900_000, 2_411_724)).toBe('0.9 of 2.4 MB')
    expect(formatBytesOf(4_200_000, 25_000_000)).toBe('4 of 25 MB')
  })

  it.each([147_009, 2_411_724, 2_500_000, 9_950_000, 999_600, 12])('ends, at %i bytes, on the figure the summary prints', (total) => {
    expect(formatBytesOf(total, total).split(' of ')[1]).toBe(formatBytes(total))
  })
})
