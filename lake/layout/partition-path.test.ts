import {describe, expect, it} from 'vitest'
import {hourOfFolders, partitionFolders} from './partition-path.js'

describe('hourOfFolders', () => {
  it.each([
    ['year=2026/month=2/day=10/hour=20/README.txt', '2026-02-10T20'],
    ['year=0099/month=01/day=01/hour=05/x', '0099-01-01T05'],
    ['year=0000/month=01/day=01/hour=00/x', '0000-01-01T00'],
  ])('reads %s as the hour %s', (key, hour) => {
    expect(hourOfFolders(key)).toBe(hour)
  })

  it.each([
    ['hour=24', 'year=2026/month=02/day=10/hour=24/pixel.gz'],
    ['day=32', 'year=2026/month=01/day=32/hour=00/pixel.gz'],
    ['month=13', 'year=2026/month=13/day=01/hour=00/pixel.gz'],
    ['February 30th', 'year=2026/month=02/day=30/hour=00/pixel.gz'],
    ['no hour folder', 'year=2026/month=02/day=10/_SUCCESS'],
  ])('names no hour for %s, rather than rolling it into the next', (_, key) => {
    expect(hourOfFolders(key)).toBeNull()
  })
})

describe('partitionFolders', () => {
  it('finds a value whatever its zero padding', () => {
    expect(partitionFolders(['hour=5', 'hour=05', 'hour=6', 'hour=24'], 'hour', 5)).toEqual(['hour=5', 'hour=05'])
  })
})
