import {closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {type IdTable, mixId, randomSeed, wordAt} from './id-table.js'
import {newIdTable} from './native-id-table.js'
import {keepOnExit, removeOnExit} from '../remove-on-exit.js'

// Spill folders are removed on every way out, signals included (see lake/remove-on-exit.ts):
// only SIGKILL can leave one behind.
function makeSpillDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pixel-ids-'))
  removeOnExit(dir)
  return dir
}

function removeSpillDir(dir: string): void {
  rmSync(dir, {recursive: true, force: true})
  keepOnExit(dir)
}

// An entry: the id's four words, the ordinal of its object, its record index in that object.
const ENTRY_WORDS = 6
const BUFFER_ENTRIES = 1 << 14
// The shortest run of one object's ids that findDuplicates adds as one batch.
const BATCH_AT_LEAST = 16

/**
 * Ids kept on disk, split by a hash of the id into partitions, for days with more ids than the
 * memory budget holds. Every copy of an id lands in the same partition, in the order the ids were
 * appended, so reading one partition at a time finds each duplicate and its earliest original
 * with only that partition in memory: 100 million ids take 64 partitions of ~40 MB.
 *
 * @example const spill = new IdSpill(64); spill.append(ids, 0, 3, 12); spill.findDuplicates(onCopy); spill.close()
 */
export class IdSpill {
  private readonly dir = makeSpillDir()
  private readonly files: number[]
  private readonly buffers: Uint32Array[]
  private readonly filled: number[]
  private readonly seed = randomSeed()
  private readonly shift: number

  /** @param partitions a power of two */
  constructor(private readonly partitions = 64) {
    this.shift = 32 - Math.log2(partitions)
    this.files = Array.from({length: partitions}, (_, p) => openSync(join(this.dir, `ids-${p}`), 'w+'))
    this.buffers = Array.from({length: partitions}, () => new Uint32Array(BUFFER_ENTRIES * ENTRY_WORDS))
    this.filled = new Array<number>(partitions).fill(0)
  }

  /** Appends one id, given as its four words. */
  appendWords(a: number, b: number, c: number, d: number, ordinal: number, index: number): void {
    const p = this.partitions === 1 ? 0 : mixId(a, b, c, d, this.seed) >>> this.shift
    const buffer = this.buffers[p]
    let at = this.filled[p] * ENTRY_WORDS
    buffer[at++] = a
    buffer[at++] = b
    buffer[at++] = c
    buffer[at++] = d
    buffer[at++] = ordinal
    buffer[at] = index
    if (++this.filled[p] === BUFFER_ENTRIES) this.flush(p)
  }

  /** Appends the id at `ids[offset..offset+16)`. */
  append(ids: Uint8Array, offset: number, ordinal: number, index: number): void {
    this.appendWords(wordAt(ids, offset), wordAt(ids, offset + 4), wordAt(ids, offset + 8), wordAt(ids, offset + 12), ordinal, index)
  }

  /**
   * Reads the partitions back one at a time and calls `onCopy` for every id seen before, with the
   * copy's object ordinal and record index and the ordinal of the object that held it first.
   */
  findDuplicates(onCopy: (ordinal: number, index: number, original: number) => void): void {
    for (let p = 0; p < this.partitions; p++) this.flush(p)
    let batch = new DataView(new ArrayBuffer(16 * 1024))
    let out = new Int32Array(2 * 1024)
    let table: IdTable | undefined
    for (let p = 0; p < this.partitions; p++) {
      let bytes = readFileSync(join(this.dir, `ids-${p}`))
      if (bytes.byteOffset % 4 !== 0) bytes = Buffer.from(bytes) // a word view needs 4-byte alignment
      const entries = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
      const count = entries.length / ENTRY_WORDS
      // One table for every partition, cleared between them (they are about the same size).
      if (table) table.clear()
      else table = newIdTable(count)
      // Entries were appended object by object: each run of one object's ids goes in as one batch
      // (the native table's, with its probes prefetched), as many adds in a row would.
      for (let start = 0; start < count;) {
        const ordinal = entries[start * ENTRY_WORDS + 4]
        let end = start + 1
        while (end < count && entries[end * ENTRY_WORDS + 4] === ordinal) end++
        const n = end - start
        if (n < BATCH_AT_LEAST) {
          // A short run (the ids a table spilled whole, in slot order, have owners in no order): a
          // call into the native table per id costs more than adding it here.
          for (let e = start * ENTRY_WORDS; e < end * ENTRY_WORDS; e += ENTRY_WORDS) {
            const original = table.addWords(entries[e], entries[e + 1], entries[e + 2], entries[e + 3], ordinal)
            if (original >= 0) onCopy(ordinal, entries[e + 5], original)
          }
          start = end
          continue
        }
        if (batch.byteLength < 16 * n) batch = new DataView(new ArrayBuffer(32 * n))
        if (out.length < 2 * n) out = new Int32Array(4 * n)
        // The words as wordAt read them: little-endian, whatever the host's byte order.
        for (let k = 0, e = start * ENTRY_WORDS; k < n; k++, e += ENTRY_WORDS) {
          batch.setUint32(16 * k, entries[e], true)
          batch.setUint32(16 * k + 4, entries[e + 1], true)
          batch.setUint32(16 * k + 8, entries[e + 2], true)
          batch.setUint32(16 * k + 12, entries[e + 3], true)
        }
        const copies = table.addAll(new Uint8Array(batch.buffer, 0, 16 * n), n, ordinal, out)
        for (let c = 0; c < copies; c++) onCopy(ordinal, entries[(start + out[2 * c]) * ENTRY_WORDS + 5], out[2 * c + 1])
        start = end
      }
    }
  }

  private closed = false

  /** Deletes the partition files; a second call does nothing. */
  close(): void {
    if (this.closed) return
    this.closed = true
    for (const fd of this.files) closeSync(fd)
    removeSpillDir(this.dir)
  }

  private flush(p: number): void {
    if (this.filled[p] === 0) return
    const words = this.buffers[p].subarray(0, this.filled[p] * ENTRY_WORDS)
    writeSync(this.files[p], new Uint8Array(words.buffer, words.byteOffset, words.byteLength))
    this.filled[p] = 0
  }
}
