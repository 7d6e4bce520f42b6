import {createHash} from 'node:crypto'

/**
 * The digest duplicate-object compares: SHA-256 of an object's stored bytes, in hex. Every engine
 * hashes through this one function, so the same bytes give the same digest whichever read them.
 *
 * @example objectDigest(await lake.read(key)) // 'e3b0c442…'
 */
export function objectDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}
