// WRITTEN TWICE: checks/scan/native/fast_scan.cc is this fast path in C++, used where it is
// built (native-scan.ts loads it). This file is the reference. Change them together: a node kind,
// keyword or verdict added or changed here, in the program (fast-path-program.ts) or in its
// compiler (fast-path-compile.ts) needs the same change in fast_scan.cc, and the layout of the
// scanner's output arrays is shared with native-scan.ts. checks/scan/native-scan.test.ts holds the
// two to the same verdicts, ids and times (mutated records, every object of the sample lake, the
// schema corpus); checks/scan/fast-path-differential.test.ts holds the fast path to ajv.
import {fullFormats} from 'ajv-formats/dist/formats.js'
import {ANY_NODE, type FastPathProgram, KIND, type ProgramNode, type ScannedLine} from './fast-path-program.js'
import {type JavaScriptCompletion, type LineAbsorber, nativeScanner} from './native-scan.js'
import {BACKSLASH, CLOSE, CLOSE_ARRAY, COLON, COMMA, NEWLINE, OPEN, OPEN_ARRAY, QUOTE, skipSpace} from './json-bytes.js'

/**
 * A validator that reads a record's bytes against the compiled schema (fast-path-compile.ts)
 * without building a JS object. Each value gets one of three verdicts: VALID, INVALID (the value
 * is certainly rejected, used to decide `oneOf`, `anyOf` and `contains`), or UNDECIDED. Only a
 * record proven VALID skips ajv: anything else (an unknown keyword, a duplicate key, invalid
 * UTF-8, a number id) goes to JSON.parse and ajv, so the verdicts are ajv's by construction.
 */


const UNDECIDED = -1
const INVALID = -2
/** Deeper values are left to ajv (recursive schemas, hostile nesting). */
const MAX_DEPTH = 64

/** Where the id and time values of a proven-valid record sit in its line. */
export interface FastRecord {
  idStart: number
  idEnd: number
  timeStart: number
  timeEnd: number
  /** The record's time in ms since the epoch, NaN when it has no time field. */
  time: number
  /** Where the program's other root fields sit, as ScannedLine.fields. */
  fields: Int32Array
}

export interface FastPath {
  readonly program: FastPathProgram
  /** Whether `scanText` runs in C++ (checks/scan/native/fast_scan.cc) rather than in JavaScript. */
  readonly native: boolean
  /** The position of a root field in ScannedLine.fields (value start at 2k, end at 2k + 1), or -1 when it is not located. */
  fieldIndex(name: string): number
  /**
   * Visits every line of an object's text (whitespace-only lines may be left out) with the
   * verdict of `scan`; the visited object is reused from line to line. Given an absorber, the
   * native scanner counts plain lines itself instead of visiting them (see LineAbsorber); the
   * JavaScript one visits every line all the same.
   */
  scanText(text: Uint8Array, visit: (line: ScannedLine) => void, absorber?: LineAbsorber): void
  /**
   * True when the bytes in [start, end) are one JSON value the schema accepts. `plain` says the
   * line holds only printable ASCII (see PlainLines), which lets strings be read faster.
   */
  scan(bytes: Uint8Array, start: number, end: number, out: FastRecord, plain: boolean): boolean
}

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function digit(b: Uint8Array, i: number): number {
  const d = b[i] - 0x30
  return d >= 0 && d <= 9 ? d : -1
}

/** The number written by `count` ASCII digits at `i`, or -1 when any of them is not a digit. */
function digits(b: Uint8Array, i: number, count: number): number {
  let n = 0
  for (let k = 0; k < count; k++) {
    const d = digit(b, i + k)
    if (d < 0) return -1
    n = n * 10 + d
  }
  return n
}

/** `YYYY-MM-DDTHH:MM:SS[.f+]Z` with a real date: the ms since the epoch (as Date.parse), or NaN. */
export function strictDateTime(b: Uint8Array, s: number, e: number): number {
  const n = e - s
  if (n < 20 || b[s + 4] !== 0x2d || b[s + 7] !== 0x2d || b[s + 10] !== 0x54 || b[s + 13] !== COLON || b[s + 16] !== COLON || b[e - 1] !== 0x5a) return Number.NaN
  const year = digits(b, s, 4)
  const month = digits(b, s + 5, 2)
  const day = digits(b, s + 8, 2)
  const hour = digits(b, s + 11, 2)
  const minute = digits(b, s + 14, 2)
  const second = digits(b, s + 17, 2)
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return Number.NaN
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  if (day > (month === 2 && leap ? 29 : DAYS[month])) return Number.NaN
  let ms = 0
  if (n > 20) {
    if (b[s + 19] !== 0x2e || n < 22) return Number.NaN
    for (let i = s + 20; i < e - 1; i++) {
      const d = digit(b, i)
      if (d < 0) return Number.NaN
      if (i < s + 23) ms = ms * 10 + d
    }
    for (let i = Math.min(e - 1, s + 23); i < s + 23; i++) ms *= 10
  }
  // Days since the epoch from the civil date (Howard Hinnant's days_from_civil): Date.UTC's result
  // without its call, which costs more than the rest of this function.
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  const days = era * 146097 + doe - 719468
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms
}

function equalBytes(b: Uint8Array, s: number, e: number, expected: Uint8Array): boolean {
  if (e - s !== expected.length) return false
  for (let i = 0; i < expected.length; i++) if (b[s + i] !== expected[i]) return false
  return true
}

const indexOf = Buffer.prototype.indexOf as (this: Uint8Array, value: number, byteOffset: number) => number
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string
const utf8Slice = Buffer.prototype.utf8Slice as (this: Uint8Array, start: number, end: number) => string

// Anything but printable ASCII or a newline: escapes, control characters (tabs too) and non-ASCII
// text are read byte by byte.
const NOT_PLAIN = /[^\n\x20-\x5b\x5d-\x7e]/g

// Texts are read in windows of this many bytes, well under V8's longest string (about 512 MiB).
const PLAIN_WINDOW = 1 << 28

/**
 * Finds the lines of an object's text that hold only printable ASCII, with one native regex pass
 * over the text rather than a check per line or per byte. The text is looked at in windows, so
 * an object larger than the longest string JavaScript can hold is read too.
 *
 * @example const plain = new PlainLines(text); plain.isPlain(0, 120)
 */
export class PlainLines {
  private window = ''
  private windowStart = -1
  private nextBad = -1

  constructor(private readonly bytes: Uint8Array, private readonly windowBytes = PLAIN_WINDOW) {}

  /** Whether [start, end) is plain; lines must be asked about in order. */
  isPlain(start: number, end: number): boolean {
    if (this.nextBad < start) this.nextBad = this.firstBadFrom(start)
    return this.nextBad >= end
  }

  private firstBadFrom(from: number): number {
    const {bytes, windowBytes} = this
    while (from < bytes.length) {
      const windowStart = from - (from % windowBytes)
      if (windowStart !== this.windowStart) {
        this.window = latin1Slice.call(bytes, windowStart, Math.min(windowStart + windowBytes, bytes.length))
        this.windowStart = windowStart
      }
      NOT_PLAIN.lastIndex = from - windowStart
      const found = NOT_PLAIN.exec(this.window)
      if (found) return windowStart + found.index
      from = windowStart + windowBytes
    }
    return Number.MAX_SAFE_INTEGER
  }
}

const HEX = new Uint8Array(256)
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1
const ESCAPABLE = new Uint8Array(256)
for (const c of '"\\/bfnrtu') ESCAPABLE[c.charCodeAt(0)] = 1

/** ajv's ucs2length: UTF-16 units, a surrogate pair counted once. */
function ucs2length(s: string): number {
  let length = 0
  for (let i = 0; i < s.length; i++) {
    length++
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1)
      if ((next & 0xfc00) === 0xdc00) i++
    }
  }
  return length
}

const LITERALS: Record<number, Uint8Array> = {1: Buffer.from('null'), 2: Buffer.from('true'), 4: Buffer.from('false')}

type StringTest = (s: string) => boolean

function formatTest(format: unknown): StringTest {
  const def = typeof format === 'object' && format !== null && !(format instanceof RegExp) ? (format as {validate: unknown}).validate : format
  if (def instanceof RegExp) return (s) => def.test(s)
  if (typeof def === 'function') return def as StringTest
  return () => true
}

/** The JavaScript scanner: one per fast path, reused line after line. */
class Scanner {
  private b: Uint8Array = new Uint8Array(0)
  private end = 0
  private plain = false
  private depth = 0
  private rootAt = -1
  idAt = -1
  timeAt = -1
  /** Per located field: its value's first byte and the byte after it, or -1. */
  readonly fieldAt: Int32Array
  /** What the last string read was like. */
  escaped = false
  ascii = true
  private codePoints = 0
  private readonly nodes: ProgramNode[]
  private readonly patterns: (RegExp | undefined)[]
  private readonly formats: (StringTest | undefined)[]
  private readonly decodedValues: (string[] | undefined)[]

  constructor(private readonly program: FastPathProgram, format: (name: string) => unknown) {
    this.nodes = program.nodes
    this.patterns = program.nodes.map((n) => (n.pattern === undefined ? undefined : new RegExp(n.pattern, 'u')))
    this.formats = program.nodes.map((n) => (n.format === undefined ? undefined : formatTest(format(n.format))))
    this.decodedValues = program.nodes.map((n) => n.values?.strings.map((v) => Buffer.from(v).toString('utf8')))
    this.fieldAt = new Int32Array(2 * program.fields.length)
  }

  /** The verdict on one line; `rootAt` its first byte. */
  line(b: Uint8Array, start: number, end: number, plain: boolean): number {
    this.b = b
    this.end = end
    this.plain = plain
    this.depth = 0
    this.idAt = this.timeAt = -1
    this.fieldAt.fill(-1)
    const i = skipSpace(b, start, end)
    if (i >= end) return UNDECIDED
    this.rootAt = i
    const after = this.value(this.program.root, i)
    if (after < 0) return after
    return skipSpace(b, after, end) === end ? after : UNDECIDED
  }

  /** The index after the string whose opening quote is at `i - 1`, or UNDECIDED; sets escaped / ascii / codePoints. */
  stringEnd(i: number): number {
    const b = this.b
    const end = this.end
    this.escaped = false
    this.ascii = true
    if (this.plain) {
      const start = i
      const shortEnd = Math.min(end, i + 16)
      for (; i < shortEnd; i++) if (b[i] === QUOTE) break
      if (i === shortEnd && i < end) i = indexOf.call(b, QUOTE, i)
      if (i < 0 || i >= end) return UNDECIDED
      this.codePoints = i - start
      return i
    }
    let points = 0
    while (i < end) {
      const c = b[i]
      if (c === QUOTE) {
        this.codePoints = points
        return i
      }
      if (c < 0x20) return UNDECIDED // JSON.parse rejects raw control characters
      if (c === BACKSLASH) {
        const e = b[i + 1]
        if (!ESCAPABLE[e]) return UNDECIDED
        this.escaped = true
        if (e === 0x75) {
          if (i + 6 > end || !HEX[b[i + 2]] || !HEX[b[i + 3]] || !HEX[b[i + 4]] || !HEX[b[i + 5]]) return UNDECIDED
          i += 6
        } else i += 2
        points++
        continue
      }
      if (c < 0x80) {
        i++
        points++
        continue
      }
      // UTF-8, strictly: no overlong forms, surrogates or code points past U+10FFFF.
      this.ascii = false
      const c1 = b[i + 1]
      if (c >= 0xc2 && c <= 0xdf) {
        if ((c1 & 0xc0) !== 0x80) return UNDECIDED
        i += 2
      } else if (c >= 0xe0 && c <= 0xef) {
        if ((c1 & 0xc0) !== 0x80 || (c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f) || (b[i + 2] & 0xc0) !== 0x80) return UNDECIDED
        i += 3
      } else if (c >= 0xf0 && c <= 0xf4) {
        if ((c1 & 0xc0) !== 0x80 || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f) || (b[i + 2] & 0xc0) !== 0x80 || (b[i + 3] & 0xc0) !== 0x80) return UNDECIDED
        i += 4
      } else return UNDECIDED
      if (i > end) return UNDECIDED
      points++
    }
    return UNDECIDED
  }

  /** The text of the string in [s, e) (between its quotes) as JSON.parse reads it. */
  decoded(s: number, e: number, escaped: boolean, ascii: boolean): string {
    if (escaped) return JSON.parse(utf8Slice.call(this.b, s - 1, e + 1)) as string
    return ascii ? latin1Slice.call(this.b, s, e) : utf8Slice.call(this.b, s, e)
  }

  /** Whether the string between quotes at [s, e) meets node n's string keywords (for the native scanner). */
  stringMeets(b: Uint8Array, n: number, s: number, e: number): boolean {
    this.b = b
    this.end = e + 1
    this.plain = false
    return this.stringEnd(s) === e && this.checkString(n, this.nodes[n], s, e) >= 0
  }

  private checkString(n: number, node: ProgramNode, s: number, e: number): number {
    const escaped = this.escaped
    const ascii = this.ascii
    let text: string | undefined
    if (node.values) {
      if (escaped) {
        text = this.decoded(s, e, escaped, ascii)
        if (!this.decodedValues[n]!.includes(text)) return INVALID
      } else {
        let found = false
        for (const v of node.values.strings) if (equalBytes(this.b, s, e, v)) found = true
        if (!found) return INVALID
      }
    }
    if (node.minLength > 0 || node.maxLength !== Infinity) {
      const length = escaped ? ucs2length((text ??= this.decoded(s, e, escaped, ascii))) : this.codePoints
      if (length < node.minLength || length > node.maxLength) return INVALID
    }
    const format = this.formats[n]
    if (format && !format((text ??= this.decoded(s, e, escaped, ascii)))) return INVALID
    const pattern = this.patterns[n]
    if (pattern && !pattern.test((text ??= this.decoded(s, e, escaped, ascii)))) return INVALID
    return e + 1
  }

  private checkNumber(node: ProgramNode, i: number): number {
    const b = this.b
    const start = i
    if (b[i] === 0x2d) i++
    if (b[i] === 0x30) i++
    else if (b[i] >= 0x31 && b[i] <= 0x39) while (b[i] >= 0x30 && b[i] <= 0x39) i++
    else return UNDECIDED
    if (b[i] === 0x2e) {
      i++
      if (!(b[i] >= 0x30 && b[i] <= 0x39)) return UNDECIDED
      while (b[i] >= 0x30 && b[i] <= 0x39) i++
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++
      if (b[i] === 0x2b || b[i] === 0x2d) i++
      if (!(b[i] >= 0x30 && b[i] <= 0x39)) return UNDECIDED
      while (b[i] >= 0x30 && b[i] <= 0x39) i++
    }
    if (i > this.end) return UNDECIDED
    const x = Number(latin1Slice.call(b, start, i))
    if (!Number.isFinite(x)) return UNDECIDED
    if (!(node.types & KIND.number) && !((node.types & KIND.integer) && Number.isInteger(x))) return INVALID
    if (node.values && !node.values.numbers.includes(x)) return INVALID
    if (x < node.minimum || x > node.maximum || x <= node.exclusiveMinimum || x >= node.exclusiveMaximum) return INVALID
    if (node.multipleOf !== 0) {
      // ajv's own test, so that rounding agrees.
      const ratio = x / node.multipleOf
      if (ratio !== Number.parseInt(ratio as unknown as string)) return INVALID
    }
    return i
  }

  private checkObject(node: ProgramNode, i: number): number {
    const b = this.b
    const end = this.end
    const atRoot = i === this.rootAt
    const properties = node.properties
    const count = properties.length
    let seen = 0
    let others: string[] | undefined
    let keys = 0
    let next = 0
    i = skipSpace(b, i + 1, end)
    if (b[i] === CLOSE) i++
    else {
      for (;;) {
        if (b[i] !== QUOTE) return UNDECIDED
        // Writers keep the schema's key order: try the expected name and its closing quote in one
        // comparison before reading the key.
        let p = -1
        let keyEnd = -1
        if (next < count) {
          const expected = properties[next].name
          const after = i + 1 + expected.length
          if (after < end && b[after] === QUOTE && equalBytes(b, i + 1, after, expected)) {
            p = next
            keyEnd = after
          }
        }
        if (p < 0) {
          keyEnd = this.stringEnd(i + 1)
          if (keyEnd < 0 || this.escaped) return UNDECIDED
          for (let k = 0; k < count; k++) {
            if (equalBytes(b, i + 1, keyEnd, properties[k].name)) {
              p = k
              break
            }
          }
        }
        let child: number
        if (p >= 0) {
          if (seen & (1 << p)) return UNDECIDED // JSON.parse keeps the last: left to it
          seen |= 1 << p
          next = p + 1
          child = properties[p].node
        } else {
          const name = latin1Slice.call(b, i + 1, keyEnd)
          if (name === '__proto__') return UNDECIDED
          others ??= []
          if (others.includes(name)) return UNDECIDED
          others.push(name)
          child = node.additional
        }
        if (node.propertyNames >= 0) {
          const verdict = this.value(node.propertyNames, i)
          if (verdict < 0) return verdict
        }
        keys++
        let j = skipSpace(b, keyEnd + 1, end)
        if (b[j] !== COLON) return UNDECIDED
        j = skipSpace(b, j + 1, end)
        let field = -1
        if (atRoot) {
          if (equalBytes(b, i + 1, keyEnd, this.program.idField)) this.idAt = j
          else if (equalBytes(b, i + 1, keyEnd, this.program.timeField)) this.timeAt = j
          const fields = this.program.fields
          for (let k = 0; k < fields.length; k++) if (equalBytes(b, i + 1, keyEnd, fields[k])) field = k
        }
        const after = this.value(child, j)
        if (after < 0) return after
        if (field >= 0) {
          this.fieldAt[2 * field] = j
          this.fieldAt[2 * field + 1] = after
        }
        i = skipSpace(b, after, end)
        if (b[i] === CLOSE) {
          i++
          break
        }
        if (b[i] !== COMMA) return UNDECIDED
        i = skipSpace(b, i + 1, end)
      }
    }
    if ((seen & node.requiredMask) !== node.requiredMask || keys < node.minProperties || keys > node.maxProperties) return INVALID
    return i
  }

  private checkArray(node: ProgramNode, i: number): number {
    const b = this.b
    const end = this.end
    let count = 0
    let contained = node.contains < 0
    let containsUndecided = false
    let seenItems: string[] | undefined
    i = skipSpace(b, i + 1, end)
    if (b[i] === CLOSE_ARRAY) i++
    else {
      for (;;) {
        const child = count < node.prefixItems.length ? node.prefixItems[count] : node.items
        const after = this.value(child, i)
        if (after < 0) return after
        if (!contained) {
          const verdict = this.value(node.contains, i)
          if (verdict >= 0) contained = true
          else if (verdict === UNDECIDED) containsUndecided = true
        }
        if (node.uniqueItems) {
          const c = b[i]
          let item: string
          if (c === QUOTE) {
            const e = this.stringEnd(i + 1)
            item = 's' + this.decoded(i + 1, e, this.escaped, this.ascii)
          } else if (c === OPEN || c === OPEN_ARRAY) return UNDECIDED
          else if (c === 0x74 || c === 0x66 || c === 0x6e) item = latin1Slice.call(b, i, after)
          else item = 'n' + String(Number(latin1Slice.call(b, i, after)))
          seenItems ??= []
          if (seenItems.includes(item)) return INVALID
          seenItems.push(item)
        }
        count++
        i = skipSpace(b, after, end)
        if (b[i] === CLOSE_ARRAY) {
          i++
          break
        }
        if (b[i] !== COMMA) return UNDECIDED
        i = skipSpace(b, i + 1, end)
      }
    }
    if (count < node.minItems || count > node.maxItems) return INVALID
    if (!contained) return containsUndecided ? UNDECIDED : INVALID
    return i
  }

  /** The value at `i` (its first byte) against node `n`: the index after it, INVALID or UNDECIDED. */
  value(n: number, i: number): number {
    const node = this.nodes[n]
    if (node.undecided || this.depth >= MAX_DEPTH) return UNDECIDED
    this.depth++
    let r = this.own(n, node, i)
    if (r >= 0) {
      for (const a of node.allOf) {
        const v = this.value(a, i)
        if (v < 0) {
          r = v
          break
        }
      }
    }
    if (r >= 0 && node.anyOf.length > 0) {
      let best = INVALID
      for (const a of node.anyOf) {
        const v = this.value(a, i)
        if (v >= 0) {
          best = v
          break
        }
        if (v === UNDECIDED) best = UNDECIDED
      }
      r = best
    }
    if (r >= 0 && node.oneOf.length > 0) {
      let matches = 0
      let undecided = false
      for (const a of node.oneOf) {
        const v = this.value(a, i)
        if (v >= 0) matches++
        else if (v === UNDECIDED) undecided = true
      }
      r = matches > 1 ? INVALID : undecided ? UNDECIDED : matches === 1 ? r : INVALID
    }
    this.depth--
    return r
  }

  /** The node's own keywords (all but allOf / anyOf / oneOf). */
  private own(n: number, node: ProgramNode, i: number): number {
    const b = this.b
    const c = b[i]
    const types = node.types
    if (c === QUOTE) {
      if (!(types & KIND.string)) return INVALID
      const e = this.stringEnd(i + 1)
      if (e < 0) return UNDECIDED
      if (n === ANY_NODE) return e + 1
      return this.checkString(n, node, i + 1, e)
    }
    if (c === OPEN) {
      if (!(types & KIND.object)) return INVALID
      if (node.values) return node.values.complex ? UNDECIDED : INVALID
      return this.checkObject(node, i)
    }
    if (c === OPEN_ARRAY) {
      if (!(types & KIND.array)) return INVALID
      if (node.values) return node.values.complex ? UNDECIDED : INVALID
      return this.checkArray(node, i)
    }
    if (c === 0x74 || c === 0x66 || c === 0x6e) {
      // true, false, null: their length, and their bit in values.literals (1 null, 2 true, 4 false).
      const bit = c === 0x74 ? 2 : c === 0x66 ? 4 : 1
      const length = c === 0x66 ? 5 : 4
      if (i + length > this.end || !equalBytes(this.b, i, i + length, LITERALS[bit])) return UNDECIDED
      if (!(types & (bit === 1 ? KIND.null : KIND.boolean))) return INVALID
      if (node.values && !(node.values.literals & bit)) return INVALID
      return i + length
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      if (!(types & (KIND.number | KIND.integer))) return INVALID
      return this.checkNumber(node, i)
    }
    return UNDECIDED
  }
}

const NO_ID_BYTES = new Uint8Array(0)

/**
 * A format as ajv checks it: ajv-formats' full mode, which is what schemaDialect's ajv holds
 * (a test keeps them the same), read here without loading ajv, which a scan worker then never
 * loads for a lake the fast path decides. Only its own names: ajv's table has no prototype.
 *
 * @example formatOf('email') // ajv-formats' email regex
 */
export const formatOf = (name: string): unknown => (Object.hasOwn(fullFormats, name) ? (fullFormats as Record<string, unknown>)[name] : undefined)

/**
 * The fast path that runs a compiled program (compileFastPath in fast-path-compile.ts compiles
 * one from a schema): in C++ where the native scanner is built and `native` is not false. The
 * program is plain data, so a scan worker runs the one the main thread compiled.
 *
 * @example const fast = fastPathOf(program); fast.fieldIndex('source'); fast.scanText(text, visit)
 */
export function fastPathOf(program: FastPathProgram, options: {native?: boolean} = {}): FastPath {
  const scanner = new Scanner(program, formatOf)
  // The located fields are the program's own: a worker needs no list beside it.
  const fieldNames = program.fields.map((name) => Buffer.from(name.buffer, name.byteOffset, name.byteLength).toString('utf8'))
  const fieldCount = program.fields.length
  const found: FastRecord = {idStart: -1, idEnd: -1, timeStart: -1, timeEnd: -1, time: Number.NaN, fields: new Int32Array(2 * fieldCount)}
  const completion: JavaScriptCompletion = {
    line(text, line) {
      line.valid = fast.scan(text, line.start, line.end, found, false)
      line.idStart = found.idStart
      line.idEnd = found.idEnd
      line.time = found.time
      line.fields.set(found.fields)
    },
    string: (text, node, start, end) => scanner.stringMeets(text, node, start, end),
  }
  const native = options.native === false ? undefined : nativeScanner(program, completion)

  const fast: FastPath = {
    program,
    native: native !== undefined,
    fieldIndex: (name) => fieldNames.indexOf(name),
    scanText(text, visit, absorber) {
      if (native) return native.scan(text, visit, absorber)
      const plain = new PlainLines(text)
      const found: FastRecord = {idStart: -1, idEnd: -1, timeStart: -1, timeEnd: -1, time: Number.NaN, fields: new Int32Array(2 * fieldCount)}
      const line: ScannedLine = {start: 0, end: 0, valid: false, idStart: -1, idEnd: -1, time: Number.NaN, fields: found.fields, facts: 0, idBytes: NO_ID_BYTES, idOffset: 0, idSlot: -1}
      for (let start = 0; start < text.length; ) {
        let end = text.indexOf(NEWLINE, start)
        if (end === -1) end = text.length
        line.start = start
        line.end = end
        line.valid = this.scan(text, start, end, found, plain.isPlain(start, end))
        line.idStart = found.idStart
        line.idEnd = found.idEnd
        line.time = found.time
        visit(line)
        start = end + 1
      }
    },
    scan(b, start, end, out, plain) {
      out.idStart = out.idEnd = out.timeStart = out.timeEnd = -1
      out.time = Number.NaN
      out.fields.fill(-1)
      if (scanner.line(b, start, end, plain) < 0) return false
      out.fields.set(scanner.fieldAt)
      const idAt = scanner.idAt
      if (idAt >= 0) {
        const c = b[idAt]
        // idBytes hashes a number id as `#${value}`: left to the slow path.
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return false
        if (c === QUOTE) {
          const e = scanner.stringEnd(idAt + 1)
          if (scanner.escaped) return false
          out.idStart = idAt + 1
          out.idEnd = e
        }
      }
      const timeAt = scanner.timeAt
      if (timeAt >= 0 && b[timeAt] === QUOTE) {
        const e = scanner.stringEnd(timeAt + 1)
        const {escaped, ascii} = scanner
        out.timeStart = timeAt + 1
        out.timeEnd = e
        out.time = escaped ? Number.NaN : strictDateTime(b, timeAt + 1, e)
        if (Number.isNaN(out.time)) out.time = Date.parse(scanner.decoded(timeAt + 1, e, escaped, ascii))
      }
      return true
    },
  }
  return fast
}
