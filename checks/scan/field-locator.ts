import {BACKSLASH, CLOSE, COLON, COMMA, OPEN, QUOTE, skipSpace} from './json-bytes.js'

const indexOf = Buffer.prototype.indexOf as (this: Uint8Array, value: Uint8Array | number, byteOffset: number) => number
const lastIndexOf = Buffer.prototype.lastIndexOf as (this: Uint8Array, value: number, byteOffset: number) => number

let sawEscape = false

/** The index of the quote closing a string whose contents start at `i`, or -1; skips escapes and notes them in sawEscape. */
function stringEnd(b: Uint8Array, i: number, end: number): number {
  sawEscape = false
  for (; i < end; i++) {
    if (b[i] === BACKSLASH) {
      sawEscape = true
      i++
    } else if (b[i] === QUOTE) return i
  }
  return -1
}

/** Where a value sits in a line: [start, end) of a string's contents, or of a literal's text. */
export interface LocatedValue {
  start: number
  end: number
  string: boolean
  /** The string holds escapes: decode it with JSON.parse rather than reading its bytes. */
  escaped: boolean
}

/**
 * Finds one top-level field's value in the lines the fast path proved valid, from their bytes.
 * In such a line `"name"` followed by a colon is always a property name (a key with escapes is
 * never proven valid, and inside a string a quote is escaped); the depth is checked so a nested
 * object's field of the same name is not taken, and of repeated names the last wins, as in
 * JSON.parse. One forward search over the whole text serves every line, so a field that most
 * lines lack costs no per-line search.
 *
 * @example const source = new FieldLocator(text, 'source'); source.find(start, end, out)
 */
export class FieldLocator {
  private readonly key: Uint8Array
  private next = -1

  constructor(private readonly text: Uint8Array, name: string) {
    this.key = Buffer.from(JSON.stringify(name), 'utf8')
  }

  /** The field's value in the line [start, end), into `out`; false when the line has none. */
  find(start: number, end: number, out: LocatedValue): boolean {
    const b = this.text
    if (this.next < start && this.next !== -2) {
      this.next = indexOf.call(b, this.key, start)
      if (this.next < 0) this.next = -2 // no more in this text
    }
    let found = false
    for (let at = this.next; at >= start && at < end; at = indexOf.call(b, this.key, at + 1)) {
      this.next = at
      let i = skipSpace(b, at + this.key.length, end)
      if (b[i] !== COLON || !this.topLevel(start, at)) continue
      i = skipSpace(b, i + 1, end)
      if (b[i] === QUOTE) {
        const close = stringEnd(b, i + 1, end)
        if (close < 0) return false
        out.start = i + 1
        out.end = close
        out.string = true
        out.escaped = sawEscape
      } else {
        let e = i
        while (e < end && b[e] !== COMMA && b[e] !== CLOSE && b[e] !== 0x20 && b[e] !== 0x09 && b[e] !== 0x0d && b[e] !== 0x0a) e++
        out.start = i
        out.end = e
        out.string = false
        out.escaped = false
      }
      found = true
    }
    return found
  }

  /** Whether the name at `at` belongs to the line's root object. */
  private topLevel(start: number, at: number): boolean {
    const b = this.text
    const root = skipSpace(b, start, at)
    // Names live only in objects: with no other `{` before it, this one is the root's.
    if (lastIndexOf.call(b, OPEN, at) === root) return true
    let depth = 0
    for (let i = root; i < at; i++) {
      const c = b[i]
      if (c === QUOTE) {
        const close = stringEnd(b, i + 1, at)
        if (close < 0) return false
        i = close
      } else if (c === OPEN || c === 0x5b) depth++
      else if (c === CLOSE || c === 0x5d) depth--
    }
    return depth === 1
  }
}
