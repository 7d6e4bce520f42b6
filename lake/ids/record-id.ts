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

const HEX = new Int16Array(256).fill(-1)
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i
for (let i = 0; i < 6; i++) HEX[0x61 + i] = HEX[0x41 + i] = 10 + i

/**
 * The same 16 bytes as `idBytes` for an ASCII id string that sits in `text[start, end)`, without
 * making a JS string of it (the checker's fast path calls this once per record).
 *
 * @example idBytesAt(line, 12, 48, ids, 0)
 */
export function idBytesAt(text: Uint8Array, start: number, end: number, out: Uint8Array, offset: number): boolean {
  if (end === start) return false
  if (end - start === 36 && text[start + 8] === 0x2d && text[start + 13] === 0x2d && text[start + 18] === 0x2d && text[start + 23] === 0x2d) {
    let o = offset
    let ok = true
    for (let i = start; i < end; i++) {
      if (i - start === 8 || i - start === 13 || i - start === 18 || i - start === 23) continue
      const hi = HEX[text[i]]
      const lo = HEX[text[++i]]
      if (hi < 0 || lo < 0) ok = false
      out[o++] = (hi << 4) | lo
    }
    if (ok) return true
  }
  const digest = createHash('md5').update(text.subarray(start, end)).digest()
  out.set(digest, offset)
  return true
}
