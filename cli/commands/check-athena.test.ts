import {gzipSync} from 'node:zlib'
import {AthenaClient, CreateWorkGroupCommand, GetQueryExecutionCommand, ListQueryExecutionsCommand} from '@aws-sdk/client-athena'
import {CreateBucketCommand, PutObjectCommand, S3Client} from '@aws-sdk/client-s3'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {athenaProxy, setAthenaProgression} from '../../fixtures/test-support/athena-moto.js'
import {MOTO_CREDENTIALS, type RunningMoto, startMoto} from '../../fixtures/test-support/moto-server.js'
import {runPixel} from '../test-support/run-pixel.js'
import {spawnPixel} from '../test-support/spawn-pixel.js'

// A moto of its own: its Athena state manager and its queue of results are global to one server.
let moto: RunningMoto
let athena: AthenaClient
let workgroups = 0
const BUCKET = 'pixel-athena-e2e'
const LAKE = `s3://${BUCKET}/events/`
const KEYS = ['year=2026/month=02/day=10/hour=05/pixel-events-1-2026-02-10-05-12-01-0b5e9c1a-5d8e-4f7a-9d3c-1a2b3c4d5e6f.gz', 'year=2026/month=02/day=10/hour=06/pixel-events-1-2026-02-10-06-12-01-1c6fad2b-6e9f-4a8b-8e4d-2b3c4d5e6f70.gz']

beforeAll(async () => {
  moto = await startMoto()
  athena = new AthenaClient({endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS})
  const s3 = new S3Client({endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: MOTO_CREDENTIALS})
  await s3.send(new CreateBucketCommand({Bucket: BUCKET}))
  for (const [i, key] of KEYS.entries()) {
    const record = {event_id: `0b5e9c1a-5d8e-4f7a-9d3c-1a2b3c4d5e7${i}`, ts: `2026-02-10T0${5 + i}:10:00.000Z`, schema_version: 1, source: 'pixel', badge: 'docs'}
    await s3.send(new PutObjectCommand({Bucket: BUCKET, Key: `events/${key}`, Body: gzipSync(`${JSON.stringify(record)}\n`)}))
  }
  s3.destroy()
})

afterEach(async () => {
  await setAthenaProgression(moto.endpoint, null)
})

afterAll(async () => {
  athena.destroy()
  await moto.stop()
})

async function workgroup(): Promise<string> {
  const name = `pixel-e2e-${++workgroups}`
  await athena.send(new CreateWorkGroupCommand({Name: name, Configuration: {EnforceWorkGroupConfiguration: true, BytesScannedCutoffPerQuery: 2 ** 40}}))
  return name
}

function env(): Record<string, string> {
  return {AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: moto.endpoint}
}

const check = (more: string[]) => ['check', '--lake', LAKE, '--day', '2026-02-10', '--engine', 'athena', '--database', 'pixel', '--table', 'events_lines', '--canary', 'none', ...more]

describe('pixel check --engine athena', () => {
  it('exits 2 with one line naming --workgroup and the stack output to copy it from when it is missing', async () => {
    const {code, stderr} = await runPixel(['check', '--lake', LAKE, '--day', '2026-02-10', '--engine', 'athena', '--database', 'pixel', '--table', 'events_lines'], {env: env()})
    expect(code).toBe(2)
    expect(stderr.trim()).toBe(`Error: --engine athena needs --workgroup: copy it from the stack's AthenaWorkGroup output, or set "athena": {"workgroup": "..."} in the config file`)
  })

  it('exits 2 with one line for a folder lake', async () => {
    const {code, stderr} = await runPixel(['check', '--lake', 'fixtures/sample-lake', '--day', '2026-02-10', '--engine', 'athena', '--workgroup', 'Pixel', '--database', 'pixel', '--table', 'events_lines'], {env: env()})
    expect(code).toBe(2)
    expect(stderr.trim()).toMatch(/^Error: --engine athena reads a lake in S3, not .*sample-lake/)
  })

  it('takes the workgroup, database and table from the config file\'s athena section', async () => {
    const name = await workgroup()
    const {mkdtemp, writeFile} = await import('node:fs/promises')
    const {tmpdir} = await import('node:os')
    const {join} = await import('node:path')
    const dir = await mkdtemp(join(tmpdir(), 'pixel-athena-config-'))
    const config = join(dir, 'pixel.config.json')
    await writeFile(config, JSON.stringify({lake: LAKE, athena: {workgroup: name, database: 'pixel', table: 'events_lines'}}))
    const {stdout} = await runPixel(['check', '--day', '2026-02-10', '--engine', 'athena', '--canary', 'none', '--json'], {env: {...env(), PIXEL_CONFIG: config}})
    expect(JSON.parse(stdout).engineStats).toMatchObject({workgroup: name, database: 'pixel', table: 'events_lines'})
  })

  it('reports each query\'s id, the bytes scanned and the cost estimate, in the JSON and the text report', async () => {
    const name = await workgroup()
    const json = await runPixel(check(['--workgroup', name, '--json']), {env: env()})
    const report = JSON.parse(json.stdout)
    expect(report.engine).toBe('athena')
    const ids = (await athena.send(new ListQueryExecutionsCommand({WorkGroup: name}))).QueryExecutionIds ?? []
    expect(report.engineStats.queries.map((q: {queryId: string}) => q.queryId).sort()).toEqual([...ids].sort())
    expect(report.engineStats).toMatchObject({engine: 'athena', workgroup: name, bytesScanned: 0, usdPerTb: 5, bytesScannedCutoff: 2 ** 40})
    expect(report.engineStats.costUsd).toBeCloseTo(ids.length * 10e6 * 5e-12, 12)
    const text = await runPixel(check(['--workgroup', name, '--athena-usd-per-tb', '6.75']), {env: env()})
    expect(text.stdout).toMatch(new RegExp(`^Athena: \\d+ queries in workgroup ${name} scanned 0 bytes, about USD [0-9.]+ \\(USD 6.75 per TB, 10 MB at least per query\\)$`, 'm'))
  })

  it('reports an object Athena cannot read as a corrupt-object with Athena\'s reason, and checks the rest of the scope', async () => {
    const name = await workgroup()
    const [corrupt] = KEYS
    const folder = `${LAKE}${corrupt.slice(0, corrupt.lastIndexOf('/') + 1)}`
    // moto runs no SQL: the proxy fails, as Athena does on a damaged gzip, every query that reads
    // the object, named or through its whole hour's partition.
    const reads = (sql: string) => sql.includes(`'${LAKE}${corrupt}'`) || (/hour IN \([^)]*'05'/.test(sql) && !sql.includes(folder))
    const sqlOf = new Map<string, string>()
    const proxy = await athenaProxy(moto.endpoint, {
      rewrite: (operation, request, response) => {
        if (operation === 'StartQueryExecution') sqlOf.set(response.QueryExecutionId as string, request.QueryString as string)
        if (operation !== 'GetQueryExecution') return response
        const execution = response.QueryExecution as {QueryExecutionId: string; Status: {State: string}}
        if (execution.Status.State !== 'SUCCEEDED' || !reads(sqlOf.get(execution.QueryExecutionId) ?? '')) return response
        return {...response, QueryExecution: {...execution, Status: {...execution.Status, State: 'FAILED', StateChangeReason: 'HIVE_CURSOR_ERROR: Unexpected end of input stream'}}}
      },
    })
    try {
      const {code, stdout, stderr} = await runPixel(check(['--workgroup', name, '--json']), {env: {...env(), AWS_ENDPOINT_URL: undefined, AWS_ENDPOINT_URL_S3: moto.endpoint, AWS_ENDPOINT_URL_ATHENA: proxy.endpoint}})
      expect(code, stderr).toBe(1)
      const report = JSON.parse(stdout)
      expect(report.findings.filter((f: {check: string}) => f.check === 'corrupt-object')).toEqual([
        expect.objectContaining({key: corrupt, hour: '2026-02-10T05', message: expect.stringContaining('HIVE_CURSOR_ERROR: Unexpected end of input stream')}),
      ])
      expect(report.engineStats.queries.map((q: {state: string}) => q.state)).toContain('FAILED')
      // After the object was found, no query read it again.
      const last = [...sqlOf.values()].slice(-3)
      expect(last.some(reads)).toBe(false)
    } finally {
      await proxy.stop()
    }
  })

  it('judges here, with the local engine, the objects the table cannot reach: a folder hour=7/, gzip named without .gz', async () => {
    const s3 = new S3Client({endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: MOTO_CREDENTIALS})
    const lines = (hour: string, n: number) =>
      Array.from({length: n}, (_, i) => `${JSON.stringify({event_id: `7c1e2d3f-4a5b-4c6d-8e7f-90a1b2c3d${hour}${i}`, ts: `2026-02-10T${hour}:20:00.000Z`, schema_version: 1, source: 'pixel', badge: 'docs'})}\n`).join('')
    await s3.send(new PutObjectCommand({Bucket: BUCKET, Key: 'odd/year=2026/month=02/day=10/hour=7/pixel-events-1-2026-02-10-07-22-01-2d7abe3c-7fa0-4b9c-9f5e-3c4d5e6f7081.gz', Body: gzipSync(lines('07', 2))}))
    await s3.send(new PutObjectCommand({Bucket: BUCKET, Key: 'odd/year=2026/month=02/day=10/hour=08/pixel-events-1-2026-02-10-08-22-01-3e8bcf4d-80b1-4cad-a06f-4d5e6f708192', Body: gzipSync(lines('08', 3))}))
    s3.destroy()
    const name = await workgroup()
    const {code, stdout, stderr} = await runPixel(['check', '--lake', `s3://${BUCKET}/odd/`, ...check(['--workgroup', name, '--json']).slice(3)], {env: env()})
    expect(code, stderr).toBe(1)
    const report = JSON.parse(stdout)
    const hour = (h: string) => report.hours.find((row: {hour: string}) => row.hour === `2026-02-10T${h}`)
    expect([hour('07').records, hour('08').records]).toEqual([2, 3])
    expect(report.summary, JSON.stringify(report.findings.map((f: {check: string; message: string}) => [f.check, f.message]).filter(([c]: string[]) => c !== 'gap'))).toMatchObject({records: 5, valid: 5})
  })

  it('stops its running queries in Athena on SIGINT before it exits', async () => {
    const name = await workgroup()
    // Queries stay queued for an hour: only pixel's StopQueryExecution ends them.
    await setAthenaProgression(moto.endpoint, {progression: 'time', seconds: 3600})
    const pixel = spawnPixel(check(['--workgroup', name]), {env: env()})
    let ids: string[] = []
    for (let tries = 0; ids.length === 0; tries++) {
      expect(tries, `no query started; stderr: ${pixel.stderr()}`).toBeLessThan(400)
      await new Promise((resolve) => setTimeout(resolve, 50))
      ids = (await athena.send(new ListQueryExecutionsCommand({WorkGroup: name}))).QueryExecutionIds ?? []
    }
    pixel.child.kill('SIGINT')
    expect(await pixel.exited).toBe('SIGINT')
    expect(pixel.stderr()).toContain('SIGINT: stopping the running Athena queries')
    const states = await Promise.all(ids.map(async (id) => (await athena.send(new GetQueryExecutionCommand({QueryExecutionId: id}))).QueryExecution?.Status?.State))
    expect(states).toEqual(ids.map(() => 'CANCELLED'))
  })
})
