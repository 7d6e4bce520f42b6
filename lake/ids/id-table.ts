import {endianness} from 'node:os'

const EMPTY = 0

/** The words of one slot: the id's four, then its owner + 1 (0: empty), side by side. */
export const SLOT_WORDS = 5

/** What one slot of the table takes: the id's 16 bytes and its owner's 4. */
export const SLOT_BYTES = SLOT_WORDS * 4

// Linear probing stays short up to three quarters full with a well-mixed hash.
const MAX_LOAD = 0.75

// Ids are read as little-endian words (wordAt); a word view of them reads the same on such a host.
const LITTLE_ENDIAN = endianness() === 'LE'

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
 * A hash set of 16-byte record ids, each remembering which object first held it. Ids live in one
 * typed array, not JS strings (3 million ids take ~100 MB less than a Set): each slot holds the
 * id's four words and its owner side by side, so a probe reads one cache line (two for the quarter
 * of slots that straddle a 64-byte line), where the id and its owner in two arrays took two misses
 * on a table larger than the caches. lake/ids/native-id-table.ts adds batches to the same slots
 * natively; this class is its JavaScript twin, and the table where the addon is not built.
 */
export class IdTable {
  protected slots: Uint32Array
  protected mask: number
  private count = 0

  /**
   * @param capacity how many ids are expected, so the table need not grow on the way.
   * @param seed the hash's seed: ids are attacker-controlled, so their slots must not be predictable.
   */
  constructor(capacity = 1 << 16, protected readonly seed = randomSeed()) {
    let size = 16
    while (size * MAX_LOAD < capacity) size *= 2
    this.slots = this.allocate(size)
    this.mask = size - 1
  }

  get size(): number {
    return this.count
  }

  /** How many slots the table has (a power of two). */
  get capacity(): number {
    return this.mask + 1
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
    const {slots, mask} = this
    const end = mask * SLOT_WORDS
    let w = (mixId(a, b, c, d, this.seed) & mask) * SLOT_WORDS
    for (;;) {
      const held = slots[w + 4]
      if (held === EMPTY) break
      if (slots[w] === a && slots[w + 1] === b && slots[w + 2] === c && slots[w + 3] === d) return held - 1
      w = w === end ? 0 : w + SLOT_WORDS
    }
    slots[w] = a
    slots[w + 1] = b
    slots[w + 2] = c
    slots[w + 3] = d
    slots[w + 4] = owner + 1
    if (++this.count > this.capacity * MAX_LOAD) this.grow(this.capacity * 2)
    return -1
  }

  /**
   * Adds the `count` ids at the start of `ids` (16 bytes each, in order) for object `owner`, as
   * `count` calls of `add` would, and returns how many were seen before (earlier in the batch
   * too); for the k-th of them `out[2k]` is its index in the batch and `out[2k + 1]` its first
   * owner. `out` holds at least 2 × `count` numbers. The table grows first when the batch might
   * take it past three quarters full.
   *
   * @example const copies = table.addAll(scan.ids, scan.idIndexes.length, ordinal, out) // out[0], out[1]: the first copy's index and owner
   */
  addAll(ids: Uint8Array, count: number, owner: number, out: Int32Array): number {
    if (ids.length < count * 16 || out.length < count * 2) throw new RangeError(`addAll: ${count} ids need ${count * 16} bytes of ids and ${count * 2} numbers of out`)
    let size = this.capacity
    while (this.count + count > size * MAX_LOAD) size *= 2
    if (size > this.capacity) this.grow(size)
    const copies = this.insertAll(ids, count, owner, out)
    this.count += count - copies
    return copies
  }

  /**
   * Forgets every id, keeping the slots: cheaper than a new table of the same size, whose memory
   * is faulted in afresh (IdSpill reads 64 partitions one after another).
   *
   * @example table.clear(); table.size // 0
   */
  clear(): void {
    this.slots.fill(0)
    this.count = 0
  }

  /** Hands every id (as its four words) and its owner to `visit`, in slot order. */
  forEach(visit: (a: number, b: number, c: number, d: number, owner: number) => void): void {
    const {slots} = this
    for (let w = 0; w < slots.length; w += SLOT_WORDS) {
      const held = slots[w + 4]
      if (held !== EMPTY) visit(slots[w], slots[w + 1], slots[w + 2], slots[w + 3], held - 1)
    }
  }

  /** Zeroed memory for `size` slots. */
  protected allocate(size: number): Uint32Array {
    return new Uint32Array(size * SLOT_WORDS)
  }

  /** addAll's work once the table has room: puts the ids in and returns how many were copies. */
  protected insertAll(ids: Uint8Array, count: number, owner: number, out: Int32Array): number {
    const {slots, mask, seed} = this
    const end = mask * SLOT_WORDS
    const held = owner + 1
    // Reading ids four words at a time where their bytes are aligned saves three quarters of the loads.
    const words = LITTLE_ENDIAN && ids.byteOffset % 4 === 0 ? new Uint32Array(ids.buffer, ids.byteOffset, count * 4) : undefined
    let copies = 0
    for (let i = 0; i < count; i++) {
      const o = i * 16
      const a = words ? words[i * 4] : wordAt(ids, o)
      const b = words ? words[i * 4 + 1] : wordAt(ids, o + 4)
      const c = words ? words[i * 4 + 2] : wordAt(ids, o + 8)
      const d = words ? words[i * 4 + 3] : wordAt(ids, o + 12)
      let w = (mixId(a, b, c, d, seed) & mask) * SLOT_WORDS
      for (;;) {
        const earlier = slots[w + 4]
        if (earlier === EMPTY) {
          slots[w] = a
          slots[w + 1] = b
          slots[w + 2] = c
          slots[w + 3] = d
          slots[w + 4] = held
          break
        }
        if (slots[w] === a && slots[w + 1] === b && slots[w + 2] === c && slots[w + 3] === d) {
          out[copies * 2] = i
          out[copies * 2 + 1] = earlier - 1
          copies++
          break
        }
        w = w === end ? 0 : w + SLOT_WORDS
      }
    }
    return copies
  }

  /** Moves every id of `from` into the empty, larger `to`, in slot order. */
  protected rehash(from: Uint32Array, to: Uint32Array): void {
    const mask = to.length / SLOT_WORDS - 1
    const end = mask * SLOT_WORDS
    for (let f = 0; f < from.length; f += SLOT_WORDS) {
      if (from[f + 4] === EMPTY) continue
      let w = (mixId(from[f], from[f + 1], from[f + 2], from[f + 3], this.seed) & mask) * SLOT_WORDS
      while (to[w + 4] !== EMPTY) w = w === end ? 0 : w + SLOT_WORDS
      to.set(from.subarray(f, f + SLOT_WORDS), w)
    }
  }

  private grow(size: number): void {
    const from = this.slots
    const to = this.allocate(size)
    this.rehash(from, to)
    this.slots = to
    this.mask = size - 1
  }
}
