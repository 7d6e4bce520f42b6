import {type Finding, finding} from '../report/report.js'

/**
 * Finds objects whose bytes are identical to an earlier object's (a retried delivery, a copy);
 * objects must be shown in (partition hour, key) order so the earliest counts as the original.
 * An object that holds nothing (empty, or only blank lines, or not read at all) duplicates
 * nothing: two of them are not a copy of anything, and whatever is wrong with each is its own
 * finding (an empty `.gz` is a corrupt-object).
 *
 * @example const dupes = new DuplicateObjects(); dupes.see(scan) // a finding for the second copy
 */
export class DuplicateObjects {
  private readonly firstByDigest = new Map<string, string>()

  see(object: {key: string; hour: string; digest: string; bytes: number; records: number; unparseable: number}): Finding | undefined {
    // Unhashed: ObjectDigests found no object it could copy.
    if (object.records + object.unparseable === 0 || object.digest === '') return undefined
    const original = this.firstByDigest.get(object.digest)
    if (original === undefined) {
      this.firstByDigest.set(object.digest, object.key)
      return undefined
    }
    return finding('duplicate-object', {
      hour: object.hour,
      key: object.key,
      count: 1,
      message: `${object.key} is a byte-for-byte copy of ${original}`,
      samples: [{key: original, index: null, pointer: null, message: 'original'}],
    })
  }
}
