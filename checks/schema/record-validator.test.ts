import {mkdtempSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom} from '../../fixtures/random.js'
import {mutateText, sampleRecord, schemaCorpus} from '../../fixtures/schema-records.js'
import {SchemaLoadError} from '../errors.js'
import {compileValidator, deferredValidator, loadSchema, schemaWarnings} from './record-validator.js'

const rand = seededRandom(7)
const event = (overrides = {}) => ({...pixelEvent(rand, new Date('2026-02-10T05:00:00.123Z')), ...overrides})

function schemaFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pixel-schema-')), 'schema.json')
  writeFileSync(path, text)
  return path
}

describe('the shipped pixel event schema', async () => {
  const validator = compileValidator(await loadSchema())

  it('accepts an event as the pipeline writes it', () => {
    expect(validator.isValid(event())).toBe(true)
  })

  it('reports every error of a record with its JSON pointer', () => {
    const violations = validator.explain(event({ts: 'yesterday', source: 'bot', schema_version: 2}))
    expect(violations.map((v) => v.pointer).sort()).toEqual(['/schema_version', '/source', '/ts'])
  })

  it.each([
    ['a ts that is not a date-time', {ts: '2026-02-30T05:00:00Z'}, '/ts'],
    ['an event_id that is not a UUID', {event_id: 'abc'}, '/event_id'],
    ['an empty badge', {badge: ''}, '/badge'],
    ['a user agent over 1024 characters', {user_agent: 'x'.repeat(1025)}, '/user_agent'],
  ])('rejects %s', (_, overrides, pointer) => {
    expect(validator.isValid(event(overrides))).toBe(false)
    expect(validator.explain(event(overrides)).map((v) => v.pointer)).toContain(pointer)
  })

  it('names the unexpected property in the message', () => {
    expect(validator.explain(event({extra: 1}))[0].message).toBe('must NOT have additional properties (extra)')
  })
})

describe('user schemas', () => {
  it('compiles a 2020-12 schema with its own keywords', async () => {
    const path = schemaFile(JSON.stringify({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {tags: {type: 'array', prefixItems: [{type: 'string'}], items: false}},
    }))
    const validator = compileValidator(await loadSchema(path))
    expect(validator.isValid({tags: ['a']})).toBe(true)
    expect(validator.isValid({tags: ['a', 'b']})).toBe(false)
  })

  it.each([
    ['a missing file', () => join(tmpdir(), 'no-such-schema.json'), /cannot read schema .*no-such-schema\.json/],
    ['a file that is not JSON', () => schemaFile('{"type": '), /is not JSON/],
    ['a JSON array', () => schemaFile('[]'), /not a JSON Schema object/],
    ['a schema ajv cannot compile', () => schemaFile('{"type": "banana"}'), /does not compile/],
    ['an unsupported dialect', () => schemaFile('{"$schema": "http://json-schema.org/draft-04/schema#"}'), /draft-04.*not supported/],
  ])('fails on %s with one line naming the file', async (_, makePath, message) => {
    const load = loadSchema(makePath())
    await expect(load).rejects.toThrow(SchemaLoadError)
    await expect(loadSchema(makePath())).rejects.toThrow(message)
  })
})

describe('compiling once', () => {
  const schema = () => ({type: 'object', required: ['id'], properties: {id: {type: 'string', minLength: 2}}})

  it('returns the first validator when the same schema object is compiled again', () => {
    const same = schema()
    expect(compileValidator(same)).toBe(compileValidator(same))
    expect(compileValidator(schema())).not.toBe(compileValidator(schema()))
  })

  it('defers the compile of a deferred validator to the first record, with the same verdicts', () => {
    const broken = {type: 'banana'}
    const deferred = deferredValidator(broken)
    expect(() => deferred.isValid({})).toThrow(/does not compile/)
    const eager = compileValidator(schema())
    const lazy = deferredValidator(schema())
    for (const record of [{id: 'ab'}, {id: 'a'}, {}, {id: 7}, null]) {
      expect(lazy.isValid(record)).toBe(eager.isValid(record))
      expect(lazy.explain(record)).toEqual(eager.explain(record))
    }
  })
})

describe('a schema too large for ajv', () => {
  it('fails with one line saying what is too large, not with a stack overflow', async () => {
    const properties = Object.fromEntries(Array.from({length: 50_000}, (_, i) => [`field_${i}`, {type: 'string'}]))
    const path = schemaFile(JSON.stringify({type: 'object', properties: {context: {type: 'object', properties}}}))
    const load = loadSchema(path)
    await expect(load).rejects.toThrow(SchemaLoadError)
    await expect(load).rejects.toThrow(`schema ${path} is too large for ajv to compile: its largest "properties" (/properties/context/properties) lists 50000 properties`)
  }, 60_000)
})

describe('schemaWarnings', () => {
  it.each([
    ['a misspelt keyword', {type: 'object', propertise: {}}, ['unknown keyword "propertise" is ignored']],
    ['a keyword in the wrong case, twice', {type: 'object', properties: {a: {type: 'string', maxlength: 3}, b: {type: 'string', maxlength: 4}}}, ['unknown keyword "maxlength" is ignored']],
    ['an unknown format, in two places', {type: 'object', properties: {a: {type: 'string', format: 'emial'}, b: {format: 'emial'}}}, ['unknown format "emial" (first at #/properties/a) is ignored: every value passes it']],
    [
      'unknown formats and keywords together',
      {type: 'object', properties: {a: {format: 'phone', 'x-order': 1}, b: {format: 'postcode'}}},
      ['unknown format "phone" (first at #/properties/a) is ignored: every value passes it', 'unknown format "postcode" (first at #/properties/b) is ignored: every value passes it', 'unknown keyword "x-order" is ignored'],
    ],
    ['prefixItems under draft-07, which knows only items', {type: 'array', prefixItems: [{type: 'string'}]}, ['unknown keyword "prefixItems" is ignored']],
  ])('names %s once, each in one line, before and after the schema is compiled for records', (_, schema, expected) => {
    expect(schemaWarnings(schema, 'my.json')).toEqual(expected.map((line) => `schema my.json: ${line}`))
    // The validator's compile logs them: read from there, they are the same lines.
    const compiled = structuredClone(schema)
    compileValidator(compiled)
    expect(schemaWarnings(compiled, 'my.json')).toEqual(expected.map((line) => `schema my.json: ${line}`))
  })

  it('finds nothing to say about the shipped schema, nor about a 2020-12 one with its own keywords and known formats', async () => {
    expect(schemaWarnings(await loadSchema())).toEqual([])
    expect(schemaWarnings({$schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{type: 'string', format: 'email'}], $comment: 'x', title: 't'})).toEqual([])
  })
})

describe('the validator compiled with strict mode logging', () => {
  const require = createRequire(import.meta.url)
  const drafts = {'07': require('ajv').Ajv, '2019-09': require('ajv/dist/2019.js').Ajv2019, '2020-12': require('ajv/dist/2020.js').Ajv2020}
  // ajv as pixel compiled it before, strict mode off, as the reference.
  const strictOff = (schema: Record<string, unknown>) => {
    const dialect = String(schema.$schema ?? '')
    const Draft = dialect.includes('2020-12') ? drafts['2020-12'] : dialect.includes('2019-09') ? drafts['2019-09'] : drafts['07']
    const ajv = new Draft({allErrors: false, strict: false, validateFormats: true, logger: false})
    require('ajv-formats')(ajv)
    return ajv.compile(schema)
  }

  it.each(schemaCorpus())('gives the verdicts of ajv with strict mode off on sampled and mutated records of the $name schema', ({schema}) => {
    const reference = strictOff(structuredClone(schema))
    const validator = compileValidator(structuredClone(schema))
    const rand = seededRandom(3)
    let valid = 0
    for (let k = 0; k < 400; k++) {
      const text = JSON.stringify(sampleRecord(schema, rand))
      let record: unknown
      try {
        record = JSON.parse(k % 2 === 0 ? text : mutateText(text, rand))
      } catch {
        continue
      }
      const verdict = validator.isValid(record)
      expect(verdict).toBe(reference(record))
      if (verdict) valid++
    }
    expect(valid).toBeGreaterThan(20)
  })
})
