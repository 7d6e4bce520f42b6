import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom} from '../../fixtures/random.js'
import {type ObjectKey, parseObjectKey} from '../../lake/layout/object-key.js'
import {compileValidator, loadSchema} from '../schema/record-validator.js'
import {compileFastPath} from './fast-path-compile.js'
import {nativeScannerLoaded} from './native-scan.js'
import {type ScanOptions, locatedFields, scanObject} from './scan-object.js'

// The native scanner counts plain lines itself (LineAbsorber) and visits the rest; scanObject's
// answer must not change by a byte for it, whatever the lines around a plain one hold.

const schema = await loadSchema()
const object: ObjectKey = parseObjectKey('year=2026/month=02/day=10/hour=05/pixel-events-1-2026-02-10-05-20-00-0b7c4a1e-2f7d-4d6a-9c1b-3e5f7a9b1c2d.gz')!
const hour = Date.UTC(2026, 1, 10, 5)
const MINUTE = 60_000

type LineMaker = (rand: () => number, earlier: string[]) => string

const event = (rand: () => number, minute: number, overrides: Record<string, unknown> = {}) => JSON.stringify(pixelEvent(rand, new Date(hour + minute * MINUTE + Math.floor(rand() * MINUTE)), overrides as never))

/** Kinds of line, each with its weight in the mix: plain ones most, then every kind of exception. */
const kinds: [number, string, LineMaker][] = [
  [60, 'plain', (rand) => event(rand, rand() * 60)],
  [2, 'the canary\'s', (rand) => event(rand, rand() * 60, {source: 'canary'})],
  [1, 'the canary\'s, escaped', (rand) => event(rand, 10, {source: 'canary'}).replace('"canary"', '"c\\u0061nary"')],
  [1, 'a mark one byte longer than the canary\'s', (rand) => event(rand, 10, {source: 'canary!'})],
  [2, 'with a raw IPv4 address', (rand) => event(rand, 20, {client_ip: '198.51.100.7'})],
  [1, 'with an anonymised IPv6 address', (rand) => event(rand, 20, {client_ip: '2001:db8:1::'})],
  [1, 'with a full IPv6 address', (rand) => event(rand, 20, {client_ip: '2001:db8:1:2::9'})],
  [1, 'with no address', (rand) => event(rand, 20, {client_ip: null})],
  [1, 'with an escaped address', (rand) => event(rand, 20).replace(/"client_ip":"(\d+)\./, '"client_ip":"\\u0031$1.')],
  [2, 'of another hour', (rand) => event(rand, 200)],
  [1, 'at the first moment its hour takes', () => event(() => 0, -15)],
  [1, 'at the first moment past its hour\'s tolerance', () => event(() => 0, 75)],
  [1, 'from before its arrival', (rand) => event(rand, 50)],
  [1, 'with a time in another offset', (rand) => event(rand, 30).replace(/"ts":"([^"]+)Z"/, (_, t: string) => `"ts":"${t}+00:00"`)],
  [2, 'with an id that is not a UUID', (rand) => event(rand, 30, {event_id: `evt-${Math.floor(rand() * 1e9)}`})],
  [1, 'with an upper-case UUID', (rand) => event(rand, 30).replace(/"event_id":"([^"]+)"/, (_, id: string) => `"event_id":"${id.toUpperCase()}"`)],
  [2, 'repeating an earlier record', (rand, earlier) => (earlier.length > 0 ? earlier[Math.floor(rand() * earlier.length)] : event(rand, 5))],
  [1, 'failing the schema', (rand) => event(rand, 30, {schema_version: 'one'})],
  [1, 'holding two records', (rand) => event(rand, 30) + event(rand, 31)],
  [1, 'blank', () => '   '],
  [1, 'ending in CR', (rand) => `${event(rand, 30)}\r`],
  [1, 'not JSON', () => '{"event_id": '],
]

/** `count` lines drawn from the mix, seeded; each object ends with a newline. */
function mixedObject(seed: number, count: number): Buffer {
  const rand = seededRandom(seed)
  const total = kinds.reduce((sum, [weight]) => sum + weight, 0)
  const lines: string[] = []
  for (let k = 0; k < count; k++) {
    let pick = rand() * total
    const [, , make] = kinds.find(([weight]) => (pick -= weight) < 0) ?? kinds[0]
    lines.push(make(rand, lines.slice(-50)))
  }
  return gzipSync(`${lines.join('\n')}\n`)
}

const rules = {canary: {field: 'source', value: 'canary'}, ipField: 'client_ip'}
const base = {validator: compileValidator(schema), idField: 'event_id', timeField: 'ts', toleranceMs: 15 * MINUTE, maxSamples: 5, ...rules}

describe.each(['anonymise', 'omit', 'full'] as const)('scanObject with --ip-policy %s', (ipPolicy) => {
  const options: ScanOptions = {...base, ipPolicy}
  const fields = locatedFields({...rules, ipPolicy})
  const modes: [string, ScanOptions][] = [
    ['the JavaScript fast path', {...options, fastPath: compileFastPath(schema, 'event_id', 'ts', {native: false, fields})}],
    ['the native fast path, locating nothing (every line visited)', {...options, fastPath: compileFastPath(schema, 'event_id', 'ts')}],
    ['the native fast path, counting plain lines itself', {...options, fastPath: compileFastPath(schema, 'event_id', 'ts', {fields})}],
  ]

  it.each([
    [1, 300],
    [2, 5_000],
    [3, 9_000],
  ])('gives ajv\'s scan on mix %i of %i lines in every mode', (seed, count) => {
    const bytes = mixedObject(seed, count)
    const reference = scanObject(object, bytes, options)
    // The mix holds every kind, so no mode passes by seeing only plain lines.
    expect(reference.canary.records).toBeGreaterThan(0)
    expect(reference.misplaced).toBeGreaterThan(0)
    expect(reference.invalid + reference.unparseable).toBeGreaterThan(0)
    const scans = modes.map(([mode, scanOptions]) => [mode, scanObject(object, bytes, scanOptions)] as const)
    // Under "full" the fast paths do not read addresses, so they count none seen (ipSeen) on the
    // lines they prove; nothing reports that count, and the rest must agree with ajv's all the same.
    const comparable = (scan: typeof reference) => (ipPolicy === 'full' ? {...scan, ipSeen: 0} : scan)
    for (const [mode, scan] of scans) expect(comparable(scan), mode).toEqual(comparable(reference))
    for (const [mode, scan] of scans) expect(scan, mode).toEqual(scans[0][1])
  })
})

describe('the native fast path, counting plain lines itself', () => {
  it('is what scanObject uses where the scanner is built', () => {
    expect(compileFastPath(schema, 'event_id', 'ts', {fields: locatedFields({...rules, ipPolicy: 'anonymise'})})?.native).toBe(nativeScannerLoaded)
  })

  it('keeps every id in record order past the growth of the id list and many calls of the scanner', () => {
    const rand = seededRandom(11)
    // Plain lines only, but for a canary record every 700; short ones (only the required fields),
    // so that the list, sized for an id every 320 bytes, must grow several times on the way.
    const short = (k: number) => {
      const {event_id, ts, schema_version, source, badge} = JSON.parse(event(rand, (k / 12_000) * 60, k % 700 === 0 ? {source: 'canary'} : {})) as Record<string, unknown>
      return JSON.stringify({event_id, ts, schema_version, source, badge})
    }
    const lines = Array.from({length: 12_000}, (_, k) => short(k))
    expect(lines.join('\n').length / 320).toBeLessThan(12_000 / 2) // two doublings at least
    const bytes = gzipSync(`${lines.join('\n')}\n`)
    const fast = {...base, ipPolicy: 'anonymise' as const, fastPath: compileFastPath(schema, 'event_id', 'ts', {fields: locatedFields({...rules, ipPolicy: 'anonymise'})})}
    const scan = scanObject(object, bytes, fast)
    expect(scan.idIndexes).toEqual(Uint32Array.from(lines.keys()))
    expect(scan.canaryIdIndexes).toEqual(Uint32Array.from(lines.keys()).filter((k) => k % 700 === 0))
    expect(scan).toEqual(scanObject(object, bytes, {...base, ipPolicy: 'anonymise'}))
  })
})
