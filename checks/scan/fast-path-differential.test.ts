import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {seededRandom} from '../../fixtures/random.js'
import {mutateText, sampleRecord, schemaCorpus} from '../../fixtures/schema-records.js'
import {parseObjectKey} from '../../lake/layout/object-key.js'
import {idBytes, idBytesAt} from '../../lake/ids/record-id.js'
import {compileFastPath} from './fast-path-compile.js'
import {FACT, type ScannedLine} from './fast-path-program.js'
import {scanObject} from './scan-object.js'
import {compileValidator} from '../schema/record-validator.js'

const ID_FIELDS = ['event_id', 'id', 'order_id', 'session', 'user_id', 'device']
const TIME_FIELDS = ['ts', 'collector_tstamp', 'event_timestamp', 'at', 'created_at']

// Schemas whose records the fast path leaves to ajv, and why.
const UNDECIDED_BY_DESIGN: Record<string, string> = {
  'conditional-consent': 'if/then at the root',
  'user-signup': 'a number id (user_id), which the slow path hashes as #value',
}

const corpus = schemaCorpus().map(({name, schema}) => {
  const names = Object.keys((schema.properties ?? {}) as object)
  return {name, schema, idField: ID_FIELDS.find((f) => names.includes(f)) ?? 'event_id', timeField: TIME_FIELDS.find((f) => names.includes(f)) ?? 'ts'}
})

/** Lines of records drawn for `schema`: about half as written, half mutated, one text. */
function corpusText(schema: Record<string, unknown>, seed: number, count: number): string {
  const rand = seededRandom(seed)
  const lines: string[] = []
  for (let i = 0; i < count; i++) {
    const text = JSON.stringify(sampleRecord(schema, rand))
    lines.push(rand() < 0.5 ? text : mutateText(text, rand))
  }
  return lines.join('\n')
}

interface Checked {
  lines: number
  decided: number
  ajvValid: number
}

/** Holds every line the fast path proves valid to ajv's verdict and to the slow path's id and time. */
function checkAgainstAjv(entry: (typeof corpus)[number], text: string, native: boolean): Checked {
  const validator = compileValidator(entry.schema)
  const fast = compileFastPath(entry.schema, entry.idField, entry.timeField, {native})
  const bytes = Buffer.from(text)
  const counts: Checked = {lines: 0, decided: 0, ajvValid: 0}
  const visit = (line: ScannedLine) => {
    const piece = bytes.toString('utf8', line.start, line.end)
    if (piece.trim() === '') return
    counts.lines++
    let parsed: unknown
    let ajvValid = false
    try {
      parsed = JSON.parse(piece)
      ajvValid = validator.isValid(parsed)
    } catch {
      ajvValid = false
    }
    if (ajvValid) counts.ajvValid++
    if (!line.valid) return
    counts.decided++
    expect(ajvValid, `the fast path proved valid what ajv rejects: ${piece}`).toBe(true)
    const fields = parsed as Record<string, unknown>
    const fromFast = Buffer.alloc(16)
    const fromSlow = Buffer.alloc(16)
    const fastHasId = line.idStart >= 0 && idBytesAt(bytes, line.idStart, line.idEnd, fromFast, 0)
    expect(fastHasId, `id of ${piece}`).toBe(idBytes(fields[entry.idField], fromSlow, 0))
    expect(fromFast, `id of ${piece}`).toEqual(fromSlow)
    // The id bytes the native scanner read itself, where it did, are the slow path's too.
    if (line.facts & FACT.ID_UUID) expect(Buffer.from(line.idBytes.subarray(line.idOffset, line.idOffset + 16)), `native id of ${piece}`).toEqual(fromSlow)
    const time = typeof fields[entry.timeField] === 'string' ? Date.parse(fields[entry.timeField] as string) : Number.NaN
    expect(line.time, `time of ${piece}`).toBe(time)
  }
  if (fast) fast.scanText(bytes, visit)
  else {
    // No fast path at all: every line is undecided, and still counted.
    let start = 0
    for (const piece of text.split('\n')) {
      visit({start, end: start + Buffer.byteLength(piece), valid: false, idStart: -1, idEnd: -1, time: Number.NaN, fields: new Int32Array(0), facts: 0, idBytes: new Uint8Array(0), idOffset: 0, idSlot: -1})
      start += Buffer.byteLength(piece) + 1
    }
  }
  return counts
}

describe.each(corpus)('the fast path on the $name schema', (entry) => {
  const text = corpusText(entry.schema, 7, 1500)

  it.each([
    [1, 'JavaScript'],
    [2, 'JavaScript'],
    [3, 'JavaScript'],
    [1, 'C++'],
    [4, 'C++'],
  ])('never proves valid a record ajv rejects, over sampled and mutated records (seed %i, %s)', (seed, scanner) => {
    const counts = checkAgainstAjv(entry, seed === 1 ? text : corpusText(entry.schema, seed * 1000, 1500), scanner === 'C++')
    // The corpus is meant to hold both verdicts: a sampler that stopped drawing valid records would hide defects.
    expect(counts.ajvValid).toBeGreaterThan(counts.lines * 0.08)
    expect(counts.ajvValid).toBeLessThan(counts.lines)
    // What the fast path is for: deciding most valid records without ajv (undecided ones cost time, never a verdict).
    const floor = UNDECIDED_BY_DESIGN[entry.name] === undefined ? 0.85 : 0
    expect(counts.decided, `decided ${counts.decided} of ${counts.ajvValid} valid`).toBeGreaterThanOrEqual(counts.ajvValid * floor)
  })

  it.each([false, true])('gives the same scan of an object with the fast path as without it (native %s)', (native) => {
    const validator = compileValidator(entry.schema)
    const fast = compileFastPath(entry.schema, entry.idField, entry.timeField, {native})
    const object = parseObjectKey('year=2026/month=02/day=10/hour=05/pixel-events-1-2026-02-10-05-50-00-43e214d1-4248-466a-9025-5702a6565efe.gz')!
    const bytes = gzipSync(text)
    const options = {validator, idField: entry.idField, timeField: entry.timeField, toleranceMs: 15 * 60_000, maxSamples: 5}
    expect(scanObject(object, bytes, {...options, fastPath: fast})).toEqual(scanObject(object, bytes, options))
  })
})
