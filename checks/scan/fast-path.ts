import type {FastPathProgram, MapRule, PropertyRule, ScannedLine, StringRule} from './fast-path-program.js'
import {nativeScanner} from './native-scan.js'

/**
 * A validator that reads a record's bytes against a compiled schema without building a JS object.
 * It only ever proves a record VALID; anything it is not sure of (escapes, non-ASCII text, an
 * unknown key, a number other than a const, a format it does not know) is UNDECIDED, and the
 * caller falls back to JSON.parse and ajv. So its verdicts are ajv's by construction, and it
 * only has to be fast on the records a healthy pipeline writes.
 *
 * Supported schema subset (anything else means no fast path at all): a root object with
 * `properties`, `required`, `additionalProperties: false`; properties typed string / null /
 * boolean (or a list of these), `const` / `enum` of strings or numbers, `minLength`, `maxLength`,
 * `format` uuid or date-time; and objects whose values are such strings, with `maxProperties`
 * and `propertyNames: {maxLength}`.
 */

const NEWLINE = 0x0a
const QUOTE = 0x22
const COMMA = 0x2c
const COLON = 0x3a
const OPEN = 0x7b
const CLOSE = 0x7d

/** Where the id and time values of a proven-valid record sit in its line. */
export interface FastRecord {
  idStart: number
  idEnd: number
  timeStart: number
  timeEnd: number
  /** The record's time in ms since the epoch, NaN when it has no time field. */
  time: number
}

export interface FastPath {
  readonly program: FastPathProgram
  /** Whether `scanText` runs in C++ (checks/scan/native/fast_scan.cc) rather than in JavaScript. */
  readonly native: boolean
  /**
   * Visits every line of an object's text (whitespace-only lines may be left out) with the
   * verdict of `scan`; the visited object is reused from line to line.
   */
  scanText(text: Uint8Array, visit: (line: ScannedLine) => void): void
  /**
   * True when the bytes in [start, end) are one JSON object the schema accepts. `plain` says the
   * line holds only printable ASCII (see PlainLines); the fast path decides nothing else.
   */
  scan(bytes: Uint8Array, start: number, end: number, out: FastRecord, plain: boolean): boolean
}

const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly'])
const ASCII = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0))
const isAscii = (s: string) => /^[\x20-\x7e]*$/.test(s) && !s.includes('"') && !s.includes('\\')

function onlyKeys(schema: Record<string, unknown>, allowed: string[]): boolean {
  return Object.keys(schema).every((k) => allowed.includes(k) || ANNOTATIONS.has(k))
}

function types(schema: Record<string, unknown>): string[] | undefined {
  if (schema.type === undefined) return undefined
  const list = Array.isArray(schema.type) ? schema.type : [schema.type]
  return list.every((t) => typeof t === 'string') ? (list as string[]) : undefined
}

function stringRule(schema: Record<string, unknown>): StringRule | undefined {
  const format = schema.format
  if (format !== undefined && format !== 'uuid' && format !== 'date-time') return undefined
  const min = schema.minLength ?? 0
  const max = schema.maxLength ?? Number.MAX_SAFE_INTEGER
  if (typeof min !== 'number' || typeof max !== 'number') return undefined
  return {minLength: min, maxLength: max, format, values: undefined}
}

function compileProperty(name: string, bit: number, schema: unknown): PropertyRule | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined
  const s = schema as Record<string, unknown>
  const rule: PropertyRule = {name: ASCII(name), bit, nullable: false, boolean: false}
  if ('const' in s) {
    if (!onlyKeys(s, ['const', 'type'])) return undefined
    if (typeof s.const === 'number' && Number.isSafeInteger(s.const) && s.const >= 0) rule.constInteger = ASCII(String(s.const))
    else if (typeof s.const === 'string' && isAscii(s.const)) rule.string = {minLength: 0, maxLength: Infinity, format: undefined, values: [ASCII(s.const)]}
    else return undefined
    return rule
  }
  if ('enum' in s) {
    if (!onlyKeys(s, ['enum', 'type']) || !Array.isArray(s.enum) || !s.enum.every((v) => typeof v === 'string' && isAscii(v))) return undefined
    rule.string = {minLength: 0, maxLength: Infinity, format: undefined, values: (s.enum as string[]).map(ASCII)}
    return rule
  }
  const typeList = types(s)
  if (!typeList) return undefined
  if (typeList.includes('object')) {
    if (typeList.length !== 1 || !onlyKeys(s, ['type', 'maxProperties', 'propertyNames', 'additionalProperties'])) return undefined
    const names = (s.propertyNames ?? {}) as Record<string, unknown>
    const values = s.additionalProperties as Record<string, unknown> | undefined
    if (typeof names !== 'object' || !onlyKeys(names, ['maxLength']) || typeof values !== 'object' || values === null) return undefined
    if (!onlyKeys(values, ['type', 'maxLength', 'minLength']) || values.type !== 'string') return undefined
    const value = stringRule(values)
    if (!value) return undefined
    rule.map = {maxProperties: typeof s.maxProperties === 'number' ? s.maxProperties : Infinity, maxNameLength: typeof names.maxLength === 'number' ? names.maxLength : Infinity, value}
    return rule
  }
  if (!typeList.every((t) => t === 'string' || t === 'null' || t === 'boolean')) return undefined
  if (!onlyKeys(s, ['type', 'minLength', 'maxLength', 'format'])) return undefined
  rule.nullable = typeList.includes('null')
  rule.boolean = typeList.includes('boolean')
  if (typeList.includes('string')) {
    const string = stringRule(s)
    if (!string) return undefined
    rule.string = string
  } else if (s.format !== undefined || s.minLength !== undefined || s.maxLength !== undefined) return undefined
  return rule
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

/** `YYYY-MM-DDTHH:MM:SS[.f+]Z` with a real date; the ms since the epoch, or NaN. */
function strictDateTime(b: Uint8Array, s: number, e: number): number {
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

const HEX = new Uint8Array(256)
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1

function isUuid(b: Uint8Array, s: number, e: number): boolean {
  if (e - s !== 36 || b[s + 8] !== 0x2d || b[s + 13] !== 0x2d || b[s + 18] !== 0x2d || b[s + 23] !== 0x2d) return false
  let hex = 0
  for (let i = s; i < s + 8; i++) hex += HEX[b[i]]
  for (let i = s + 9; i < s + 13; i++) hex += HEX[b[i]]
  for (let i = s + 14; i < s + 18; i++) hex += HEX[b[i]]
  for (let i = s + 19; i < s + 23; i++) hex += HEX[b[i]]
  for (let i = s + 24; i < s + 36; i++) hex += HEX[b[i]]
  return hex === 32
}

function equalBytes(b: Uint8Array, s: number, e: number, expected: Uint8Array): boolean {
  if (e - s !== expected.length) return false
  for (let i = 0; i < expected.length; i++) if (b[s + i] !== expected[i]) return false
  return true
}

function skipSpace(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i]
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break
    i++
  }
  return i
}

/**
 * The index of the closing quote of a string that starts after its opening quote, or -1. The line
 * was already found free of escapes, control characters and non-ASCII bytes (see `PlainLines`).
 */
function plainStringEnd(b: Uint8Array, i: number, end: number): number {
  // Short strings (keys, ids) are quicker in JS; long ones (user agents, URLs) with memchr.
  const shortEnd = Math.min(end, i + 16)
  for (; i < shortEnd; i++) if (b[i] === QUOTE) return i
  if (i >= end) return -1
  const at = indexOf.call(b, QUOTE, i)
  return at >= 0 && at < end ? at : -1
}

const indexOf = Buffer.prototype.indexOf as (this: Uint8Array, value: number, byteOffset: number) => number

// Anything but printable ASCII or a newline: escapes, control characters (tabs too) and non-ASCII
// text are left to JSON.parse and ajv.
const NOT_PLAIN = /[^\n\x20-\x5b\x5d-\x7e]/g
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string

/**
 * Finds the lines of an object's text that hold only printable ASCII, with one native regex pass
 * over the whole text rather than a check per line or per byte.
 *
 * @example const plain = new PlainLines(text); plain.isPlain(0, 120)
 */
export class PlainLines {
  private readonly text: string
  private nextBad: number

  constructor(bytes: Uint8Array) {
    this.text = latin1Slice.call(bytes, 0, bytes.length)
    this.nextBad = -1
  }

  /** Whether [start, end) is plain; lines must be asked about in order. */
  isPlain(start: number, end: number): boolean {
    if (this.nextBad < start) {
      NOT_PLAIN.lastIndex = start
      const found = NOT_PLAIN.exec(this.text)
      this.nextBad = found ? found.index : Number.MAX_SAFE_INTEGER
    }
    return this.nextBad >= end
  }
}

/** Whether a plain string meets the rule; `timeChecked` when it was already read as a date-time. */
function stringFits(rule: StringRule, b: Uint8Array, s: number, e: number, timeChecked: boolean): boolean {
  const length = e - s
  if (length < rule.minLength || length > rule.maxLength) return false
  if (rule.values) {
    let found = false
    for (const v of rule.values) if (equalBytes(b, s, e, v)) found = true
    if (!found) return false
  }
  if (rule.format === 'uuid') return isUuid(b, s, e)
  if (rule.format === 'date-time') return timeChecked || !Number.isNaN(strictDateTime(b, s, e))
  return true
}

function matchesAt(b: Uint8Array, s: number, e: number, name: Uint8Array): boolean {
  return e - s === name.length && equalBytes(b, s, e, name)
}

/** Scans `{"name": "value", ...}` of strings; the index after it, or -1. */
function scanMap(rule: MapRule, b: Uint8Array, i: number, end: number): number {
  if (b[i] !== OPEN) return -1
  i = skipSpace(b, i + 1, end)
  if (b[i] === CLOSE) return i + 1
  const names: string[] = []
  for (;;) {
    if (b[i] !== QUOTE) return -1
    const nameEnd = plainStringEnd(b, i + 1, end)
    if (nameEnd < 0 || nameEnd - i - 1 > rule.maxNameLength) return -1
    const name = latin1Slice.call(b, i + 1, nameEnd)
    // A repeated or prototype-shaped name makes JSON.parse's object differ from the text.
    if (name === '__proto__' || names.includes(name) || names.push(name) > rule.maxProperties) return -1
    i = skipSpace(b, nameEnd + 1, end)
    if (b[i] !== COLON) return -1
    i = skipSpace(b, i + 1, end)
    if (b[i] !== QUOTE) return -1
    const valueEnd = plainStringEnd(b, i + 1, end)
    if (valueEnd < 0 || !stringFits(rule.value, b, i + 1, valueEnd, false)) return -1
    i = skipSpace(b, valueEnd + 1, end)
    if (b[i] === CLOSE) return i + 1
    if (b[i] !== COMMA) return -1
    i = skipSpace(b, i + 1, end)
  }
}

const TRUE = ASCII('true')
const FALSE = ASCII('false')
const NULL = ASCII('null')

function literalAt(b: Uint8Array, i: number, end: number, word: Uint8Array): boolean {
  return i + word.length <= end && equalBytes(b, i, i + word.length, word)
}

/**
 * Compiles the fast path for a schema, or undefined when the schema uses anything outside the
 * subset it can decide exactly.
 *
 * @example const fast = compileFastPath(schema, 'event_id', 'ts'); fast?.scan(bytes, 0, n, out)
 */
export function compileFastPath(schema: Record<string, unknown>, idField: string, timeField: string, options: {native?: boolean} = {}): FastPath | undefined {
  if (schema.type !== 'object' || schema.additionalProperties !== false) return undefined
  if (!onlyKeys(schema, ['type', 'properties', 'required', 'additionalProperties'])) return undefined
  const properties = schema.properties as Record<string, unknown> | undefined
  const required = (schema.required ?? []) as unknown[]
  if (typeof properties !== 'object' || properties === null || !Array.isArray(required)) return undefined
  const names = Object.keys(properties)
  if (names.length > 30 || !names.every(isAscii) || !required.every((r) => typeof r === 'string' && names.includes(r))) return undefined
  const rules: PropertyRule[] = []
  for (const [i, name] of names.entries()) {
    const rule = compileProperty(name, 1 << i, properties[name])
    if (!rule) return undefined
    rules.push(rule)
  }
  const requiredMask = rules.filter((r) => required.includes(String.fromCharCode(...r.name))).reduce((m, r) => m | r.bit, 0)
  const idRule = rules.find((r) => String.fromCharCode(...r.name) === idField)
  const timeRule = rules.find((r) => String.fromCharCode(...r.name) === timeField)

  function findRule(b: Uint8Array, s: number, e: number): number {
    for (let r = 0; r < rules.length; r++) if (matchesAt(b, s, e, rules[r].name)) return r
    return -1
  }

  const program: FastPathProgram = {rules, requiredMask, idRule: idRule ? rules.indexOf(idRule) : -1, timeRule: timeRule ? rules.indexOf(timeRule) : -1}
  const native = options.native === false ? undefined : nativeScanner(program)
  return {
    program,
    native: native !== undefined,
    scanText(text, visit) {
      if (native) return native.scan(text, visit)
      const plain = new PlainLines(text)
      const found: FastRecord = {idStart: -1, idEnd: -1, timeStart: -1, timeEnd: -1, time: Number.NaN}
      const line: ScannedLine = {start: 0, end: 0, valid: false, idStart: -1, idEnd: -1, time: Number.NaN}
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
      if (!plain) return false
      let i = skipSpace(b, start, end)
      if (b[i] !== OPEN) return false
      i = skipSpace(b, i + 1, end)
      let seen = 0
      let next = 0
      if (b[i] === CLOSE) {
        i++
      } else {
        for (;;) {
          if (b[i] !== QUOTE) return false
          // Writers keep the schema's key order: try the expected name and its closing quote in
          // one comparison before searching for the key's end.
          let r = -1
          let keyEnd = -1
          if (next < rules.length) {
            const expected = rules[next].name
            const after = i + 1 + expected.length
            if (after < end && b[after] === QUOTE && equalBytes(b, i + 1, after, expected)) {
              r = next
              keyEnd = after
            }
          }
          if (r < 0) {
            keyEnd = plainStringEnd(b, i + 1, end)
            if (keyEnd < 0) return false
            r = findRule(b, i + 1, keyEnd)
            if (r < 0) return false
          }
          const rule = rules[r]
          if (seen & rule.bit) return false
          seen |= rule.bit
          next = r + 1
          i = skipSpace(b, keyEnd + 1, end)
          if (b[i] !== COLON) return false
          i = skipSpace(b, i + 1, end)
          const c = b[i]
          if (c === QUOTE && rule.string) {
            const valueEnd = plainStringEnd(b, i + 1, end)
            if (valueEnd < 0) return false
            if (rule === timeRule) {
              // Read the time once: as the format check and as the value the checks need.
              out.time = strictDateTime(b, i + 1, valueEnd)
              if (Number.isNaN(out.time) || !stringFits(rule.string, b, i + 1, valueEnd, true)) return false
            } else if (!stringFits(rule.string, b, i + 1, valueEnd, false)) return false
            if (rule === idRule) {
              out.idStart = i + 1
              out.idEnd = valueEnd
            }
            if (rule === timeRule) {
              out.timeStart = i + 1
              out.timeEnd = valueEnd
            }
            i = valueEnd + 1
          } else if (c === OPEN && rule.map) {
            i = scanMap(rule.map, b, i, end)
            if (i < 0) return false
          } else if (rule.nullable && literalAt(b, i, end, NULL)) {
            i += 4
          } else if (rule.boolean && (literalAt(b, i, end, TRUE) || literalAt(b, i, end, FALSE))) {
            i += b[i] === 0x74 ? 4 : 5
          } else if (rule.constInteger && literalAt(b, i, end, rule.constInteger)) {
            i += rule.constInteger.length
            // `1` must not be the start of `10` or `1.5`.
            const after = b[i]
            if (after !== COMMA && after !== CLOSE && after !== 0x20 && after !== 0x09 && after !== 0x0a && after !== 0x0d) return false
          } else return false
          i = skipSpace(b, i, end)
          if (b[i] === CLOSE) {
            i++
            break
          }
          if (b[i] !== COMMA) return false
          i = skipSpace(b, i + 1, end)
        }
      }
      if ((seen & requiredMask) !== requiredMask) return false
      if (skipSpace(b, i, end) !== end) return false
      return true
    },
  }
}
