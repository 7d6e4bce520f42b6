import {describe, expect, it} from 'vitest'

import {backoffDelay, sleep} from './backoff.js'

describe('backoffDelay', () => {
  const backoff = {initialMs: 200, maxMs: 5000}

  describe.each([
    [0, 100, 200],
    [1, 200, 400],
    [3, 800, 1600],
    [10, 2500, 5000],
  ])('before try %i', (attempt, low, high) => {
    it(`waits between ${low} and ${high} ms`, () => {
      expect(backoffDelay(backoff, attempt, () => 0)).toBe(low)
      expect(backoffDelay(backoff, attempt, () => 1)).toBe(high)
    })
  })

  it('spreads clients polling at once over a range', () => {
    const delays = new Set(Array.from({length: 20}, () => backoffDelay(backoff, 4)))
    expect(delays.size).toBeGreaterThan(1)
  })
})

describe('sleep', () => {
  it('rejects with the reason as soon as its signal aborts', async () => {
    const controller = new AbortController()
    const waiting = sleep(60_000, controller.signal)
    controller.abort(new Error('stop'))
    await expect(waiting).rejects.toThrow('stop')
  })
})
