import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {Parser} from 'node-sql-parser'
import {describe, expect, it} from 'vitest'
import {PACKAGE_ROOT} from '../../lake/package-root.js'
import {loadSchema} from '../schema/record-validator.js'
import {checkQueries} from './check-queries.js'
import {MAX_QUERY_BYTES} from './sql-executor.js'
import {groupKeys} from './run-sql-check.js'

const GOLDEN = join(PACKAGE_ROOT, 'checks/sql/golden')
const RELATION = `(SELECT "$path" AS path, line FROM pixel.raw_lines WHERE year = '2026' AND month = '02' AND day = '10')`
const options = {idField: 'event_id', timeField: 'ts', toleranceMs: 15 * 60_000, canary: {field: 'source', value: 'canary'}, ipField: 'client_ip', ipPolicy: 'anonymise' as const, maxSamples: 5}

const schemas = {
  shipped: await loadSchema(),
  team: await loadSchema(join(PACKAGE_ROOT, 'fixtures/schemas/team-event.schema.json')),
}

const cases = Object.entries(schemas).flatMap(([name, schema]) => {
  const q = checkQueries('trino', {...options, schema})
  const group = q.group(RELATION, new Map([['year=2026/month=02/day=10/hour=05/pixel-shardId-000000000000-1-5.gz', 1770700000000]]))
  return [
    {file: `${name}-stats.sql`, sql: group.stats},
    {file: `${name}-details.sql`, sql: group.details},
    {file: `${name}-duplicates.sql`, sql: q.duplicates(RELATION)},
    // The split form of the duplicates query, for a scope too large for one: the ids two groups share.
    {file: `${name}-shared-ids.sql`, sql: q.sharedIds(RELATION, RELATION.replace("day = '10'", "day = '11'"))},
  ]
})

describe.each(cases)('the Trino SQL of $file', ({file, sql}) => {
  it('is the golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    const path = join(GOLDEN, file)
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) writeFileSync(path, `${sql}\n`)
    expect(`${sql}\n`).toBe(readFileSync(path, 'utf8'))
  })

  it('stays under Athena\'s query limit', () => {
    expect(Buffer.byteLength(sql)).toBeLessThan(MAX_QUERY_BYTES)
  })
})

describe.each(cases)('node-sql-parser\'s trino database on $file', ({sql}) => {
  // The parser does not know Trino's parameterised cast types ARRAY(JSON) and MAP(VARCHAR, JSON):
  // they are read as JSON for the parse; everything else (lambdas, UNNEST, windows, FILTER) is parsed as written.
  it('parses it whole, except the cast types ARRAY(JSON) and MAP(VARCHAR, JSON) the parser does not know', () => {
    const parsed = sql.replace(/\b(ARRAY|MAP)\((VARCHAR, )?JSON\)/g, 'JSON')
    expect(() => new Parser().astify(parsed, {database: 'trino'})).not.toThrow()
  })
})

describe('splitting the work to stay under the query limit', () => {
  it('splits a group of keys until each query fits, keeping every key once and in order', () => {
    const q = checkQueries('trino', {...options, schema: schemas.shipped})
    const keys = Array.from({length: 3000}, (_, i) => `year=2026/month=02/day=10/hour=05/pixel-1-2026-02-10-05-10-00-${String(i).padStart(8, '0')}-0000-4000-8000-000000000000.gz`)
    const relation = (group: readonly string[]) => `(SELECT "$path" AS path, line FROM pixel.raw_lines WHERE "$path" IN (${group.map((k) => `'s3://bucket/events/${k}'`).join(', ')}))`
    const build = (group: readonly string[]) => q.group(relation(group)).details
    expect(Buffer.byteLength(build(keys))).toBeGreaterThan(MAX_QUERY_BYTES)
    const groups = groupKeys(keys, build, MAX_QUERY_BYTES)
    expect(groups.length).toBeGreaterThan(1)
    for (const group of groups) expect(Buffer.byteLength(build(group))).toBeLessThanOrEqual(MAX_QUERY_BYTES)
    expect(groups.flat()).toEqual(keys)
  })
})
