import {AthenaClient, CreateWorkGroupCommand} from '@aws-sdk/client-athena'
import pkg from 'node-sql-parser'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {type AthenaProxy, type AthenaProxyHooks, athenaProxy, queueAthenaResults} from '../../../fixtures/test-support/athena-moto.js'
import {MOTO_CREDENTIALS, type RunningMoto, startMoto} from '../../../fixtures/test-support/moto-server.js'
import {AthenaQueryClient} from './athena-client.js'
import {AthenaExecutor, engineStatsLine} from './athena-executor.js'
import {AthenaUnreachableError} from './errors.js'

process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId
process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey

const {Parser} = pkg
const LAKE = 's3://pixel-lake/events/'
const SCOPE = {from: new Date('2026-02-10T00:00:00Z'), to: new Date('2026-02-11T00:00:00Z')}

let moto: RunningMoto
const executors: AthenaExecutor[] = []
const proxies: AthenaProxy[] = []
let workgroups = 0

beforeAll(async () => {
  moto = await startMoto()
})

afterEach(async () => {
  await Promise.all(executors.splice(0).map((executor) => executor.close()))
  await Promise.all(proxies.splice(0).map((proxy) => proxy.stop()))
})

afterAll(async () => {
  await moto.stop()
})

async function executor(hooks?: AthenaProxyHooks, table = 'events_lines'): Promise<AthenaExecutor> {
  const name = `pixel-executor-${++workgroups}`
  const admin = new AthenaClient({endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS})
  await admin.send(new CreateWorkGroupCommand({Name: name, Configuration: {EnforceWorkGroupConfiguration: true, BytesScannedCutoffPerQuery: 2 ** 40}}))
  admin.destroy()
  const proxy = await athenaProxy(moto.endpoint, hooks)
  proxies.push(proxy)
  const client = new AthenaQueryClient({workgroup: name, database: 'pixel', endpointUrl: proxy.endpoint, region: 'us-east-1', poll: {initialMs: 1, maxMs: 5}})
  const made = new AthenaExecutor(client, {table, lakeUrl: LAKE})
  executors.push(made)
  return made
}

/** An executor whose relation is only built, never run. */
function offline(): AthenaExecutor {
  return new AthenaExecutor(new AthenaQueryClient({workgroup: 'Pixel', database: 'pixel', region: 'us-east-1'}), {table: 'events_lines', lakeUrl: LAKE})
}

const key = (hour: string, name = 'pixel-events-1-2026-02-10-05-12-01-0b5e.gz') => `year=2026/month=02/day=10/hour=${hour}/${name}`

describe('the Athena executor\'s relation of lines', () => {
  it('reads the named objects of the raw-lines table, pruned to their day and hours, with each key as the lake lists it', () => {
    expect(offline().linesRelation([key('05'), key('06', 'b.gz')], SCOPE)).toBe(
      `(SELECT substr("$path", ${LAKE.length + 1}) AS path, line FROM "pixel"."events_lines" ` +
        `WHERE ((year = '2026' AND month = '02' AND day = '10' AND hour IN ('05', '06'))) ` +
        `AND "$path" IN ('${LAKE}${key('05')}', '${LAKE}${key('06', 'b.gz')}'))`,
    )
  })

  it('leaves out the hour filter for a day whose every hour is read', () => {
    const keys = Array.from({length: 24}, (_, hour) => key(String(hour).padStart(2, '0')))
    expect(offline().linesRelation(keys, SCOPE)).toContain(`WHERE ((year = '2026' AND month = '02' AND day = '10')) AND`)
  })

  it('names each day of a range once', () => {
    const relation = offline().linesRelation(['year=2026/month=01/day=31/hour=23/a.gz', 'year=2026/month=02/day=01/hour=00/b.gz'], SCOPE)
    expect(relation).toContain(`((year = '2026' AND month = '01' AND day = '31' AND hour IN ('23')) OR (year = '2026' AND month = '02' AND day = '01' AND hour IN ('00')))`)
  })

  it('is a relation Trino parses, quotes in keys included', () => {
    const relation = offline().linesRelation([key('05', "it's.gz")], SCOPE)
    expect(relation).toContain(`hour=05/it''s.gz'`)
    expect(() => new Parser().astify(`SELECT path, count(*) AS lines FROM ${relation} AS l GROUP BY path`, {database: 'trino'})).not.toThrow()
  })

  it('is an empty relation for no keys', () => {
    const relation = offline().linesRelation([], SCOPE)
    expect(relation).toBe('(SELECT CAST(NULL AS varchar) AS path, CAST(NULL AS varchar) AS line WHERE false)')
  })

  it('refuses, in one line, an object in a folder the table\'s projection cannot reach (hour=7/ beside hour=07/)', () => {
    expect(() => offline().linesRelation([key('05'), 'year=2026/month=02/day=10/hour=7/x.gz'], SCOPE)).toThrow(
      /^the Athena table cannot read s3:\/\/pixel-lake\/events\/year=2026\/month=02\/day=10\/hour=7\/x\.gz: .*check this scope with --engine local$/,
    )
  })
})

describe('the Athena executor\'s relation, told the listing', () => {
  const LISTED = new Date('2026-02-11T06:00:00Z')
  const a = key('05', 'a.gz')
  const b = key('05', 'b.gz')
  const c = key('06', 'c.gz')

  it('reads a folder whose every listed key is asked for by its partition alone, naming no object', () => {
    const athena = offline()
    athena.knowListing([a, b, c], LISTED)
    expect(athena.linesRelation([a, b, c], SCOPE)).toBe(
      `(SELECT substr("$path", ${LAKE.length + 1}) AS path, line FROM "pixel"."events_lines" WHERE (year = '2026' AND month = '02' AND day = '10' AND hour IN ('05', '06')))`,
    )
  })

  it('names the objects of a folder where a listed key is left out (a corrupt object, an unexpected key)', () => {
    const athena = offline()
    athena.knowListing([a, b, c, key('06', 'notes.txt')], LISTED)
    expect(athena.linesRelation([a, b, c], SCOPE)).toBe(
      `(SELECT substr("$path", ${LAKE.length + 1}) AS path, line FROM "pixel"."events_lines" WHERE ((year = '2026' AND month = '02' AND day = '10' AND hour IN ('05'))) ` +
        `OR (((year = '2026' AND month = '02' AND day = '10' AND hour IN ('06'))) AND "$path" IN ('${LAKE}${c}')))`,
    )
  })

  it('names the objects of an hour that may still be written to (it began less than three hours before the listing)', () => {
    const athena = offline()
    athena.knowListing([a], new Date('2026-02-10T07:59:00Z'))
    expect(athena.linesRelation([a], SCOPE)).toContain(`"$path" IN ('${LAKE}${a}')`)
  })

  it('keeps a year of a busy pixel (24 objects an hour) in one query well under Athena\'s 262,144 bytes', () => {
    const keys: string[] = []
    for (let day = 0; day < 365; day++) {
      const date = new Date(Date.UTC(2026, 0, 1) + day * 86_400_000).toISOString()
      for (let hour = 0; hour < 24; hour++) {
        for (let n = 0; n < 24; n++) keys.push(`year=${date.slice(0, 4)}/month=${date.slice(5, 7)}/day=${date.slice(8, 10)}/hour=${String(hour).padStart(2, '0')}/pixel-events-1-${n}.gz`)
      }
    }
    const athena = offline()
    athena.knowListing(keys, new Date('2027-01-02T00:00:00Z'))
    const relation = athena.linesRelation(keys, {from: new Date('2026-01-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z')})
    expect(keys).toHaveLength(210_240)
    expect(Buffer.byteLength(relation)).toBeLessThan(30_000)
    expect(relation).not.toContain('$path" IN')
  })
})

describe('the Athena executor, on moto', () => {
  it('runs a query and answers its rows with the query id and bytes scanned', async () => {
    await queueAthenaResults(moto.endpoint, [{columns: ['lines'], rows: [['1821']]}])
    const athena = await executor()
    const result = await athena.query('SELECT count(*) AS lines FROM raw', {label: 'count'})
    expect(result.rows).toEqual([['1821']])
    expect(result.stats).toEqual({queryId: expect.stringMatching(/^[0-9a-f-]{36}$/), bytesScanned: 0, elapsedMs: expect.any(Number)})
  })

  it('reports what it ran: each query\'s id, the bytes scanned together and the estimated cost', async () => {
    const athena = await executor()
    const first = await athena.query('SELECT 1', {label: 'one'})
    const second = await athena.query('SELECT 2', {label: 'two'})
    const stats = await athena.engineStats()
    expect(stats).toMatchObject({engine: 'athena', workgroup: expect.stringMatching(/^pixel-executor-/), database: 'pixel', table: 'events_lines', bytesScanned: 0, usdPerTb: 5, bytesScannedCutoff: 2 ** 40})
    expect(stats.queries.map((query) => [query.label, query.queryId])).toEqual([
      ['one', first.stats.queryId],
      ['two', second.stats.queryId],
    ])
    // Two queries billed at the 10 MB minimum each, at USD 5 per 10^12 bytes.
    expect(stats.costUsd).toBeCloseTo(2 * 10e6 * 5e-12, 12)
    expect(engineStatsLine(stats)).toMatch(/^Athena: 2 queries in workgroup pixel-executor-\d+ scanned 0 bytes, about USD 0\.00010 \(USD 5 per TB, 10 MB at least per query\)$/)
  })

  it('takes the table on trust where the endpoint cannot describe it (moto has no GetTableMetadata)', async () => {
    const athena = await executor()
    await expect(athena.verifyTable()).resolves.toBeUndefined()
  })

  const describing = (metadata: Record<string, unknown> | {error: string}): AthenaProxyHooks => ({
    intercept: (operation) => {
      if (operation !== 'GetTableMetadata') return undefined
      if ('error' in metadata) return {status: 400, body: {__type: 'MetadataException', Message: metadata.error}}
      return {status: 200, body: {TableMetadata: {Name: 'events_lines', ...metadata}}}
    },
  })

  it('accepts a raw-lines table over the lake', async () => {
    const athena = await executor(describing({Columns: [{Name: 'line', Type: 'string'}], Parameters: {location: 's3://pixel-lake/events'}}))
    await expect(athena.verifyTable()).resolves.toBeUndefined()
  })

  it('refuses the events table given as --table, in one line naming the output to copy', async () => {
    const athena = await executor(describing({Columns: [{Name: 'event_id', Type: 'string'}, {Name: 'ts', Type: 'string'}], Parameters: {location: LAKE}}), 'events')
    await expect(athena.verifyTable()).rejects.toThrow(/^Athena table pixel\.events has no column line: --table names the raw-lines table \(the stack's AthenaRawTable output, events_lines\)/)
  })

  it('refuses a table over another lake than --lake', async () => {
    const athena = await executor(describing({Columns: [{Name: 'line', Type: 'string'}], Parameters: {location: 's3://other-lake/events/'}}))
    await expect(athena.verifyTable()).rejects.toThrow(/^Athena table pixel\.events_lines reads s3:\/\/other-lake\/events\/, not the lake s3:\/\/pixel-lake\/events\/: pass the --lake it reads/)
  })

  it('names a table that does not exist, and the outputs to copy', async () => {
    const athena = await executor(describing({error: 'Table events_lines not found in database pixel'}))
    const error = await athena.verifyTable().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AthenaUnreachableError)
    expect((error as Error).message).toBe("Athena table pixel.events_lines does not exist: check --database and --table (the stack's AthenaDatabase and AthenaRawTable outputs)")
  })
})
