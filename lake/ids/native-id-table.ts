import {join} from 'node:path'
import {IdTable, SLOT_BYTES} from './id-table.js'
import {loadAddon} from '../native-addon.js'
import {PACKAGE_ROOT} from '../package-root.js'

interface Binding {
  insertAll(slots: Uint32Array, seed: number, held: number, ids: Uint8Array, count: number, owner: number, out: Int32Array): number
  rehash(from: Uint32Array, to: Uint32Array, seed: number): void
  allocate(bytes: number): ArrayBuffer
}

/** Where `npm ci` (the build:native script) puts the native id table. */
export const NATIVE_ID_TABLE_PATH = join(PACKAGE_ROOT, 'lake/ids/native/build/Release/id_table.node')

// A machine that could not build it keeps IdTable in JavaScript: the same answers, slower.
const binding = loadAddon<Binding>(NATIVE_ID_TABLE_PATH)

/** Whether the native id table is built and loaded here. */
export const nativeIdTableLoaded = binding !== undefined

/**
 * An IdTable whose batches (`addAll`) and growth run natively (lake/ids/native/id_table.cc):
 * each object's ids are hashed first and their slots prefetched ahead of the probes, so the cache
 * misses of a large table overlap instead of coming one at a time. Its memory is one mapping, which
 * V8 counts and frees as an ArrayBuffer. The slots, seed and probing are IdTable's, so `add`,
 * `size` and `forEach` are IdTable's own.
 *
 * @example const table = new NativeIdTable(5_000_000); table.addAll(ids, count, ordinal, out)
 */
export class NativeIdTable extends IdTable {
  constructor(capacity?: number, seed?: number) {
    if (!binding) throw new Error(`the native id table is not built (${NATIVE_ID_TABLE_PATH})`)
    super(capacity, seed)
  }

  protected override allocate(size: number): Uint32Array {
    return new Uint32Array(binding!.allocate(size * SLOT_BYTES))
  }

  protected override insertAll(ids: Uint8Array, count: number, owner: number, out: Int32Array): number {
    return count === 0 ? 0 : binding!.insertAll(this.slots, this.seed, this.size, ids, count, owner, out)
  }

  protected override rehash(from: Uint32Array, to: Uint32Array): void {
    binding!.rehash(from, to, this.seed)
  }
}

/**
 * An id table: native where it is built (and PIXEL_NATIVE is not 0), else IdTable in JavaScript,
 * with the same answers.
 *
 * @example const table = newIdTable(expectedIds)
 */
export function newIdTable(capacity?: number): IdTable {
  return binding ? new NativeIdTable(capacity) : new IdTable(capacity)
}
