import {describe, expect, it} from 'vitest'
import {DecodeScratch} from './decode-scratch.js'

const MiB = 1 << 20

describe('DecodeScratch', () => {
  it('keeps its buffer for an object a little larger than the largest so far', () => {
    const scratch = new DecodeScratch()
    const first = scratch.room(3 * MiB)
    expect(scratch.room(5 * MiB)).toBe(first)
    expect(scratch.room(6 * MiB)).toBe(first)
  })

  it('grows past a request that outruns its headroom, never to less than asked', () => {
    const scratch = new DecodeScratch()
    const first = scratch.room(3 * MiB)
    const grown = scratch.room(7 * MiB)
    expect(grown).not.toBe(first)
    expect(grown.length).toBeGreaterThanOrEqual(7 * MiB)
  })

  it('adds at most 32 MiB of headroom to a large request', () => {
    const scratch = new DecodeScratch()
    expect(scratch.room(100 * MiB).length).toBeLessThanOrEqual(132 * MiB)
  })

  it('gives back a buffer past 256 MiB when released, and keeps a smaller one', () => {
    const scratch = new DecodeScratch()
    const small = scratch.room(2 * MiB)
    scratch.release()
    expect(scratch.room(0)).toBe(small)
    scratch.room(300 * MiB)
    scratch.release()
    expect(scratch.room(0).length).toBe(0)
  })
})
