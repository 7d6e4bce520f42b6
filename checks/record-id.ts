import {createHash} from 'node:crypto'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Writes a record id as 16 bytes at `out[offset]`: a UUID as its own bytes, any other string or
 * number as its MD5. Returns false when the value cannot be an id (missing, object, empty).
 *
 * @example idBytes('0b8f…-…', buffer, 0) // true, buffer[0..16) holds the UUID
 */
export function idBytes(value: unknown, out: Buffer, offset: number): boolean {
  if (typeof value === 'string') {
    if (value === '') return false
    if (value.length === 36 && UUID.test(value)) {
      out.write(value.slice(0, 8) + value.slice(9, 13) + value.slice(14, 18) + value.slice(19, 23) + value.slice(24), offset, 16, 'hex')
      return true
    }
    createHash('md5').update(value).digest().copy(out, offset)
    return true
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    createHash('md5').update(`#${value}`).digest().copy(out, offset)
    return true
  }
  return false
}
