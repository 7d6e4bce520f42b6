const QUOTE = 0x22
const COLON = 0x3a
const OPEN = 0x7b
const CLOSE = 0x7d
const COMMA = 0x2c

const indexOf = Buffer.prototype.indexOf as (this: Uint8Array, value: Uint8Array | number, byteOffset: number) => number
const lastIndexOf = Buffer.prototype.lastIndexOf as (this: Uint8Array, value: number, byteOffset: number) => number

function skipSpace(b: Uint8Array, i: number, end: number): number {
  while (i < end && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0d || b[i] === 0x0a)) i++
  return i
}

/** Where a value sits in a line: [start, end) of a string's contents, or of a literal's text. */
export interface LocatedValue {
  start: number
  end: number
  string: boolean
}

/**
 * Finds one top-level field's value in the lines the fast path proved valid, from their bytes.
 * Such lines hold no escapes and no repeated names, so `"name"` followed by a colon is always a
 * property name; only a nested object (a map the schema allows) can hold a deeper one, and then
 * the depth is counted. One forward search over the whole text serves every line, so a field
 * that most lines lack costs no per-line search.
 *
 * @example const source = new FieldLocator(text, 'source', true); source.find(start, end, out)
 */
export class FieldLocator {
  private readonly key: Uint8Array
  private next = -1

  constructor(private readonly text: Uint8Array, name: string, private readonly nested: boolean) {
    this.key = Buffer.from(JSON.stringify(name), 'utf8')
  }

  /** The field's value in the line [start, end), into `out`; false when the line has none. */
  find(start: number, end: number, out: LocatedValue): boolean {
    const b = this.text
    if (this.next < start && this.next !== -2) {
      this.next = indexOf.call(b, this.key, start)
      if (this.next < 0) this.next = -2 // no more in this text
    }
    for (let at = this.next; at >= start && at < end; at = indexOf.call(b, this.key, at + 1)) {
      this.next = at
      let i = skipSpace(b, at + this.key.length, end)
      if (b[i] !== COLON || (this.nested && !this.topLevel(start, at))) continue
      i = skipSpace(b, i + 1, end)
      if (b[i] === QUOTE) {
        const close = indexOf.call(b, QUOTE, i + 1)
        if (close < 0 || close >= end) return false
        out.start = i + 1
        out.end = close
        out.string = true
        return true
      }
      let e = i
      while (e < end && b[e] !== COMMA && b[e] !== CLOSE && b[e] !== 0x20 && b[e] !== 0x09 && b[e] !== 0x0d && b[e] !== 0x0a) e++
      out.start = i
      out.end = e
      out.string = false
      return true
    }
    return false
  }

  // Plain lines hold no escapes: every quote opens or closes a string.
  private topLevel(start: number, at: number): boolean {
    const b = this.text
    const root = skipSpace(b, start, at)
    if (lastIndexOf.call(b, OPEN, at) === root) return true
    let depth = 0
    let inString = false
    for (let i = root; i < at; i++) {
      const c = b[i]
      if (c === QUOTE) inString = !inString
      else if (!inString && c === OPEN) depth++
      else if (!inString && c === CLOSE) depth--
    }
    return depth === 1
  }
}
