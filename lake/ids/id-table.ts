const EMPTY = 0

/** What one slot of the table takes: the id's 16 bytes and its owner's 4. */
export const SLOT_BYTES = 20

// Linear probing stays short up to three quarters full with a well-mixed hash.
const MAX_LOAD = 0.75

/**
 * Mixes the four words of an id with a seed (murmur3's finaliser steps), so that attacker-chosen
 * ids cannot be made to share slots or spill partitions without knowing the seed.
 */
export function mixId(a: number, b: number, c: number, d: number, seed: number): number {
  let h = Math.imul(a ^ seed, 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35)
  h = Math.imul(h ^ (h >>> 16) ^ c, 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13) ^ d, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** Reads the little-endian word at `offset`. */
export function wordAt(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0
}

/** A random seed per process. */
export function randomSeed(): number {
  return (Math.random() * 0x1_0000_0000) >>> 0
}

/**
 * A hash set of 16-byte record ids, each remembering which object first held it. Ids live in
 * typed arrays (20 bytes a slot), not JS strings: 3 million ids take ~100 MB less than a Set.
 */
export class IdTable {
  private words: Uint32Array
  private owners: Uint32Array
  private mask: number
  private count = 0
  // A per-process seed: ids are attacker-controlled, so their slots must not be predictable.
  private readonly seed = randomSeed()

  /** @param capacity how many ids are expected, so the table need not grow on the way. */
  constructor(capacity = 1 << 16) {
    let size = 16
    while (size * MAX_LOAD < capacity) size *= 2
    this.words = new Uint32Array(size * 4)
    this.owners = new Uint32Array(size)
    this.mask = size - 1
  }

  get size(): number {
    return this.count
  }

  /**
   * Adds the id at `ids[offset..offset+16)` for object `owner` (0-based); returns the owner of an
   * earlier copy, or -1 when the id is new.
   *
   * @example table.add(ids, 0, 7) // -1 the first time, 7 on every later add of the same id
   */
  add(ids: Uint8Array, offset: number, owner: number): number {
    return this.addWords(wordAt(ids, offset), wordAt(ids, offset + 4), wordAt(ids, offset + 8), wordAt(ids, offset + 12), owner)
  }

  /** `add` for an id already read as four words. */
  addWords(a: number, b: number, c: number, d: number, owner: number): number {
    let slot = mixId(a, b, c, d, this.seed) & this.mask
    for (;;) {
      const held = this.owners[slot]
      if (held === EMPTY) break
      const w = slot * 4
      if (this.words[w] === a && this.words[w + 1] === b && this.words[w + 2] === c && this.words[w + 3] === d) return held - 1
      slot = (slot + 1) & this.mask
    }
    const w = slot * 4
    this.words[w] = a
    this.words[w + 1] = b
    this.words[w + 2] = c
    this.words[w + 3] = d
    this.owners[slot] = owner + 1
    if (++this.count > this.owners.length * MAX_LOAD) this.grow()
    return -1
  }

  /** Hands every id (as its four words) and its owner to `visit`, in slot order. */
  forEach(visit: (a: number, b: number, c: number, d: number, owner: number) => void): void {
    for (let slot = 0; slot < this.owners.length; slot++) {
      const held = this.owners[slot]
      if (held === EMPTY) continue
      const w = slot * 4
      visit(this.words[w], this.words[w + 1], this.words[w + 2], this.words[w + 3], held - 1)
    }
  }

  private grow(): void {
    const {words, owners} = this
    const size = owners.length * 2
    this.words = new Uint32Array(size * 4)
    this.owners = new Uint32Array(size)
    this.mask = size - 1
    for (let slot = 0; slot < owners.length; slot++) {
      if (owners[slot] === EMPTY) continue
      const w = slot * 4
      let to = mixId(words[w], words[w + 1], words[w + 2], words[w + 3], this.seed) & this.mask
      while (this.owners[to] !== EMPTY) to = (to + 1) & this.mask
      this.words.set(words.subarray(w, w + 4), to * 4)
      this.owners[to] = owners[slot]
    }
  }
}
