import {describe, expect, it} from 'vitest'
import {FIELD_DEPTH, MAX_FIELDS, type JsonType, type SourceMetrics, emptySourceMetrics, tallyFields} from './source-metrics.js'

/** The tallies as the definition reads: every pointer to FIELD_DEPTH levels, first MAX_FIELDS kept. */
function referenceTally(records: unknown[]): Pick<SourceMetrics, 'sampled' | 'fields' | 'fieldsDropped'> {
  const out: Pick<SourceMetrics, 'sampled' | 'fields' | 'fieldsDropped'> = {sampled: 0, fields: {}, fieldsDropped: 0}
  const typeOf = (v: unknown): JsonType => (v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as JsonType))
  const visit = (value: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [name, child] of Object.entries(value)) {
      const pointer = `${prefix}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`
      if (name.length > 128 || (!(pointer in out.fields) && Object.keys(out.fields).length >= MAX_FIELDS)) {
        out.fieldsDropped++
        continue
      }
      const tally = (out.fields[pointer] ??= {present: 0, nulls: 0, types: {}})
      tally.present++
      if (child === null) tally.nulls++
      tally.types[typeOf(child)] = (tally.types[typeOf(child)] ?? 0) + 1
      if (typeOf(child) === 'object' && depth < FIELD_DEPTH) visit(child as Record<string, unknown>, pointer, depth + 1)
    }
  }
  for (const record of records) {
    out.sampled++
    if (typeof record === 'object' && record !== null && !Array.isArray(record)) visit(record as Record<string, unknown>, '', 1)
  }
  return out
}

function tallied(records: unknown[], metrics = emptySourceMetrics()): Pick<SourceMetrics, 'sampled' | 'fields' | 'fieldsDropped'> {
  for (const record of records) tallyFields(JSON.parse(JSON.stringify(record)), metrics)
  return {sampled: metrics.sampled, fields: metrics.fields, fieldsDropped: metrics.fieldsDropped}
}

/** `n` records of seeded shapes: shared and rare fields, nulls, nested objects three deep, arrays. */
function records(n: number, seed: number): unknown[] {
  let state = seed
  const next = (k: number) => ((state = (state * 1103515245 + 12345) % 2147483648) >> 8) % k
  return Array.from({length: n}, () => {
    const record: Record<string, unknown> = {event_id: 'e', ts: next(2) ? 't' : null}
    if (next(3) === 0) record[`rare_${next(40)}`] = next(2)
    if (next(2)) record.params = next(4) === 0 ? null : {style: 's', [`k${next(5)}`]: {deep: {deeper: 1}}, 'a/b~c': [1]}
    if (next(5) === 0) record.tags = ['x']
    return record
  })
}

describe('tallyFields', () => {
  it('names each field by its JSON pointer, with ~ and / escaped as RFC 6901 says', () => {
    const metrics = emptySourceMetrics()
    tallyFields({'a/b': 1, 'c~d': null, 'e~/f': 'x', plain: {'in/ner': true}}, metrics)
    expect(Object.keys(metrics.fields).sort()).toEqual(['/a~1b', '/c~0d', '/e~0~1f', '/plain', '/plain/in~1ner'])
    expect(metrics.fields['/c~0d']).toEqual({present: 1, nulls: 1, types: {null: 1}})
  })

  describe.each([
    ['mixed records', records(500, 7)],
    ['records with more distinct fields than MAX_FIELDS', Array.from({length: 40}, (_, i) => Object.fromEntries(Array.from({length: 10}, (_, j) => [`f${i * 10 + j}`, {[`g${j}`]: i}])))],
    ['records with names past 128 characters', [{['x'.repeat(129)]: 1, ok: {['y'.repeat(200)]: 2}}, {['x'.repeat(129)]: 1, ok: {}}]],
    ['values that are not objects', [null, 3, 'text', [1, 2], {a: 1}]],
    ["names of Object.prototype's members", [JSON.parse('{"__proto__": {"x": 1}, "constructor": null, "toString": {"valueOf": 2}}'), JSON.parse('{"hasOwnProperty": true}')]],
  ])('on %s', (_, sample) => {
    it('tallies what the definition gives, in the same order of pointers', () => {
      const got = tallied(sample)
      const want = referenceTally(sample)
      expect(got).toEqual(want)
      expect(Object.keys(got.fields)).toEqual(Object.keys(want.fields))
    })
  })

  it('drops a pointer again each time it is seen once MAX_FIELDS pointers are kept', () => {
    const full = Object.fromEntries(Array.from({length: MAX_FIELDS}, (_, i) => [`f${i}`, 1]))
    const got = tallied([full, {late: 1}, {late: 2}, {f0: 3}])
    expect(got.fieldsDropped).toBe(2)
    expect(got.fields['/f0'].present).toBe(2)
  })

  it('adds to the tallies a metrics object already holds, and keeps metrics objects apart', () => {
    const one = emptySourceMetrics()
    one.fields['/a'] = {present: 5, nulls: 0, types: {number: 5}}
    const other = emptySourceMetrics()
    tallied([{a: 1}], one)
    tallied([{a: null}], other)
    expect(one.fields['/a']).toEqual({present: 6, nulls: 0, types: {number: 6}})
    expect(other.fields['/a']).toEqual({present: 1, nulls: 1, types: {null: 1}})
  })
})
