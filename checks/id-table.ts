const EMPTY = 0

// Linear probing stays short up to three quarters full with a well-mixed hash.
const MAX_LOAD = 0.75

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
  private readonly seed = (Math.random() * 0x1_0000_0000) >>> 0

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
    const a = (ids[offset] | (ids[offset + 1] << 8) | (ids[offset + 2] << 16) | (ids[offset + 3] << 24)) >>> 0
    const b = (ids[offset + 4] | (ids[offset + 5] << 8) | (ids[offset + 6] << 16) | (ids[offset + 7] << 24)) >>> 0
    const c = (ids[offset + 8] | (ids[offset + 9] << 8) | (ids[offset + 10] << 16) | (ids[offset + 11] << 24)) >>> 0
    const d = (ids[offset + 12] | (ids[offset + 13] << 8) | (ids[offset + 14] << 16) | (ids[offset + 15] << 24)) >>> 0
    let slot = this.hash(a, b, c, d) & this.mask
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

  private hash(a: number, b: number, c: number, d: number): number {
    let h = Math.imul(a ^ this.seed, 0x85ebca6b)
    h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35)
    h = Math.imul(h ^ (h >>> 16) ^ c, 0x85ebca6b)
    h = Math.imul(h ^ (h >>> 13) ^ d, 0xc2b2ae35)
    return (h ^ (h >>> 16)) >>> 0
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
      let to = this.hash(words[w], words[w + 1], words[w + 2], words[w + 3]) & this.mask
      while (this.owners[to] !== EMPTY) to = (to + 1) & this.mask
      this.words.set(words.subarray(w, w + 4), to * 4)
      this.owners[to] = owners[slot]
    }
  }
}
