import {AthenaClient, CreateWorkGroupCommand, GetQueryExecutionCommand, ListQueryExecutionsCommand, StopQueryExecutionCommand} from '@aws-sdk/client-athena'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {type AthenaProxy, type AthenaProxyHooks, athenaProxy, pageResults, queueAthenaResults, setAthenaProgression} from '../../../fixtures/test-support/athena-moto.js'
import {MOTO_CREDENTIALS, type RunningMoto, startMoto} from '../../../fixtures/test-support/moto-server.js'
import {type AthenaClientOptions, AthenaQueryClient, MAX_QUERY_BYTES} from './athena-client.js'
import {AthenaInterruptedError, AthenaQueryCancelledError, AthenaQueryFailedError, AthenaQueryTooLongError, AthenaScanLimitError, AthenaUnreachableError} from './errors.js'

process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId
process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey

// A moto of its own: moto's state manager and its queue of results are global to one server.
let moto: RunningMoto
let admin: AthenaClient
const proxies: AthenaProxy[] = []
const clients: AthenaQueryClient[] = []
let workgroups = 0

beforeAll(async () => {
  moto = await startMoto()
  admin = new AthenaClient({endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS})
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
  await Promise.all(proxies.splice(0).map((proxy) => proxy.stop()))
  await setAthenaProgression(moto.endpoint, null)
})

afterAll(async () => {
  admin.destroy()
  await moto.stop()
})

/** A workgroup of its own for each test, as the stack makes one. */
async function workgroup(configuration: {enforce?: boolean; outputLocation?: string; cutoff?: number} = {}): Promise<string> {
  const name = `pixel-${++workgroups}`
  await admin.send(
    new CreateWorkGroupCommand({
      Name: name,
      Configuration: {
        EnforceWorkGroupConfiguration: configuration.enforce ?? true,
        ...(configuration.outputLocation ? {ResultConfiguration: {OutputLocation: configuration.outputLocation}} : {}),
        ...(configuration.cutoff === undefined ? {} : {BytesScannedCutoffPerQuery: configuration.cutoff}),
      },
    }),
  )
  return name
}

async function client(options: Partial<AthenaClientOptions> & {workgroup: string}, hooks?: AthenaProxyHooks): Promise<{athena: AthenaQueryClient; proxy: AthenaProxy}> {
  const proxy = await athenaProxy(moto.endpoint, hooks)
  proxies.push(proxy)
  const athena = new AthenaQueryClient({
    database: 'pixel',
    endpointUrl: proxy.endpoint,
    region: 'us-east-1',
    poll: {initialMs: 1, maxMs: 5},
    startBackoff: {initialMs: 1, maxMs: 5},
    ...options,
  })
  clients.push(athena)
  return {athena, proxy}
}

function callsOf(proxy: AthenaProxy, operation: string) {
  return proxy.calls.filter((call) => call.operation === operation)
}

async function stateOnMoto(queryId: string): Promise<string | undefined> {
  return (await admin.send(new GetQueryExecutionCommand({QueryExecutionId: queryId}))).QueryExecution?.Status?.State
}

/** Rewrites GetQueryExecution answers of finished queries: `status` and `statistics` merged in. */
function finishAs(status: Record<string, unknown>, statistics: Record<string, unknown> = {}): AthenaProxyHooks['rewrite'] {
  return (operation, _request, response) => {
    if (operation !== 'GetQueryExecution') return response
    const execution = response.QueryExecution as {Status: {State: string}; Statistics: object}
    if (execution.Status.State !== 'SUCCEEDED') return response
    return {...response, QueryExecution: {...execution, Status: {...execution.Status, ...status}, Statistics: {...execution.Statistics, ...statistics}}}
  }
}

describe('the Athena client, on moto', () => {
  it('follows a query through QUEUED and RUNNING to SUCCEEDED and returns its rows without the header row', async () => {
    await setAthenaProgression(moto.endpoint, {progression: 'manual', times: 2})
    await queueAthenaResults(moto.endpoint, [{columns: ['hour', 'records'], rows: [['2026-02-10T00', '80'], ['2026-02-10T01', null]]}])
    const states: string[] = []
    const {athena} = await client({workgroup: await workgroup(), onState: ({state}) => states.push(state)})
    const result = await athena.query('SELECT hour, count(*) AS records FROM raw_lines GROUP BY 1', {label: 'hour-counts'})
    expect(states).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED'])
    expect(result.columns).toEqual(['hour', 'records'])
    expect(result.rows).toEqual([
      ['2026-02-10T00', '80'],
      ['2026-02-10T01', null],
    ])
    expect(result.stats).toMatchObject({label: 'hour-counts', state: 'SUCCEEDED'})
    expect(await stateOnMoto(result.stats.queryId)).toBe('SUCCEEDED')
  })

  it('starts each query in its workgroup with the database and catalog as context', async () => {
    const name = await workgroup()
    await queueAthenaResults(moto.endpoint, [{columns: ['n'], rows: [['1']]}])
    const {athena} = await client({workgroup: name, database: 'pixel_staging'})
    const {stats} = await athena.query('SELECT 1 AS n', {label: 'one'})
    const execution = (await admin.send(new GetQueryExecutionCommand({QueryExecutionId: stats.queryId}))).QueryExecution!
    expect(execution.WorkGroup).toBe(name)
    expect(execution.Query).toBe('SELECT 1 AS n')
    expect(execution.QueryExecutionContext).toEqual({Database: 'pixel_staging', Catalog: 'AwsDataCatalog'})
  })

  it('pages through results of more than 1,000 rows with NextToken, the header only on the first page', async () => {
    const rows = Array.from({length: 2345}, (_, i) => [`key-${i}`, String(i)])
    await queueAthenaResults(moto.endpoint, [{columns: ['path', 'line'], rows}])
    const {athena, proxy} = await client({workgroup: await workgroup()}, {rewrite: pageResults})
    const result = await athena.query('SELECT path, line FROM raw_lines', {label: 'lines'})
    expect(result.rows).toEqual(rows)
    const pages = callsOf(proxy, 'GetQueryResults')
    expect(pages.map((page) => [page.request.MaxResults, page.request.NextToken])).toEqual([
      [1000, undefined],
      [1000, '1000'],
      [1000, '2000'],
    ])
  })

  it('leaves the result location to a workgroup that enforces its own', async () => {
    const {athena, proxy} = await client({workgroup: await workgroup({enforce: true, outputLocation: 's3://pixel-results/'}), outputLocation: 's3://elsewhere/'})
    await athena.query('SELECT 1', {label: 'one'})
    expect(callsOf(proxy, 'StartQueryExecution')[0].request.ResultConfiguration).toBeUndefined()
  })

  it('sends its own result location to a workgroup that has none and does not enforce one', async () => {
    const {athena} = await client({workgroup: await workgroup({enforce: false}), outputLocation: 's3://pixel-results/checks/'})
    const {stats} = await athena.query('SELECT 1', {label: 'one'})
    const execution = (await admin.send(new GetQueryExecutionCommand({QueryExecutionId: stats.queryId}))).QueryExecution!
    expect(execution.ResultConfiguration?.OutputLocation).toBe(`s3://pixel-results/checks/${stats.queryId}.csv`)
  })

  it('reads the workgroup\'s bytes-scanned limit per query', async () => {
    const {athena} = await client({workgroup: await workgroup({cutoff: 1_000_000_000_000})})
    expect(await athena.workgroupSettings()).toMatchObject({enforced: true, bytesScannedCutoff: 1_000_000_000_000})
  })

  it('names a workgroup that does not exist, and the output to copy it from', async () => {
    const {athena} = await client({workgroup: 'no-such-workgroup'})
    await expect(athena.query('SELECT 1')).rejects.toThrow(AthenaUnreachableError)
    await expect(athena.query('SELECT 1')).rejects.toThrow(/^Athena workgroup no-such-workgroup does not exist: check --workgroup \(the stack's AthenaWorkGroup output\)$/)
  })

  it('refuses a query string over 262,144 bytes of UTF-8 before sending it, and sends one of exactly that size', async () => {
    const {athena, proxy} = await client({workgroup: await workgroup()})
    const head = 'SELECT 1 -- '
    // 'é' is two bytes: the limit is on bytes, not characters.
    const over = head + 'é'.repeat((MAX_QUERY_BYTES - head.length) / 2) + 'x'
    await expect(athena.query(over, {label: 'duplicates-1'})).rejects.toThrow(AthenaQueryTooLongError)
    await expect(athena.query(over, {label: 'duplicates-1'})).rejects.toThrow(/^query duplicates-1 is 262,145 bytes, over Athena's limit of 262,144: not sent/)
    expect(callsOf(proxy, 'StartQueryExecution')).toHaveLength(0)
    const exact = head + 'x'.repeat(MAX_QUERY_BYTES - head.length)
    await athena.query(exact, {label: 'exact'})
    expect(callsOf(proxy, 'StartQueryExecution')).toHaveLength(1)
  })

  it('reports a failed query in one line with Athena\'s reason, the query id and its label', async () => {
    const reason = "COLUMN_NOT_FOUND: line 1:8: Column 'lin' cannot be resolved or requester is not authorized to access requested resources"
    const {athena} = await client({workgroup: await workgroup()}, {rewrite: finishAs({State: 'FAILED', StateChangeReason: reason, AthenaError: {ErrorCategory: 2, ErrorType: 1006}})})
    const error = await athena.query('SELECT lin FROM raw_lines', {label: 'unparseable'}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AthenaQueryFailedError)
    const {queryId} = error as AthenaQueryFailedError
    expect((error as Error).message).toBe(`Athena query unparseable (${queryId}) failed [user 1006]: ${reason}`)
    expect(athena.queries).toEqual([expect.objectContaining({queryId, state: 'FAILED', costUsd: 0})])
  })

  it('stops the running query with StopQueryExecution when its signal aborts', async () => {
    await setAthenaProgression(moto.endpoint, {progression: 'manual', times: 3})
    const controller = new AbortController()
    const {athena, proxy} = await client({
      workgroup: await workgroup(),
      onState: ({state}) => {
        if (state === 'RUNNING') controller.abort()
      },
    })
    const error = await athena.query('SELECT count(*) FROM raw_lines', {label: 'counts', signal: controller.signal}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AthenaInterruptedError)
    const [start] = callsOf(proxy, 'StartQueryExecution')
    const queryId = start.response.QueryExecutionId as string
    expect((error as Error).message).toBe(`interrupted: query counts (${queryId}) was stopped`)
    expect(callsOf(proxy, 'StopQueryExecution').map((call) => call.request.QueryExecutionId)).toEqual([queryId])
    expect(await stateOnMoto(queryId)).toBe('CANCELLED')
  })

  it('never starts the queries still waiting for a slot when the signal aborts', async () => {
    await setAthenaProgression(moto.endpoint, {progression: 'manual', times: 3})
    const controller = new AbortController()
    const {athena, proxy} = await client({
      workgroup: await workgroup(),
      concurrency: 1,
      onState: ({state}) => {
        if (state === 'RUNNING') controller.abort()
      },
    })
    const results = await Promise.allSettled(['a', 'b', 'c'].map((label) => athena.query(`SELECT '${label}'`, {label, signal: controller.signal})))
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(results.map((result) => (result as PromiseRejectedResult).reason.message)).toEqual([
      expect.stringMatching(/^interrupted: query a \(.+\) was stopped$/),
      'interrupted: query b was not started',
      'interrupted: query c was not started',
    ])
    expect(callsOf(proxy, 'StartQueryExecution')).toHaveLength(1)
  })

  it('stops every running query on close, as Ctrl-C does', async () => {
    await setAthenaProgression(moto.endpoint, {progression: 'time', seconds: 3600})
    let queued = 0
    let bothQueued!: () => void
    const seen = new Promise<void>((resolve) => (bothQueued = resolve))
    const {athena} = await client({
      workgroup: await workgroup(),
      onState: ({state}) => {
        if (state === 'QUEUED' && ++queued === 2) bothQueued()
      },
    })
    const running = [athena.query('SELECT 1', {label: 'one'}), athena.query('SELECT 2', {label: 'two'})].map((p) => p.catch((e: unknown) => e))
    await seen
    await athena.close()
    const errors = await Promise.all(running)
    expect(errors.every((error) => error instanceof AthenaInterruptedError)).toBe(true)
    const ids = (await admin.send(new ListQueryExecutionsCommand({WorkGroup: athena.workgroup}))).QueryExecutionIds ?? []
    expect(ids).toHaveLength(2)
    expect(await Promise.all(ids.map(stateOnMoto))).toEqual(['CANCELLED', 'CANCELLED'])
  })

  it('keeps at most --athena-concurrency queries started and unfinished at once', async () => {
    await setAthenaProgression(moto.endpoint, {progression: 'manual', times: 2})
    const {athena, proxy} = await client({workgroup: await workgroup(), concurrency: 2})
    const results = await Promise.all(Array.from({length: 6}, (_, i) => athena.query(`SELECT ${i}`, {label: `q${i}`})))
    expect(results.map((result) => result.stats.state)).toEqual(Array(6).fill('SUCCEEDED'))
    let inFlight = 0
    let most = 0
    for (const call of proxy.calls) {
      if (call.operation === 'StartQueryExecution') most = Math.max(most, ++inFlight)
      if (call.operation === 'GetQueryExecution' && (call.response.QueryExecution as {Status: {State: string}}).Status.State === 'SUCCEEDED') inFlight--
    }
    expect(most).toBe(2)
  })

  it('rides out TooManyRequestsException on start, starting the query once with one request token', async () => {
    let refused = 0
    const throttle: AthenaProxyHooks['intercept'] = (operation) =>
      operation === 'StartQueryExecution' && refused++ < 3 ? {status: 400, body: {__type: 'TooManyRequestsException', Message: 'Rate exceeded', Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED'}} : undefined
    const name = await workgroup()
    const {athena, proxy} = await client({workgroup: name, maxAttempts: 1}, {intercept: throttle})
    await athena.query('SELECT 1', {label: 'one'})
    const starts = callsOf(proxy, 'StartQueryExecution')
    expect(starts.map((call) => call.status)).toEqual([400, 400, 400, 200])
    expect(new Set(starts.map((call) => call.request.ClientRequestToken)).size).toBe(1)
    expect((await admin.send(new ListQueryExecutionsCommand({WorkGroup: name}))).QueryExecutionIds).toHaveLength(1)
  })

  it('gives up on an active-query quota that stays exhausted, in one line saying what to do', async () => {
    const {athena} = await client(
      {workgroup: await workgroup(), maxAttempts: 1, startAttempts: 3},
      {intercept: (operation) => (operation === 'StartQueryExecution' ? {status: 400, body: {__type: 'TooManyRequestsException', Message: 'Rate exceeded'}} : undefined)},
    )
    await expect(athena.query('SELECT 1', {label: 'counts'})).rejects.toThrow(
      /^cannot start query counts: Athena answered TooManyRequestsException 3 times \(the account's active-query quota counts queued queries too\): lower --athena-concurrency/,
    )
  })

  it('reports a query Athena cancelled at the workgroup\'s bytes-scanned limit in one line naming the limit', async () => {
    const limit = 10_000_000_000
    const {athena} = await client(
      {workgroup: await workgroup({cutoff: limit})},
      {rewrite: finishAs({State: 'CANCELLED', StateChangeReason: 'Query cancelled! : Bytes scanned limit was exceeded'}, {DataScannedInBytes: limit + 4096})},
    )
    const error = await athena.query('SELECT path, line FROM raw_lines', {label: 'duplicates'}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AthenaScanLimitError)
    expect((error as Error).message).toMatch(/^Athena cancelled query duplicates \(.+\) after it scanned 10 GB: more than workgroup pixel-\d+ allows per query \(BytesScannedCutoffPerQuery, its limit of 10 GB\); check a shorter scope, or raise the limit/)
    expect((error as Error).message).not.toContain('\n')
  })

  it('takes a cancel at or past the workgroup\'s limit for the limit, whatever the reason reads', async () => {
    const limit = 200_000_000_000
    const {athena} = await client({workgroup: await workgroup({cutoff: limit})}, {rewrite: finishAs({State: 'CANCELLED'}, {DataScannedInBytes: limit})})
    await expect(athena.query('SELECT 1', {label: 'counts'})).rejects.toThrow(AthenaScanLimitError)
  })

  it('reports a query someone else stopped as cancelled, not by pixel, naming the workgroup\'s limit as a possible cause', async () => {
    await setAthenaProgression(moto.endpoint, {progression: 'manual', times: 3})
    const {athena} = await client({
      workgroup: await workgroup({cutoff: 1_000_000_000_000}),
      // Another user (or the console) stops it on moto while it runs.
      onState: ({queryId, state}) => {
        if (state === 'RUNNING') void admin.send(new StopQueryExecutionCommand({QueryExecutionId: queryId}))
      },
    })
    const error = await athena.query('SELECT 1', {label: 'counts'}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AthenaQueryCancelledError)
    expect((error as Error).message).toMatch(/^Athena query counts \(.+\) was cancelled, not by pixel: no reason given; if no one stopped it, the workgroup's limit of 1 TB per query may have; run the check again$/)
  })

  it('counts the bytes every query scanned and estimates their cost at the price per TB, 10 MB at least per query', async () => {
    let next = 0
    const scanned = [5_000_000_000, 1]
    const {athena} = await client(
      {workgroup: await workgroup(), usdPerTb: 5},
      {
        rewrite: (operation, request, response) => {
          if (operation !== 'GetQueryExecution') return response
          const execution = response.QueryExecution as {Status: {State: string}; Statistics: object}
          if (execution.Status.State !== 'SUCCEEDED') return response
          void request
          return {...response, QueryExecution: {...execution, Statistics: {...execution.Statistics, DataScannedInBytes: scanned[next++ % 2]}}}
        },
      },
    )
    await athena.query('SELECT 1', {label: 'big'})
    await athena.query('SELECT 2', {label: 'small'})
    expect(athena.queries.map((query) => [query.label, query.bytesScanned])).toEqual([
      ['big', 5_000_000_000],
      ['small', 1],
    ])
    expect(athena.bytesScanned).toBe(5_000_000_001)
    // 5 GB at USD 5 per TB is 2.5 cents; one byte is billed as 10 MB, 0.005 cents.
    expect(athena.costUsd).toBeCloseTo(0.025 + 0.00005, 10)
  })
})
