import {objectDigest} from '../../lake/codec/object-digest.js'
import type {Lake} from '../../lake/store/lake.js'

/** What DuplicateObjects reads of a scan; a digest of '' means its bytes were not hashed. */
export interface DigestedObject {
  key: string
  hour: string
  digest: string
  /** The object's length as read. */
  bytes: number
  records: number
  unparseable: number
}

/**
 * Decides which objects' bytes are hashed (SHA-256) for duplicate-object. A byte-for-byte copy
 * has its original's length, so an object whose listed size no other object of the scope shares,
 * and which reads at that size, copies nothing and is not hashed (on a day of lake objects, the
 * hash was 5% of a scan worker's CPU).
 *
 * An object whose size changed between the listing and its read is hashed, and then an earlier
 * object judged without a hash may share its new length: `settle` hashes that one late, read again
 * from the lake, and hands it back to be seen first, so the earlier object stays the original.
 *
 * @example const digests = new ObjectDigests(objects); scanObject(object, bytes, {...options, digest: digests.wants(object.size, bytes.length)})
 */
export class ObjectDigests {
  private readonly listed = new Map<number, number>()
  /** Lengths of the hashed objects judged so far. */
  private readonly hashed = new Set<number>()
  /** By length, the earlier objects with records that were judged without a hash. */
  private readonly unhashed = new Map<number, DigestedObject>()

  constructor(objects: readonly {size: number}[]) {
    for (const {size} of objects) this.listed.set(size, (this.listed.get(size) ?? 0) + 1)
  }

  /** Whether another object of the scope is listed at `size` too. */
  sharesSize(size: number): boolean {
    return (this.listed.get(size) ?? 0) > 1
  }

  /** Whether an object listed at `listedSize` and read at `bytes` must be hashed as it is scanned. */
  wants(listedSize: number, bytes: number): boolean {
    return bytes !== listedSize || this.sharesSize(listedSize)
  }

  /**
   * Called for each scan in judging order, before DuplicateObjects sees it. Gives `scan` a digest if
   * a hashed object of its length came before it; returns the earlier unhashed object of the same
   * length as a hashed `scan`, now hashed, to be seen before it. `digestOf` reads and hashes an
   * object again (undefined if it is gone).
   */
  async settle(scan: DigestedObject, digestOf: (key: string) => Promise<string | undefined>): Promise<DigestedObject[]> {
    if (scan.records + scan.unparseable === 0) return []
    if (scan.digest === '') {
      if (!this.hashed.has(scan.bytes) && !this.unhashed.has(scan.bytes)) {
        this.unhashed.set(scan.bytes, {...scan})
        return []
      }
      scan.digest = (await digestOf(scan.key)) ?? ''
      if (scan.digest === '') return []
    }
    this.hashed.add(scan.bytes)
    const earlier = this.unhashed.get(scan.bytes)
    if (earlier === undefined) return []
    this.unhashed.delete(scan.bytes)
    earlier.digest = (await digestOf(earlier.key)) ?? ''
    return earlier.digest === '' ? [] : [earlier]
  }
}

/**
 * The digests of the objects that share their listed size with another (only those can be
 * byte-for-byte copies), read and hashed, by key, as the SQL engines' probe results hold them for
 * duplicate-object.
 *
 * @example const probed = await digestsOfEqualSizes(lake, objects) // Map { key => {digest: 'e3b0c442…'} }
 */
export async function digestsOfEqualSizes(lake: Lake, objects: readonly {key: string; size: number}[]): Promise<Map<string, {digest: string}>> {
  const shared = new ObjectDigests(objects)
  const digests = new Map<string, {digest: string}>()
  for (const {key, size} of objects) if (shared.sharesSize(size)) digests.set(key, {digest: objectDigest(await lake.read(key))})
  return digests
}
