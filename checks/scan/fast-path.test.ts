import {readFileSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom} from '../../fixtures/random.js'
import {buildRecord, recordLine} from '../../pipeline/handler/build-record.js'
import {PACKAGE_ROOT} from '../../lake/package-root.js'
import {parseObjectKey} from '../../lake/layout/object-key.js'
import {idBytes, idBytesAt} from '../../lake/ids/record-id.js'
import {scanObject} from './scan-object.js'
import {type FastRecord, PlainLines, formatOf} from './fast-path.js'
import {compileFastPath} from './fast-path-compile.js'
import {compileValidator, loadSchema, schemaDialect} from '../schema/record-validator.js'
import {fullFormats} from 'ajv-formats/dist/formats.js'

const schema = await loadSchema()
const validator = compileValidator(schema)
const fast = compileFastPath(schema, 'event_id', 'ts')!
const rand = seededRandom(99)
const at = new Date('2026-02-10T05:17:03.456Z')
const line = (record: unknown) => (typeof record === 'string' ? record : JSON.stringify(record))

function fastVerdict(text: string): FastRecord | undefined {
  const bytes = Buffer.from(text)
  const out: FastRecord = {idStart: -1, idEnd: -1, timeStart: -1, timeEnd: -1, time: Number.NaN, fields: new Int32Array(0)}
  return fast.scan(bytes, 0, bytes.length, out, new PlainLines(bytes).isPlain(0, bytes.length)) ? out : undefined
}

/** The fast path's one promise: what it proves valid, ajv finds valid, with the same id and time. */
function expectAgreement(text: string): boolean {
  const proven = fastVerdict(text)
  if (!proven) return false
  let parsed: Record<string, unknown>
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new Error(`fast path accepted text that is not JSON: ${text}`)
  }
  expect(validator.isValid(parsed), text).toBe(true)
  const bytes = Buffer.from(text)
  const fromFast = Buffer.alloc(16)
  const fromSlow = Buffer.alloc(16)
  expect(idBytesAt(bytes, proven.idStart, proven.idEnd, fromFast, 0)).toBe(idBytes(parsed.event_id, fromSlow, 0))
  expect(fromFast).toEqual(fromSlow)
  expect(proven.time).toBe(Date.parse(parsed.ts as string))
  return true
}

describe('compileFastPath on the shipped schema', () => {
  it('proves valid the records the pipeline writes', () => {
    const record = buildRecord(
      {rawQueryString: 'b=coverage&c=launch&u=https%3A%2F%2Fgithub.com%2Facme&theme=dark', headers: {'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)', referer: 'https://news.ycombinator.com/'}, sourceIp: '203.0.113.77'},
      {now: at},
    )
    expect(expectAgreement(recordLine(record).trimEnd())).toBe(true)
  })

  it('proves valid the factory records, in any key order and spacing', () => {
    for (let i = 0; i < 200; i++) {
      const event = pixelEvent(rand, new Date(at.getTime() + i * 1000))
      const keys = Object.keys(event).sort(() => rand() - 0.5)
      const shuffled = Object.fromEntries(keys.map((k) => [k, event[k as keyof typeof event]]))
      expect(expectAgreement(JSON.stringify(shuffled, null, i % 3 === 0 ? 2 : undefined).replace(/\n/g, ' '))).toBe(true)
    }
  })

  describe.each([
    ['an unknown key', {extra: 1}],
    ['a ts on February 30th', {ts: '2026-02-30T05:17:03.456Z'}],
    ['a badge over 128 characters', {badge: 'x'.repeat(129)}],
    ['a badge of 129 emoji', {badge: '😀'.repeat(129)}],
    ['a source outside the enum', {source: 'bot'}],
    ['an event_id that is not a UUID', {event_id: 'not-a-uuid'}],
    ['params with a repeated name', '"params":{"a":"1","a":"2"}'],
    ['a key written twice', '"badge":"x","badge":"y"'],
  ])('given %s', (_, change) => {
    it('does not prove it valid', () => {
      let text = JSON.stringify({...pixelEvent(rand, at), ...(typeof change === 'object' ? change : {})})
      if (typeof change === 'string' && change.startsWith('"params"')) text = text.replace('"params":{}', change)
      if (typeof change === 'string' && change.startsWith('"badge"')) text = text.replace(/"badge":"[^"]*"/, change)
      expect(fastVerdict(text)).toBeUndefined()
    })
  })

  describe.each([
    ['a string with an escape', {badge: 'a\\"b'}],
    ['non-ASCII text', {user_agent: 'Mozilla/5.0 café'}],
    ['a badge of 128 emoji (256 UTF-16 units, 128 code points as ajv counts)', {badge: '😀'.repeat(128)}],
    ['a ts with an offset instead of Z', {ts: '2026-02-10T06:17:03.456+01:00'}],
    ['schema_version spelled 1.0', '1.0'],
    ['schema_version spelled 1e0', '1e0'],
    ['tabs and CRLF', 'tabs'],
  ])('given %s', (_, change) => {
    it('proves it valid, with the id and time the slow path finds', () => {
      let text = JSON.stringify({...pixelEvent(rand, at), ...(typeof change === 'object' ? change : {})})
      if (change === '1.0' || change === '1e0') text = text.replace('"schema_version":1', `"schema_version":${change}`)
      if (change === 'tabs') text = text.replace(/,/g, ',\t') + '\r'
      expect(validator.isValid(JSON.parse(text))).toBe(true)
      expect(expectAgreement(text)).toBe(true)
    })
  })

  it('never proves valid a record ajv rejects, over thousands of random mutations', () => {
    const alphabet = ['"', '\\', '{', '}', ',', ':', ' ', '1', 'a', 'Z', 'é', 'null', 'true', '-', '.', 'x'.repeat(200)]
    let proven = 0
    for (let i = 0; i < 4000; i++) {
      const text = JSON.stringify(pixelEvent(rand, new Date(at.getTime() + i * 7919)))
      const cut = Math.floor(rand() * text.length)
      const mutation = Math.floor(rand() * 3)
      const piece = alphabet[Math.floor(rand() * alphabet.length)]
      const mutated =
        mutation === 0 ? text.slice(0, cut) + piece + text.slice(cut) : mutation === 1 ? text.slice(0, cut) + text.slice(cut + 1 + Math.floor(rand() * 3)) : text.slice(0, cut) + piece + text.slice(cut + 1)
      let ajvValid = false
      try {
        ajvValid = validator.isValid(JSON.parse(mutated))
      } catch {
        ajvValid = false
      }
      const fastValid = fastVerdict(mutated) !== undefined
      if (fastValid) {
        proven++
        expect(ajvValid, mutated).toBe(true)
        expectAgreement(mutated)
      }
    }
    // Most mutations break the record; some (inside a URL, say) do not, and those it must prove.
    expect(proven).toBeGreaterThan(100)
  })
})

describe('PlainLines', () => {
  it('tells plain lines from lines with escapes, control characters or non-ASCII text, in one pass', () => {
    const lines = ['{"a":"x"}', '{"a":"\\u0041"}', '{"a":"caf\u00e9"}', '{"a":"tab\there"}', '{"a":"y"}', '{"a":"z"}\r']
    const text = Buffer.from(lines.join('\n'))
    const plain = new PlainLines(text)
    let start = 0
    const verdicts = lines.map((line) => {
      const end = start + Buffer.byteLength(line)
      const verdict = plain.isPlain(start, end)
      start = end + 1
      return verdict
    })
    expect(verdicts).toEqual([true, false, false, false, true, false])
  })

  it('gives the same verdicts when it reads the text in small windows (a text larger than one string)', () => {
    const rand = seededRandom(3)
    const pieces = ['{"a":"x"}', '\\', '\u00e9', '\t', 'plain text', '', '\xff']
    const text = Buffer.from(Array.from({length: 2000}, () => pieces[Math.floor(rand() * pieces.length)].repeat(1 + Math.floor(rand() * 5))).join('\n'), 'latin1')
    const lines: [number, number][] = []
    for (let start = 0; start <= text.length; ) {
      const end = text.indexOf(0x0a, start) === -1 ? text.length : text.indexOf(0x0a, start)
      lines.push([start, end])
      start = end + 1
    }
    const whole = new PlainLines(text)
    const expected = lines.map(([s, e]) => whole.isPlain(s, e))
    expect(expected.filter(Boolean).length).toBeGreaterThan(200)
    for (const windowBytes of [1, 7, 64, 1000]) {
      const windowed = new PlainLines(text, windowBytes)
      expect(lines.map(([s, e]) => windowed.isPlain(s, e)), `windows of ${windowBytes}`).toEqual(expected)
    }
  })
})

describe('compileFastPath on other schemas', () => {
  it.each([
    ['if/then/else at the root', {type: 'object', if: {required: ['a']}, then: {required: ['b']}}],
    ['not at the root', {not: {type: 'string'}}],
    ['patternProperties at the root', {type: 'object', patternProperties: {'^x': {type: 'string'}}}],
    ['a $ref to another document', {$ref: 'https://example.com/event.json'}],
  ])('declines %s, so every record goes through ajv', (_, other) => {
    expect(compileFastPath(other, 'event_id', 'ts')).toBeUndefined()
  })

  it('decides the records that never reach a keyword it cannot decide', () => {
    const other = {type: 'object', properties: {kind: {enum: ['a', 'b']}, extra: {not: {type: 'null'}}}, required: ['kind']}
    const otherFast = compileFastPath(other, 'event_id', 'ts', {native: false})!
    const verdict = (text: string) => otherFast.scan(Buffer.from(text), 0, Buffer.byteLength(text), {idStart: -1, idEnd: -1, timeStart: -1, timeEnd: -1, time: Number.NaN, fields: new Int32Array(0)}, false)
    expect(verdict('{"kind":"a"}')).toBe(true)
    expect(verdict('{"kind":"a","extra":1}')).toBe(false)
    expect(verdict('{"kind":"c"}')).toBe(false)
  })
})

describe('scanObject with and without the fast path', () => {
  const lake = join(PACKAGE_ROOT, 'fixtures/sample-lake')
  const keys = readdirSync(lake, {recursive: true, encoding: 'utf8'}).filter((f) => statSync(join(lake, f)).isFile())
  const objects = keys.map((key) => parseObjectKey(key)).filter((o) => o !== undefined)

  it.each(objects.map((o) => [o.key, o]))('gives the same scan of %s', (_, object) => {
    const bytes = readFileSync(join(lake, object.key))
    const options = {validator, idField: 'event_id', timeField: 'ts', toleranceMs: 15 * 60_000, maxSamples: 5}
    expect(scanObject(object, bytes, {...options, fastPath: fast})).toEqual(scanObject(object, bytes, options))
  })
})

describe('the fields the fast path locates', () => {
  const located = ['source', 'client_ip']
  const lines = [
    JSON.stringify(pixelEvent(seededRandom(3), new Date('2026-02-10T05:00:00Z'), {source: 'canary', client_ip: '203.0.113.0'})),
    JSON.stringify(pixelEvent(seededRandom(4), new Date('2026-02-10T05:00:00Z'), {client_ip: null, params: {source: 'canary', client_ip: '1.2.3.4'}})),
    JSON.stringify(pixelEvent(seededRandom(5), new Date('2026-02-10T05:00:00Z'), {client_ip: undefined})).replace('"source":"pixel"', '"source" :\t"pixel"'),
  ]
  const text = Buffer.from(lines.join('\n'))

  /** Each line's located values as text, null when its root lacks the field. */
  function locatedValues(native: boolean): (string | null)[][] {
    const out: (string | null)[][] = []
    compileFastPath(schema, 'event_id', 'ts', {native, fields: located})!.scanText(text, (line) => {
      expect(line.valid).toBe(true)
      out.push(located.map((_, k) => (line.fields[2 * k] < 0 ? null : text.toString('utf8', line.fields[2 * k], line.fields[2 * k + 1]))))
    })
    return out
  }

  it.each([false, true])('gives each root field\'s value, quotes included, never a nested one of the same name (native %s)', (native) => {
    expect(locatedValues(native)).toEqual([['"canary"', '"203.0.113.0"'], ['"pixel"', 'null'], ['"pixel"', null]])
  })

  it('names where each field sits, and -1 for one it does not locate', () => {
    const fast = compileFastPath(schema, 'event_id', 'ts', {fields: located})!
    expect([fast.fieldIndex('source'), fast.fieldIndex('client_ip'), fast.fieldIndex('badge')]).toEqual([0, 1, -1])
  })
})

describe('the formats the fast path checks strings with', () => {
  // fast-path.ts reads ajv-formats' own table, so that a scan worker need not load ajv: it must be
  // the table schemaDialect's ajv checks, under every draft, for every name it is asked.
  const names = [...Object.keys(fullFormats), 'constructor', 'toString', '__proto__', 'no-such-format']
  it.each(['', 'http://json-schema.org/draft-07/schema#', 'https://json-schema.org/draft/2019-09/schema', 'https://json-schema.org/draft/2020-12/schema'])('are ajv\'s under the dialect "%s"', ($schema) => {
    const dialect = schemaDialect($schema ? {$schema} : {})
    expect(Object.keys(fullFormats).filter((name) => formatOf(name) === undefined)).toEqual([])
    for (const name of names) expect(formatOf(name), name).toBe(dialect.format(name))
  })
})
