import {describe, expect, it} from 'vitest'

import {MinuteCounts} from './minute-counts.js'

describe('MinuteCounts', () => {
  it('counts per minute, oldest first, with zeros for quiet minutes, and forgets minutes past its window', () => {
    let now = Date.parse('2026-12-02T13:00:30Z')
    const counts = new MinuteCounts(3, () => now)
    counts.add('hits', 2)
    counts.add('records', 5)
    now += 60_000
    counts.add('refused', 1)
    now += 120_000
    counts.add('records', 7)
    expect(counts.series()).toEqual([
      {minute: '2026-12-02T13:01:00.000Z', hits: 0, records: 0, refused: 1},
      {minute: '2026-12-02T13:02:00.000Z', hits: 0, records: 0, refused: 0},
      {minute: '2026-12-02T13:03:00.000Z', hits: 0, records: 7, refused: 0},
    ])
  })

  it('does not carry a slot\'s counts into the minute that reuses it', () => {
    let now = Date.parse('2026-12-02T13:00:00Z')
    const counts = new MinuteCounts(2, () => now)
    counts.add('hits', 9)
    now += 2 * 60_000
    counts.add('hits', 1)
    expect(counts.series().map((m) => m.hits)).toEqual([0, 1])
  })
})
