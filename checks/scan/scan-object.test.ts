import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom} from '../../fixtures/random.js'
import {type ObjectKey, parseObjectKey} from '../../lake/layout/object-key.js'
import {type ScanOptions, locatedFields, scanObject} from './scan-object.js'
import {compileFastPath} from './fast-path-compile.js'
import {compileValidator, loadSchema} from '../schema/record-validator.js'

const schema = await loadSchema()
const validator = compileValidator(schema)
const object: ObjectKey = parseObjectKey('year=2026/month=02/day=10/hour=05/pixel-events-1-2026-02-10-05-20-00-0b7c4a1e-2f7d-4d6a-9c1b-3e5f7a9b1c2d.gz')!
const at = new Date('2026-02-10T05:17:03.456Z')
const base = {validator, idField: 'event_id', timeField: 'ts', toleranceMs: 15 * 60_000, maxSamples: 5}

/** The same scan in each of its three modes: ajv only, the JavaScript fast path, the native one. */
const modes: [string, ScanOptions][] = [
  ['without the fast path', base],
  ['with the JavaScript fast path', {...base, fastPath: compileFastPath(schema, 'event_id', 'ts', {native: false})}],
  ['with the native fast path', {...base, fastPath: compileFastPath(schema, 'event_id', 'ts')}],
]

/** Three valid records around a middle line given as raw bytes. */
function objectAround(middle: Buffer): Buffer {
  const rand = seededRandom(5)
  const line = () => Buffer.from(JSON.stringify(pixelEvent(rand, at)))
  return gzipSync(Buffer.concat([line(), Buffer.from('\n'), middle, Buffer.from('\n'), line(), Buffer.from('\n'), line(), Buffer.from('\n')]))
}

describe.each(modes)('scanObject %s', (_, options) => {
  it('reports a record holding bytes that are not UTF-8 as unparseable, with its key and index', () => {
    const record = Buffer.from(JSON.stringify(pixelEvent(seededRandom(6), at, {user_agent: 'Mozilla/5.0 XX'})))
    const bad = Buffer.from(record.toString('latin1').replace('XX', '\xff\xfe'), 'latin1')
    const scan = scanObject(object, objectAround(bad), options)
    expect(scan).toMatchObject({records: 3, valid: 3, unparseable: 1})
    expect(scan.unparseableSamples).toEqual([expect.objectContaining({key: object.key, index: 1, message: expect.stringMatching(/^not UTF-8: byte 0xff at offset \d+ of the line/)})])
  })

  it('reports a line longer than the longest record as unparseable, and judges the rest of the object', () => {
    const long = Buffer.from(`{"event_id":"${'x'.repeat(5000)}"}`)
    const scan = scanObject(object, objectAround(long), {...options, maxLineBytes: 4096})
    expect(scan).toMatchObject({records: 3, valid: 3, unparseable: 1})
    expect(scan.unparseableSamples).toEqual([expect.objectContaining({key: object.key, index: 1, message: expect.stringContaining(`a piece of ${long.length} bytes with no line break`)})])
  })

  it('reads non-ASCII text that is well-formed UTF-8', () => {
    const record = Buffer.from(JSON.stringify(pixelEvent(seededRandom(6), at, {user_agent: 'Mozilla/5.0 caf\u00e9 \u{1f600}'})))
    expect(scanObject(object, objectAround(record), options)).toMatchObject({records: 4, valid: 4, unparseable: 0})
  })
})

describe('scanObject on the canary\'s records and raw addresses', () => {
  const rules = {canary: {field: 'source', value: 'canary'}, ipField: 'client_ip', ipPolicy: 'anonymise' as const}
  const fields = locatedFields(rules)
  const cases: [string, ScanOptions][] = [
    ['without the fast path', {...base, ...rules}],
    ['with the JavaScript fast path, locating nothing', {...base, ...rules, fastPath: compileFastPath(schema, 'event_id', 'ts', {native: false})}],
    ['with the JavaScript fast path, locating the fields', {...base, ...rules, fastPath: compileFastPath(schema, 'event_id', 'ts', {native: false, fields})}],
    ['with the native fast path, locating the fields', {...base, ...rules, fastPath: compileFastPath(schema, 'event_id', 'ts', {fields})}],
  ]
  const rand = seededRandom(17)
  const records = [
    {source: 'canary', client_ip: '203.0.113.0'},
    {source: 'pixel', client_ip: '203.0.113.7'},
    {source: 'canary', client_ip: '2001:db8:1:2::'},
    {source: 'pixel', client_ip: '2001:db8:1::'},
    {source: 'pixel', client_ip: null},
    {source: 'pixel', client_ip: 'not an address'},
    {source: 'pixel', client_ip: '999.1.1.0'},
    {source: 'pixel', client_ip: '010.1.1.00'},
    {source: 'replay', params: {source: 'canary', client_ip: '1.2.3.4'}},
  ].map((overrides) => JSON.stringify(pixelEvent(rand, at, overrides as never)))
  // Escaped spellings of the same values: the scanners must decode them as JSON.parse does.
  records.push(records[0].replace('"canary"', '"can\\u0061ry"').replace('"203.0.113.0"', '"203.0.113.\\u0031"'))
  records.push(records[1].replace('"source":"pixel"', '"source" : "pixel"'))
  const bytes = gzipSync(Buffer.from(records.join('\n') + '\n'))

  it.each(cases)('counts the same canary records, ids and raw addresses %s', (_, options) => {
    const scan = scanObject(object, bytes, options)
    const reference = scanObject(object, bytes, cases[0][1])
    expect(scan.records).toBe(records.length)
    expect(scan.canary.records).toBe(3)
    // Every record holds an address but the null one; 010.1.1.00 ends in a zero octet.
    expect({rawIp: scan.rawIp, ipSeen: scan.ipSeen}).toEqual({rawIp: 4, ipSeen: 10})
    expect(scan.rawIpSamples.map((s) => s.index)).toEqual([1, 2, 9, 10])
    expect(scan.rawIpSamples).toEqual(reference.rawIpSamples)
    expect(Buffer.from(scan.canaryIds)).toEqual(Buffer.from(reference.canaryIds))
    expect(scan.real).toEqual(reference.real)
    expect(scan.canary).toEqual(reference.canary)
  })
})

describe.each(modes)('the canary\'s ids, scanObject %s', (_, options) => {
  it('keeps every canary record\'s id, past the first growth of the id list', () => {
    const rand = seededRandom(9)
    const count = 2500 // more than the lists' first 1024 places
    const records = Array.from({length: count}, () => pixelEvent(rand, at, {source: 'canary'}))
    const scan = scanObject(object, gzipSync(records.map((r) => JSON.stringify(r)).join('\n')), {...options, canary: {field: 'source', value: 'canary'}})
    expect(scan.canary.records).toBe(count)
    expect(scan.canaryIdIndexes).toEqual(scan.idIndexes)
    expect(Buffer.from(scan.canaryIds).equals(Buffer.from(scan.ids))).toBe(true)
    expect(Buffer.from(scan.ids.subarray(1024 * 16, 1025 * 16)).toString('hex')).toBe(String(records[1024].event_id).replace(/-/g, ''))
  })
})
