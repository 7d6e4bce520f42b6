/*
 * The bytes of JSON's structure, and the whitespace between tokens, as the two readers of raw
 * record bytes (fast-path.ts, field-locator.ts) spell them: one definition, so they never disagree
 * on what a token is.
 */
export const NEWLINE = 0x0a
export const QUOTE = 0x22
export const BACKSLASH = 0x5c
export const COMMA = 0x2c
export const COLON = 0x3a
export const OPEN = 0x7b
export const CLOSE = 0x7d
export const OPEN_ARRAY = 0x5b
export const CLOSE_ARRAY = 0x5d

/**
 * The index of the first byte at or after `i` that is not JSON whitespace (space, tab, LF, CR), or `end`.
 *
 * @example skipSpace(Buffer.from(' \t{'), 0, 3) // 2
 */
export function skipSpace(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i]
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break
    i++
  }
  return i
}
