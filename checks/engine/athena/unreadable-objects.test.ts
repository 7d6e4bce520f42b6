import {AthenaClient, CreateWorkGroupCommand} from '@aws-sdk/client-athena'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {type AthenaProxy, athenaProxy} from '../../../fixtures/test-support/athena-moto.js'
import {MOTO_CREDENTIALS, type RunningMoto, startMoto} from '../../../fixtures/test-support/moto-server.js'
import {AthenaQueryClient} from './athena-client.js'
import {AthenaExecutor} from './athena-executor.js'
import {findUnreadableObjects} from './unreadable-objects.js'

process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId
process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey

const LAKE = 's3://pixel-lake/events/'
const SCOPE = {from: new Date('2026-02-10T00:00:00Z'), to: new Date('2026-02-11T00:00:00Z')}
const KEYS = Array.from({length: 8}, (_, i) => `year=2026/month=02/day=10/hour=${String(i).padStart(2, '0')}/pixel-events-1-${i}.gz`)

let moto: RunningMoto
let workgroups = 0
const proxies: AthenaProxy[] = []
const executors: AthenaExecutor[] = []

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

/**
 * An executor on moto where every query that reads one of `corrupt` fails as Athena fails on a
 * damaged gzip, naming the object or not: moto runs no SQL, so the proxy decides from the query
 * text which objects a query reads.
 */
async function executorWith(corrupt: string[], reason: (url: string) => string): Promise<{athena: AthenaExecutor; queries: string[]}> {
  const name = `pixel-probe-${++workgroups}`
  const admin = new AthenaClient({endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS})
  await admin.send(new CreateWorkGroupCommand({Name: name, Configuration: {EnforceWorkGroupConfiguration: true}}))
  admin.destroy()
  const sqlOf = new Map<string, string>()
  const queries: string[] = []
  const proxy = await athenaProxy(moto.endpoint, {
    rewrite: (operation, request, response) => {
      if (operation === 'StartQueryExecution') {
        sqlOf.set(response.QueryExecutionId as string, request.QueryString as string)
        queries.push(request.QueryString as string)
      }
      if (operation !== 'GetQueryExecution') return response
      const execution = response.QueryExecution as {QueryExecutionId: string; Status: {State: string}}
      const read = corrupt.find((key) => sqlOf.get(execution.QueryExecutionId)?.includes(`'${LAKE}${key}'`))
      if (execution.Status.State !== 'SUCCEEDED' || read === undefined) return response
      return {...response, QueryExecution: {...execution, Status: {...execution.Status, State: 'FAILED', StateChangeReason: reason(`${LAKE}${read}`)}}}
    },
  })
  proxies.push(proxy)
  const client = new AthenaQueryClient({workgroup: name, database: 'pixel', endpointUrl: proxy.endpoint, region: 'us-east-1', poll: {initialMs: 1, maxMs: 5}})
  const athena = new AthenaExecutor(client, {table: 'events_lines', lakeUrl: LAKE})
  executors.push(athena)
  return {athena, queries}
}

describe('findUnreadableObjects, on moto', () => {
  it('counts every object in one query when none is corrupt', async () => {
    const {athena, queries} = await executorWith([], () => '')
    expect(await findUnreadableObjects(athena, KEYS, SCOPE)).toEqual(new Map())
    expect(queries).toHaveLength(1)
  })

  it('sets aside the object Athena names, and counts the rest again', async () => {
    const reason = (url: string) => `HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split ${url} (offset=0, length=1234): Not in GZIP format`
    const {athena, queries} = await executorWith([KEYS[5]], reason)
    expect(await findUnreadableObjects(athena, KEYS, SCOPE)).toEqual(new Map([[KEYS[5], reason(`${LAKE}${KEYS[5]}`)]]))
    expect(queries).toHaveLength(2)
    expect(queries[1]).not.toContain(KEYS[5])
  })

  it('halves the objects until each failing one is alone when Athena names none', async () => {
    const reason = () => 'HIVE_CURSOR_ERROR: Unexpected end of input stream'
    const {athena} = await executorWith([KEYS[2], KEYS[7]], reason)
    expect(await findUnreadableObjects(athena, KEYS, SCOPE)).toEqual(
      new Map([
        [KEYS[2], 'HIVE_CURSOR_ERROR: Unexpected end of input stream'],
        [KEYS[7], 'HIVE_CURSOR_ERROR: Unexpected end of input stream'],
      ]),
    )
  })

  it('passes on a failure that is not about the data, as it is', async () => {
    const {athena} = await executorWith([KEYS[0]], () => "TABLE_NOT_FOUND: line 1:22: Table 'awsdatacatalog.pixel.events_lines' does not exist")
    await expect(findUnreadableObjects(athena, KEYS, SCOPE)).rejects.toThrow(/TABLE_NOT_FOUND/)
  })

  it('keeps each query under the byte limit it is given, splitting the objects', async () => {
    const {athena, queries} = await executorWith([], () => '')
    await findUnreadableObjects(athena, KEYS, SCOPE, {maxQueryBytes: 600})
    expect(queries.length).toBeGreaterThan(1)
    expect(queries.every((sql) => Buffer.byteLength(sql) <= 600)).toBe(true)
  })
})
