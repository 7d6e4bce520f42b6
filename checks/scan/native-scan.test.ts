import {isUtf8} from 'node:buffer'
import {readFileSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom} from '../../fixtures/random.js'
import {gunzipObject} from '../../lake/codec/gunzip-object.js'
import {PACKAGE_ROOT} from '../../lake/package-root.js'
import type {FastPath} from './fast-path.js'
import {compileFastPath} from './fast-path-compile.js'
import {FACT, type ScannedLine, factOfField} from './fast-path-program.js'
import {ipv4KindAt, ipv6KindAt} from './ip-address.js'
import {idBytesAt} from '../../lake/ids/record-id.js'
import {nativeScannerLoaded, nativeScannerNote} from './native-scan.js'
import {missingPrerequisite} from './native/build-native.mjs'
import {mutateText, sampleRecord, schemaCorpus} from '../../fixtures/schema-records.js'
import {loadSchema} from '../schema/record-validator.js'

const schema = await loadSchema()
// Both locate the canary's field and the address, as pixel check compiles them.
const fields = ['source', 'client_ip']
const inJs = compileFastPath(schema, 'event_id', 'ts', {native: false, fields})!
const inCpp = compileFastPath(schema, 'event_id', 'ts', {fields})!

type Verdict = Omit<ScannedLine, 'facts' | 'idBytes' | 'idOffset'>

/**
 * Every line's verdict, leaving out whitespace-only lines (which both send to the slow path), and
 * the facts only the native scanner reads (held to scanObject's own reading apart).
 */
function verdicts(fast: FastPath, text: Uint8Array): Verdict[] {
  const lines: Verdict[] = []
  fast.scanText(text, (line) => {
    const {facts: _facts, idBytes: _idBytes, idOffset: _idOffset, ...verdict} = line
    if (line.valid || Buffer.from(text.subarray(line.start, line.end)).toString('latin1').trim() !== '') lines.push({...verdict, idStart: line.valid ? line.idStart : -1, idEnd: line.valid ? line.idEnd : -1, time: line.valid ? line.time : Number.NaN, fields: line.valid ? Int32Array.from(line.fields) : new Int32Array(0)})
  })
  return lines
}

/** What scanObject reads off a proven line itself, in the form of the native scanner's facts. */
function factsInJs(text: Uint8Array, line: ScannedLine, fieldCount: number): {facts: number; id?: Buffer} {
  let facts = FACT.KNOWN
  let id: Buffer | undefined
  const uuid = line.idEnd - line.idStart === 36 && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(Buffer.from(text.subarray(line.idStart, line.idEnd)).toString('latin1'))
  if (line.idStart >= 0 && uuid) {
    facts |= FACT.ID_UUID
    id = Buffer.alloc(16)
    idBytesAt(text, line.idStart, line.idEnd, id, 0)
  }
  for (let k = 0; k < fieldCount; k++) {
    const start = line.fields[2 * k]
    const end = line.fields[2 * k + 1]
    if (start < 0 || text[start] !== 0x22) continue
    if (text.subarray(start + 1, end - 1).includes(0x5c)) facts |= factOfField(k, 'escaped')
    else if ((ipv4KindAt(text, start + 1, end - 1) ?? ipv6KindAt(text, start + 1, end - 1)) === 'anonymised') facts |= factOfField(k, 'anonymisedIp')
  }
  return {facts, id}
}

function mutatedText(seed: number, count: number): Buffer {
  const rand = seededRandom(seed)
  // Text and raw bytes: well-formed UTF-8, and bytes that are not UTF-8 at all.
  const alphabet: (string | Buffer)[] = ['"', '\\', '{', '}', ',', ':', ' ', '1', 'a', 'Z', 'é', 'null', 'true', '-', '.', '\t', '\r', 'x'.repeat(200), '"params":{"a":"1"}',
    Buffer.from([0xff, 0xfe]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0x80])]
  const lines: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const text = Buffer.from(JSON.stringify(pixelEvent(rand, new Date(Date.UTC(2026, 1, 10) + i * 7919))))
    const cut = Math.floor(rand() * text.length)
    const drawn = alphabet[Math.floor(rand() * alphabet.length)]
    const piece = typeof drawn === 'string' ? Buffer.from(drawn) : drawn
    const kind = Math.floor(rand() * 4)
    lines.push(kind === 0 ? text : kind === 1 ? Buffer.concat([text.subarray(0, cut), piece, text.subarray(cut)]) : kind === 2 ? Buffer.concat([text.subarray(0, cut), text.subarray(cut + 1)]) : Buffer.concat([text.subarray(0, cut), piece, text.subarray(cut + 1)]))
    if (rand() < 0.02) lines.push(Buffer.from(rand() < 0.5 ? '' : '   '))
  }
  return Buffer.concat(lines.flatMap((line, i) => (i === 0 ? [line] : [Buffer.from('\n'), line])))
}

// Under CI the scanner must be built; elsewhere only where a compiler, make, python3 and Node's
// headers are all found. A machine without them runs pixel (and these tests) in JavaScript.
const underCi = process.env.CI === 'true' || process.env.CI === '1'
const missing = missingPrerequisite()
const mustBuild = underCi || missing === undefined
if (!nativeScannerLoaded && !mustBuild) console.warn(`native scanner tests: the scanner cannot be built here (${missing}), so only its fallback is tested; CI builds it and runs every test`)

describe('the native scanner', () => {
  it('is built wherever it can be, and always under CI', () => {
    if (mustBuild) {
      expect(nativeScannerLoaded, nativeScannerNote()).toBe(true)
      expect(inCpp.native).toBe(true)
    } else {
      expect(inCpp.native).toBe(false)
      expect(nativeScannerNote()).toMatch(/^the native scanner is not in use \(.+\): checking with the JavaScript fast path/)
    }
    expect(inJs.native).toBe(false)
  })
})

describe.runIf(nativeScannerLoaded)('the native scanner, where built', () => {

  it.each([1, 2, 3])('gives the JavaScript fast path\'s verdicts, ids and times on thousands of mutated records (seed %i)', (seed) => {
    const text = mutatedText(seed, 3000)
    const fromCpp = verdicts(inCpp, text)
    expect(fromCpp.filter((l) => l.valid).length).toBeGreaterThan(500)
    expect(fromCpp.filter((l) => l.valid && l.fields[0] >= 0 && l.fields[2] >= 0).length).toBeGreaterThan(500)
    expect(fromCpp).toEqual(verdicts(inJs, text))
  })

  it('gives the same verdicts on every object of the sample lake', () => {
    const lake = join(PACKAGE_ROOT, 'fixtures/sample-lake')
    for (const key of readdirSync(lake, {recursive: true, encoding: 'utf8'})) {
      if (!statSync(join(lake, key)).isFile()) continue
      const {text} = gunzipObject(readFileSync(join(lake, key)), key.endsWith('.gz'))
      expect(verdicts(inCpp, text), key).toEqual(verdicts(inJs, text))
    }
  })

  it('leaves every line holding bytes that are not UTF-8 undecided, as the JavaScript fast path does', () => {
    const text = mutatedText(4, 3000)
    const lines = verdicts(inCpp, text)
    const notUtf8 = lines.filter((l) => !isUtf8(text.subarray(l.start, l.end)))
    expect(notUtf8.length).toBeGreaterThan(100)
    expect(notUtf8.every((l) => !l.valid)).toBe(true)
    expect(lines).toEqual(verdicts(inJs, text))
  })

  it('reads off each proven line the id bytes, escapes and anonymised addresses that scanObject would', () => {
    const rand = seededRandom(5)
    // As they are spelled inside the JSON string: some with escapes.
    const addresses = ['203.0.113.0', '203.0.113.7', '2001:db8:1::', '2001:db8:1:2::', '::', '::1', '2001:DB8:0:0:0:0:0:0', '1:2:3:4:5:6:7:8', '1:2:3::', '2001::1:0:0:0:0:0', '::1:0:0:0:0:0', '::ffff:198.51.100.0', '300.1.1.0', '1.2.3', '01.2.3.0', '0.0.0.00', 'caf\\u00e9', '203.0.113\\u002e0', 'x', '']
    const ids = ['0b8f5e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b', '0B8F5E2A-1C3D-4E5F-8A9B-0C1D2E3F4A5B', 'urn:uuid:0b8f5e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b', '0b8f5e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5g']
    const lines: Buffer[] = []
    for (let i = 0; i < 3000; i++) {
      const event = pixelEvent(rand, new Date(Date.UTC(2026, 1, 10) + i * 7919)) as Record<string, unknown>
      const source = i % 7 === 0 ? 'canary' : i % 11 === 0 ? 'c\\u0061nary' : 'pixel'
      let text = JSON.stringify(event).replace(/"client_ip":(null|"[^"]*")/, `"client_ip":"${addresses[i % addresses.length]}"`).replace(/"source":"[^"]*"/, `"source":"${source}"`)
      if (i % 3 === 0) text = text.replace(/"event_id":"[^"]*"/, `"event_id":"${ids[i % ids.length]}"`)
      lines.push(i % 13 === 12 ? mutatedText(i, 1) : Buffer.from(text))
    }
    const text = Buffer.concat(lines.flatMap((line, i) => (i === 0 ? [line] : [Buffer.from('\n'), line])))
    let seen = 0
    const kinds = new Set<number>()
    inCpp.scanText(text, (line) => {
      if (!line.valid) return
      if (line.facts === 0) return // a line JavaScript finished: scanObject reads it itself
      seen++
      const expected = factsInJs(text, line, fields.length)
      expect(line.facts, Buffer.from(text.subarray(line.start, line.end)).toString('latin1')).toBe(expected.facts)
      kinds.add(line.facts)
      if (expected.id) expect(Buffer.from(line.idBytes.subarray(line.idOffset, line.idOffset + 16))).toEqual(expected.id)
    })
    expect(seen).toBeGreaterThan(1500)
    // Every bit is met both set and clear: the table above would hide nothing.
    for (const bit of [FACT.ID_UUID, factOfField(0, 'escaped'), factOfField(1, 'escaped'), factOfField(1, 'anonymisedIp')]) {
      expect([...kinds].some((f) => f & bit), `bit ${bit} set`).toBe(true)
      expect([...kinds].some((f) => !(f & bit)), `bit ${bit} clear`).toBe(true)
    }
  })

  // The native scanner reads a time of the hour it read last from its minutes on.
  it('reads every spelling of a time in an hour it has met as the JavaScript fast path does', () => {
    const rests = ['00:00Z', '59:59.999Z', '60:00Z', '00:60Z', '99:00Z', '0:00Z', '00:00.Z', '00:00.1Z', '00:00.12Z', '00:00.123456789Z', '00:00.12aZ', '00:00', '00:00z',
      '00:00+00:00', '0a:00Z', '00-00Z', '00:00.000', '00:0Z', '30:15.5Z']
    const hours = ['2026-02-10T05:', '2026-02-10T06:', '2026-02-30T05:', '2025-12-31T23:', '2024-02-29T00:', '2023-02-29T00:', '1969-12-31T23:', '2026-02-10T05;']
    const rand = seededRandom(6)
    const lines: string[] = []
    for (const hour of hours) {
      for (const rest of [rests[0], ...rests, ...rests.slice().reverse()]) {
        const event = pixelEvent(rand, new Date(Date.UTC(2026, 1, 10, 5))) as Record<string, unknown>
        lines.push(JSON.stringify({...event, ts: hour + rest}))
      }
    }
    const text = Buffer.from(lines.join('\n'))
    const fromCpp = verdicts(inCpp, text)
    expect(fromCpp.filter((l) => l.valid && !Number.isNaN(l.time)).length).toBeGreaterThan(50)
    expect(fromCpp.filter((l) => Number.isNaN(l.time)).length).toBeGreaterThan(200)
    expect(fromCpp).toEqual(verdicts(inJs, text))
  })

  // The native scanner finds a line's end as it reads the line, so no value may run past a newline.
  it('reads a record cut by a newline at each of its bytes as two lines, as the JavaScript fast path does', () => {
    const record = JSON.stringify(pixelEvent(seededRandom(8), new Date(Date.UTC(2026, 1, 10, 5)))).replace(/,"/g, ', "').replace(/":/g, '": ')
    const lines: string[] = []
    for (let k = 0; k <= record.length; k++) lines.push(record.slice(0, k), record.slice(k), `${record.slice(0, k)}\r`, `  ${record}\t\r`, `${record} ${record.slice(0, k)}`)
    const text = Buffer.from(lines.join('\n'))
    const fromCpp = verdicts(inCpp, text)
    expect(fromCpp.filter((l) => l.valid).length).toBeGreaterThan(record.length)
    expect(fromCpp.filter((l) => !l.valid).length).toBeGreaterThan(3 * record.length)
    expect(fromCpp).toEqual(verdicts(inJs, text))
  })

  it('reads a text of more lines than one call returns', () => {
    const text = Buffer.from(Array.from({length: 10_000}, (_, i) => JSON.stringify(pixelEvent(seededRandom(i), new Date(Date.UTC(2026, 1, 10))))).join('\n'))
    const lines = verdicts(inCpp, text)
    expect(lines).toHaveLength(10_000)
    expect(lines.every((l) => l.valid)).toBe(true)
  })
})

describe.runIf(nativeScannerLoaded).each(schemaCorpus().filter(({name}) => name !== 'conditional-consent'))('the native scanner on the $name schema', ({schema}) => {
  const names = Object.keys((schema.properties ?? {}) as object)
  const idField = ['event_id', 'id', 'order_id', 'session', 'user_id', 'device'].find((f) => names.includes(f)) ?? 'event_id'
  const timeField = ['ts', 'collector_tstamp', 'event_timestamp', 'at', 'created_at'].find((f) => names.includes(f)) ?? 'ts'
  // Two of its root fields located, as the canary's field and the address would be.
  const fields = names.filter((n) => n !== idField).slice(0, 2)
  const js = compileFastPath(schema, idField, timeField, {native: false, fields})!
  const cpp = compileFastPath(schema, idField, timeField, {fields})!

  it.each([1, 2, 3])('gives the JavaScript fast path\'s verdicts, ids and times on sampled and mutated records (seed %i)', (seed) => {
    const rand = seededRandom(seed * 31)
    const lines = Array.from({length: 2000}, () => {
      const text = JSON.stringify(sampleRecord(schema, rand))
      return rand() < 0.5 ? text : mutateText(text, rand)
    })
    const text = Buffer.from(lines.join('\n'))
    expect(cpp.native).toBe(true)
    expect(verdicts(cpp, text)).toEqual(verdicts(js, text))
  })
})

describe.runIf(nativeScannerLoaded)('the native scanner\'s numbers', () => {
  it('reads every spelling of a number to the double JavaScript\'s Number() reads', () => {
    const rand = seededRandom(41)
    const spellings: string[] = ['0', '-0', '0.0', '1.0', '1e2', '1E+2', '0.1', '0.3', '-0.000', '123456789012345', '1234567890123456', '0.1e1', '100e-2', '9007199254740993', '1e22', '1e23', '1e-22', '1e-23']
    for (let k = 0; k < 3000; k++) {
      const v = (rand() - 0.5) * 10 ** Math.floor(rand() * 30 - 12)
      const digits = 1 + Math.floor(rand() * 17)
      spellings.push(String(v), v.toExponential(Math.min(digits, 20)), v.toPrecision(digits).replace(/^(-?)0\./, '$10.'))
      if (Math.abs(v) < 1e15) spellings.push(v.toFixed(Math.floor(rand() * 12)))
    }
    const json = spellings.filter((s) => /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(s))
    // Half the values are the schema's enum: a record is valid only if its number is exactly one.
    const values = json.filter((_, k) => k % 2 === 0).map(Number)
    const schema = {type: 'object', properties: {x: {enum: values}}, required: ['x']}
    const js = compileFastPath(schema, 'id', 'ts', {native: false})!
    const cpp = compileFastPath(schema, 'id', 'ts')!
    const text = Buffer.from(json.map((s) => `{"x":${s}}`).join('\n'))
    const fromCpp = verdicts(cpp, text)
    expect(fromCpp.map((l) => l.valid)).toEqual(json.map((s) => values.includes(Number(s))))
    expect(fromCpp).toEqual(verdicts(js, text))
    expect(json.length).toBeGreaterThan(8000)
  })
})
