import {readFileSync} from 'node:fs'
import {DuckDBInstance, type DuckDBConnection} from '@duckdb/node-api'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {seededRandom} from '../../fixtures/random.js'
import {mutateText, sampleRecord, schemaCorpus} from '../../fixtures/schema-records.js'
import {PIXEL_EVENT_SCHEMA_PATH, compileValidator} from '../schema/record-validator.js'
import {checkQueries} from './check-queries.js'
import {type NotChecked, compileSchemaSql} from './schema-sql.js'
import {DUCKDB} from './sql-dialect.js'

/** Records drawn per schema: about half as the factory writes them, half mutated. */
const RECORDS = 600
const SEEDS = [1, 2]

/** Constructs where a keyword SQL does not check sits under not, oneOf or if, and other corners the fixtures do not reach. */
const HOSTILE: {name: string; schema: Record<string, unknown>}[] = [
  {
    name: 'not, oneOf and if around keywords SQL does not check',
    schema: {
      type: 'object',
      required: ['event_id', 'ts'],
      properties: {
        event_id: {type: 'string', minLength: 2},
        ts: {type: 'string', format: 'date-time'},
        wait: {not: {type: 'string', format: 'duration'}},
        either: {oneOf: [{type: 'string', pattern: '^(?=a)'}, {type: 'string', maxLength: 3}]},
        when: {if: {type: 'string', pattern: '(a)\\1'}, then: {minLength: 4}, else: {maxLength: 6}},
        list: {type: 'array', items: {type: ['integer', 'null'], multipleOf: 0.01}, uniqueItems: true},
        kind: {enum: ['a', 1, null, true]},
        fixed: {const: null},
      },
      patternProperties: {'^x_': {type: 'number'}},
      additionalProperties: false,
    },
  },
  ...Object.entries({
    'text at its edges': {
      id: {type: 'string', pattern: '^\\w{2,8}$', minLength: 3, maxLength: 6},
      label: {type: 'string', pattern: '^.{1,4}$'},
    },
    'digits and numbers at their edges': {
      digits: {type: 'string', pattern: '^\\d*$'},
      n: {type: 'integer', minimum: -9007199254740993, exclusiveMaximum: 1e300},
      price: {type: 'number', multipleOf: 0.01, exclusiveMinimum: 0},
    },
    'arrays in arrays, and a tuple': {
      grid: {type: 'array', items: {type: 'array', items: {type: ['number', 'null']}, minItems: 1}, contains: {type: 'array', maxItems: 1}},
      pair: {type: 'array', prefixItems: [{type: 'string'}, {type: 'integer'}], items: {type: 'boolean'}},
    },
    'property names, counts and formats in anyOf': {
      meta: {type: 'object', propertyNames: {pattern: '^[a-z]+$', maxLength: 5}, maxProperties: 3, additionalProperties: {enum: [1, 'one', null]}},
      contact: {anyOf: [{type: 'string', format: 'email'}, {type: 'string', format: 'uri'}]},
    },
  }).map(([name, properties]) => ({
    name,
    schema: {$schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties, dependentRequired: {price: ['n']}} as Record<string, unknown>,
  })),
]

const corpus = [
  ...schemaCorpus(),
  ...HOSTILE,
  {name: 'the shipped pixel event schema', schema: JSON.parse(readFileSync(PIXEL_EVENT_SCHEMA_PATH, 'utf8')) as Record<string, unknown>},
]

/**
 * The schema without the keywords SQL does not check: what the SQL engine does check. A record SQL
 * passes and ajv rejects is allowed only when this schema accepts it too (it failed nothing but
 * what the report lists as not checked).
 */
function withoutNotChecked(schema: Record<string, unknown>, notChecked: NotChecked[]): Record<string, unknown> {
  const copy = structuredClone(schema)
  for (const {pointer, keyword} of notChecked) {
    if (keyword === '*') continue
    const tokens = pointer.split('/').slice(1).map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'))
    let node: unknown = copy
    for (const t of tokens.slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[t]
    if (!node || typeof node !== 'object') continue
    const parent = node as Record<string, unknown>
    const name = tokens.at(-1)!
    // A tuple keeps its length (what follows it is still judged by items or additionalItems), every place accepting anything.
    if (Array.isArray(parent[name]) && (name === 'prefixItems' || name === 'items')) parent[name] = (parent[name] as unknown[]).map(() => true)
    else delete parent[name]
  }
  return copy
}

/** Whether a JSON text names a member twice in one object (DuckDB keeps the first, JSON.parse the last: the README's difference, not the compiler's). */
function hasDuplicateKey(text: string): boolean {
  const stack: (Set<string> | null)[] = []
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') {
      let j = i + 1
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      const top = stack.at(-1)
      if (top && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string
        if (top.has(key)) return true
        top.add(key)
        expectKey = false
      }
      i = j
    } else if (c === '{') {
      stack.push(new Set())
      expectKey = true
    } else if (c === '[') stack.push(null)
    else if (c === '}' || c === ']') stack.pop()
    else if (c === ',') expectKey = Boolean(stack.at(-1))
  }
  return false
}

/** Whether JSON text parses to a number JSON cannot carry (1e400 is Infinity to JSON.parse). */
function holdsInfinity(value: unknown): boolean {
  let found = false
  JSON.stringify(value, (_, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) found = true
    return v
  })
  return found
}

interface Drawn {
  /** The text SQL reads. */
  text: string
  /** What JSON.parse makes of it, which ajv judges. */
  value: unknown
}

/**
 * Records for `schema` from a seed: about half as the factory writes them, half mutated. `as
 * written` keeps each line's own text (number spellings, escapes, whitespace), leaving out only
 * the lines where DuckDB and JSON.parse read different values by design (a member named twice,
 * a number too large for a double); `canonical` gives SQL JSON.stringify's text of every line.
 */
function recordsFor(schema: Record<string, unknown>, seed: number, form: 'as written' | 'canonical'): Drawn[] {
  const rand = seededRandom(seed)
  const records: Drawn[] = []
  while (records.length < RECORDS) {
    const text = JSON.stringify(sampleRecord(schema, rand))
    const line = rand() < 0.5 ? text : mutateText(text, rand)
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      continue // Not JSON: SQL hands such lines back to the local engine; the compiler never sees them.
    }
    if (holdsInfinity(value)) continue
    if (form === 'canonical') records.push({text: JSON.stringify(value), value})
    else if (!hasDuplicateKey(line)) records.push({text: line, value})
  }
  return records
}

let instance: DuckDBInstance
let connection: DuckDBConnection

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:', {threads: '1'})
  connection = await instance.connect()
})

afterAll(() => {
  connection.closeSync()
  instance.closeSync()
})

/** The compiled rules run in DuckDB over each record: the pointers and messages of those that fail, per record. */
async function sqlVerdicts(schema: Record<string, unknown>, records: Drawn[]): Promise<(string[] | null)[]> {
  const compiled = compileSchemaSql(schema, DUCKDB, 'r')
  if (compiled.rules.length === 0) return records.map(() => [])
  await connection.run('CREATE OR REPLACE TABLE lines (i INTEGER, line VARCHAR)')
  const appender = await connection.createAppender('lines')
  for (const [i, record] of records.entries()) {
    appender.appendInteger(i)
    appender.appendVarchar(record.text)
    appender.endRow()
  }
  appender.closeSync()
  const errors = compiled.rules.map((rule) => `CASE WHEN ${rule.fails} THEN ${rule.pointer} || ' ' || ${rule.message} END`)
  // A line DuckDB does not take as JSON (a lone surrogate escape) goes back to the local engine, as in check-queries.ts: null here.
  const reader = await connection.runAndReadAll(`SELECT i, CASE WHEN ok THEN ${DUCKDB.compact(DUCKDB.array(errors))} END AS errs FROM (SELECT i, ${DUCKDB.isJson('line')} AS ok, CASE WHEN ${DUCKDB.isJson('line')} THEN ${DUCKDB.parse('line')} END AS r FROM lines) ORDER BY i`)
  const rows = reader.getRowsJson()
  expect(rows.map((row) => Number(row[0]))).toEqual(records.map((_, i) => i))
  const verdicts = rows.map((row) => row[1] as string[] | null)
  // The same rules as pixel check runs them (check-queries.ts, each record an object of its own): the same verdicts.
  const q = checkQueries('duckdb', {schema, idField: 'event_id', timeField: 'ts', toleranceMs: 900_000, ipField: 'client_ip', ipPolicy: 'anonymise', maxSamples: 1})
  const stats = await connection.runAndReadAll(q.group(`(SELECT CAST(i AS VARCHAR) AS path, line FROM lines)`).stats)
  const valid = new Map(stats.getRowsJson().map((row) => [Number(row[0]), Number(row[2]) === 1]))
  expect(records.map((_, i) => valid.get(i) ?? null)).toEqual(verdicts.map((v) => (v === null ? null : v.length === 0)))
  return verdicts
}

describe.each(corpus)('the SQL compiled from $name', ({schema}) => {
  it.each(SEEDS.flatMap((seed) => (['as written', 'canonical'] as const).map((form) => ({seed, form}))))('agrees with ajv on every record drawn from seed $seed, $form', async ({seed, form}) => {
    const validator = compileValidator(schema)
    const {notChecked} = compileSchemaSql(schema, DUCKDB, 'r')
    const weakened = compileValidator(withoutNotChecked(schema, notChecked))
    const records = recordsFor(schema, seed, form)
    const verdicts = await sqlVerdicts(schema, records)
    let valid = 0
    let invalid = 0
    const wrong: string[] = []
    for (const [i, {text, value: record}] of records.entries()) {
      if (verdicts[i] === null) continue
      const ajvValid = validator.isValid(record)
      const sqlValid = verdicts[i]!.length === 0
      if (ajvValid) valid++
      else invalid++
      if (sqlValid === ajvValid) continue
      // SQL may pass what ajv rejects only for a keyword it lists as not checked; never the other way round.
      if (sqlValid && weakened.isValid(record)) continue
      wrong.push(`${sqlValid ? 'SQL passes' : `SQL rejects (${verdicts[i]!.join('; ')})`}, ajv ${ajvValid ? 'passes' : `rejects (${validator.explain(record).map((e) => `${e.pointer} ${e.message}`).join('; ')})`}: ${text}`)
    }
    expect(wrong.slice(0, 5)).toEqual([])
    expect(verdicts.filter((v) => v === null).length).toBeLessThan(RECORDS / 10)
    // The draw must reach both verdicts, or the comparison proves little.
    expect(valid).toBeGreaterThan(RECORDS / 10)
    expect(invalid).toBeGreaterThan(RECORDS / 10)
  })
})
