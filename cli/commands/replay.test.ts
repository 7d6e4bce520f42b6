import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {randomUUID} from 'node:crypto'
import {CreateDeliveryStreamCommand, FirehoseClient} from '@aws-sdk/client-firehose'
import {beforeAll, describe, expect, inject, it} from 'vitest'
import {LocalLake} from '../../lake/store/local-lake.js'
import {S3Lake} from '../../lake/store/s3-lake.js'
import {objectKey} from '../../lake/layout/object-key.js'
import type {CheckReport} from '../../checks/report/report.js'
import {MOTO_CREDENTIALS} from '../../fixtures/test-support/moto-server.js'
import {freshBucket, motoEnv} from '../../fixtures/test-support/s3-bucket.js'
import {lakeFactory} from '../../fixtures/test-support/temp-lake.js'
import {generateDay} from '../../fixtures/generate-day.js'
import {devServer, lakeObjects, lakeRecords} from '../../pipeline/dev/test-support/dev-server-fixture.js'
import type {ReplayAccount} from '../../replay/run-replay.js'
import {runPixel} from '../test-support/run-pixel.js'
import {spawnPixel} from '../test-support/spawn-pixel.js'

const HOUR = '2026-02-10T05'
// The SDK signs every call; pixel dev and moto accept any credentials.
const AWS = {AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_FIREHOSE: undefined}
const ACCOUNT_KEYS = ['read', 'sent', 'skippedDuplicate', 'invalid', 'outOfHour', 'oversize', 'failed']

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'pixel-replay-cli-'))
}

function sourceFile(records: unknown[]): string {
  const path = join(scratch(), 'recovered.ndjson')
  writeFileSync(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''))
  return path
}

/** The account of a --json output (its warnings and verification left out). */
function account(stdout: string): ReplayAccount {
  const {warnings: _warnings, verify: _verify, ...rest} = JSON.parse(stdout) as ReplayAccount & {warnings?: unknown; verify?: unknown}
  return rest
}

/** The records a ledger holds (its header line left out). */
function lines(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.startsWith('{"event_id":')).length : 0
}

/** Each event id with how many times it is in the lake. */
async function idCounts(lake: LocalLake | S3Lake | import('../../lake/store/lake.js').Lake): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for (const r of await lakeRecords(lake)) counts.set(r.event_id as string, (counts.get(r.event_id as string) ?? 0) + 1)
  return counts
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('pixel replay through pixel dev\'s Firehose endpoint', () => {
  it('lands every record exactly once with a fifth of records failing and a tenth of calls throttled, and sends nothing on a second run', async () => {
    const {server, lake} = await devServer({failRate: 0.2, throttleRate: 0.1})
    const events = lakeFactory(21).events(HOUR, 700)
    const args = ['replay', '--hour', HOUR, '--from', sourceFile(events), '--endpoint-url', server.url, '--lake', lake.url, '--json', '--max-attempts', '30']
    const first = await runPixel(args, {env: AWS})
    expect(first.code, first.stderr).toBe(0)
    expect(Object.keys(JSON.parse(first.stdout))).toEqual([...ACCOUNT_KEYS, 'warnings'])
    expect(JSON.parse(first.stdout).warnings).toEqual([])
    expect(account(first.stdout)).toEqual({read: 700, sent: 700, skippedDuplicate: 0, invalid: 0, outOfHour: 0, oversize: 0, failed: 0})
    await server.flush()
    const counts = await idCounts(lake)
    expect([...counts.keys()].sort()).toEqual(events.map((e) => e.event_id).sort())
    expect([...counts.values()].every((n) => n === 1)).toBe(true)

    const again = await runPixel(args, {env: AWS})
    expect(account(again.stdout)).toEqual({read: 700, sent: 0, skippedDuplicate: 700, invalid: 0, outOfHour: 0, oversize: 0, failed: 0})
  })

  it('resumes after being killed mid-way and still lands every record exactly once', async () => {
    const {server, lake} = await devServer({failRate: 0.2, throttleRate: 0.1})
    const events = lakeFactory(22).events(HOUR, 200)
    const ledger = join(scratch(), 'replay.ledger.jsonl')
    const args = ['replay', '--hour', HOUR, '--from', sourceFile(events), '--endpoint-url', server.url, '--lake', lake.url, '--ledger', ledger, '--max-attempts', '30']
    // 20 records a second: 200 take about 10 s, so the kill lands after 40 and well before the end.
    const replay = spawnPixel([...args, '--rate', '20'], {env: AWS})
    await until(() => lines(ledger) >= 40, 20_000, 'the ledger to hold 40 records')
    replay.child.kill('SIGKILL')
    expect(await replay.exited).toBe('SIGKILL')
    const ledgered = lines(ledger)
    expect(ledgered).toBeLessThan(200)
    // What was acknowledged in the instant of the kill, before its ledger line, is found in the lake once delivered.
    await server.flush()

    const resumed = await runPixel([...args, '--json'], {env: AWS})
    expect(resumed.code, resumed.stderr).toBe(0)
    const resumedAccount = account(resumed.stdout)
    expect(resumedAccount.read).toBe(200)
    expect(resumedAccount.skippedDuplicate).toBeGreaterThanOrEqual(ledgered)
    expect(resumedAccount.sent + resumedAccount.skippedDuplicate).toBe(200)
    await server.flush()
    const counts = await idCounts(lake)
    expect(counts.size).toBe(200)
    expect([...counts.values()].every((n) => n === 1)).toBe(true)
    // Records acknowledged at the kill but never ledgered were skipped by the lake, so not ledgered now either.
    expect(lines(ledger)).toBe(ledgered + resumedAccount.sent)

    const again = await runPixel([...args, '--json'], {env: AWS})
    expect(account(again.stdout)).toMatchObject({read: 200, sent: 0, skippedDuplicate: 200})
  })

  it('stops on Ctrl-C with every acknowledged record in the ledger and the rest counted as failed', async () => {
    const {server} = await devServer()
    const ledger = join(scratch(), 'replay.ledger.jsonl')
    const replay = spawnPixel(['replay', '--hour', HOUR, '--from', sourceFile(lakeFactory(28).events(HOUR, 200)), '--endpoint-url', server.url, '--ledger', ledger, '--rate', '20', '--json'], {env: AWS})
    await until(() => lines(ledger) >= 20, 20_000, 'the ledger to hold 20 records')
    replay.child.kill('SIGINT')
    expect(await replay.exited).toBe(1)
    const stopped = account(replay.stdout())
    expect(stopped.read).toBe(200)
    expect(stopped.sent).toBe(lines(ledger))
    expect(stopped.sent).toBeLessThan(200)
    expect(stopped.failed).toBe(200 - stopped.sent)
    expect(replay.stderr()).toContain('SIGINT: stopping')
    expect(existsSync(`${ledger}.lock`)).toBe(false)
  })

  it('waits for delivery under --verify and includes pixel check --hour\'s report', async () => {
    const {server, lake} = await devServer({bufferSeconds: 1})
    const events = lakeFactory(27).events(HOUR, 25)
    const {code, stdout, stderr} = await runPixel(['replay', '--hour', HOUR, '--from', sourceFile(events), '--endpoint-url', server.url, '--lake', lake.url, '--verify', '--json'], {env: AWS})
    expect(code, stderr).toBe(0)
    const output = JSON.parse(stdout) as ReplayAccount & {verify: {ok: boolean; missing: number; check: CheckReport}}
    expect(Object.keys(output)).toEqual([...ACCOUNT_KEYS, 'warnings', 'verify'])
    expect(output.verify.ok).toBe(true)
    expect(output.verify.missing).toBe(0)
    expect(output.verify.check.summary).toMatchObject({records: 25, valid: 25, duplicateRecords: 0})
    expect(output.verify.check.scope).toEqual({from: '2026-02-10T05:00:00.000Z', to: '2026-02-10T06:00:00.000Z'})
  })

  it('exits 1 with the account when records fail', async () => {
    const {server} = await devServer({throttleRate: 1})
    const {code, stdout} = await runPixel(['replay', '--hour', HOUR, '--from', sourceFile(lakeFactory(23).events(HOUR, 7)), '--endpoint-url', server.url, '--max-attempts', '1', '--json', '--ledger', join(scratch(), 'l.jsonl')], {env: AWS})
    expect(code).toBe(1)
    expect(account(stdout)).toEqual({read: 7, sent: 0, skippedDuplicate: 0, invalid: 0, outOfHour: 0, oversize: 0, failed: 7})
  })

  it('shows before and after in a dry run, escaped for the terminal, and sends and writes nothing', async () => {
    const {server, lake} = await devServer()
    const [event] = lakeFactory(24).events(HOUR, 1, {user_agent: 'evil\u001b[2J\u202e'})
    const source = sourceFile([event])
    const fix = join(scratch(), 'fix.json')
    writeFileSync(fix, JSON.stringify({flows: [{ops: [{op: 'set', pointer: '/badge', value: 'fixed-badge'}]}]}))
    const {code, stdout} = await runPixel(['replay', '--hour', HOUR, '--from', source, '--endpoint-url', server.url, '--lake', lake.url, '--transform', fix, '--dry-run'], {env: AWS})
    expect(code).toBe(0)
    expect(stdout).toMatch(/^ {4}before .*"badge":"[a-z-]+"/m)
    expect(stdout).toMatch(/^ {4}after .*"source":"replay".*"badge":"fixed-badge"/m)
    // JSON already writes the escape as \u001b; the bidi override needs escapeTerminal.
    expect(stdout).toContain('evil\\u001b[2J\\u202e')
    expect(stdout).not.toMatch(/[\u001b\u202e]/)
    expect(stdout).toMatch(/^ {2}sent +1$/m)
    await server.flush()
    expect(await lakeObjects(lake)).toEqual([])
    expect(existsSync(`${source}.replay-ledger.jsonl`)).toBe(false)
  })
})

describe('a --lake that is not the root of the partitions', () => {
  it('exits 2 naming the --lake meant, and sends nothing, when --lake is the folder above the partitions', async () => {
    const events = lakeFactory(47).events(HOUR, 20)
    const root = scratch()
    const lake = new LocalLake(join(root, 'events'))
    await lake.write(lakeFactory(47).key(HOUR), gzipSync(events.map((e) => `${JSON.stringify(e)}\n`).join('')))
    const {code, stdout, stderr} = await runPixel(['replay', '--hour', HOUR, '--from', sourceFile(events), '--to', 'lake', '--lake', root, '--ledger', join(scratch(), 'l.jsonl'), '--json'])
    expect(code).toBe(2)
    expect(JSON.parse(stdout).error.message).toBe(`${root} holds no year= partitions but a folder below does: did you mean --lake ${root}/events/?`)
    expect(stderr).toBe('')
    expect(await lakeRecords(new LocalLake(root))).toEqual([])
    expect(await lakeRecords(new LocalLake(join(root, 'events')))).toHaveLength(20)
  })
})

describe('the ledger belongs to one target, and one run at a time', () => {
  it('refuses the default ledger of a rehearsal lake when the same backup goes into the production lake, naming both', async () => {
    const events = lakeFactory(41).events(HOUR, 30)
    const source = sourceFile(events)
    const rehearsal = scratch()
    const production = scratch()
    const rehearsed = await runPixel(['replay', '--hour', HOUR, '--from', source, '--to', 'lake', '--lake', rehearsal, '--json'])
    expect(rehearsed.code, rehearsed.stderr).toBe(0)
    expect(account(rehearsed.stdout)).toMatchObject({read: 30, sent: 30})

    const {code, stdout, stderr} = await runPixel(['replay', '--hour', HOUR, '--from', source, '--to', 'lake', '--lake', production, '--json'])
    expect(code).toBe(2)
    expect(JSON.parse(stdout).error.message).toMatch(new RegExp(`^ledger ${source}\\.replay-ledger\\.jsonl belongs to the lake ${rehearsal}, not to the lake ${production}: pass --ledger`))
    expect(stderr).toBe('')
    expect(await lakeRecords(new LocalLake(production))).toEqual([])
    expect(existsSync(`${source}.replay-ledger.jsonl.lock`)).toBe(false)

    const fresh = await runPixel(['replay', '--hour', HOUR, '--from', source, '--to', 'lake', '--lake', production, '--ledger', join(scratch(), 'production.jsonl'), '--json'])
    expect(account(fresh.stdout)).toMatchObject({read: 30, sent: 30, skippedDuplicate: 0})
  })

  it('lets exactly one of two replays started together send, and tells the other in one line', async () => {
    const {server, lake} = await devServer()
    const events = lakeFactory(42).events(HOUR, 60)
    const ledger = join(scratch(), 'replay.ledger.jsonl')
    // Slow enough that both are running at once, and Firehose's buffer hides each from the other's lake check.
    const args = ['replay', '--hour', HOUR, '--from', sourceFile(events), '--endpoint-url', server.url, '--lake', lake.url, '--ledger', ledger, '--rate', '30', '--json']
    const runs = [spawnPixel(args, {env: AWS}), spawnPixel(args, {env: AWS})]
    const codes = await Promise.all(runs.map((r) => r.exited))
    expect([...codes].sort()).toEqual([0, 2])
    const loser = runs[codes.indexOf(2)]
    expect(JSON.parse(loser.stdout()).error.message).toMatch(new RegExp(`^ledger ${ledger} is locked by another pixel replay \\(pid \\d+, since [^)]+\\): wait for it to finish$`))
    expect(account(runs[codes.indexOf(0)].stdout())).toMatchObject({read: 60, sent: 60})
    await server.flush()
    const counts = await idCounts(lake)
    expect(counts.size).toBe(60)
    expect([...counts.values()].every((n) => n === 1)).toBe(true)
    expect(existsSync(`${ledger}.lock`)).toBe(false)
  })

  it('takes over the lock a killed replay left behind', async () => {
    const {server} = await devServer()
    const ledger = join(scratch(), 'replay.ledger.jsonl')
    const args = ['replay', '--hour', HOUR, '--from', sourceFile(lakeFactory(43).events(HOUR, 100)), '--endpoint-url', server.url, '--ledger', ledger, '--json']
    const killed = spawnPixel([...args, '--rate', '20'], {env: AWS})
    await until(() => lines(ledger) >= 10, 20_000, 'the ledger to hold 10 records')
    killed.child.kill('SIGKILL')
    await killed.exited
    expect(existsSync(`${ledger}.lock`)).toBe(true)
    const resumed = await runPixel(args, {env: AWS})
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(account(resumed.stdout).sent + account(resumed.stdout).skippedDuplicate).toBe(100)
    expect(existsSync(`${ledger}.lock`)).toBe(false)
  })
})

describe('pixel replay with a transform that never finishes', () => {
  function module(text: string): string {
    const path = join(scratch(), 'fix.mjs')
    writeFileSync(path, text)
    return path
  }

  describe.each([
    {kind: 'loops forever', body: 'for (;;) {}'},
    {kind: 'returns a promise that never settles', body: 'return new Promise(() => {})'},
  ])('one that $kind on a record', ({body}) => {
    it('exits 2 with one line naming the record, under --json too, and leaves no lock', async () => {
      const events = lakeFactory(44).events(HOUR, 5)
      const source = sourceFile(events)
      const transform = module(`export default async (r) => { if (r.event_id === '${events[2].event_id}') { ${body} } return r }`)
      const ledger = join(scratch(), 'l.jsonl')
      const args = ['replay', '--hour', HOUR, '--from', source, '--to', 'lake', '--lake', scratch(), '--ledger', ledger, '--transform', transform, '--transform-timeout', '1s']
      const text = await runPixel(args)
      expect(text.code).toBe(2)
      expect(text.stderr.trimEnd()).toBe(`Error: the transform did not finish within 1s on ${source}#2: it loops or waits forever on it; fix the transform, or raise --transform-timeout`)
      const json = await runPixel([...args, '--json'])
      expect(json.code).toBe(2)
      expect(JSON.parse(json.stdout).error).toEqual({message: expect.stringContaining(`on ${source}#2`), exitCode: 2})
      expect(existsSync(`${ledger}.lock`)).toBe(false)
    })
  })

  it.each(['SIGINT', 'SIGTERM'] as const)('stops at once on %s while the transform loops, with the account and no lock left', async (signal) => {
    const ledger = join(scratch(), 'l.jsonl')
    const replay = spawnPixel(['replay', '--hour', HOUR, '--from', sourceFile(lakeFactory(45).events(HOUR, 5)), '--to', 'lake', '--lake', scratch(), '--ledger', ledger, '--transform', module('export default () => { for (;;) {} }'), '--transform-timeout', '10m', '--json'])
    await until(() => existsSync(`${ledger}.lock`), 20_000, 'the replay to lock its ledger')
    // The transform is running (or about to): the worker's loop must not keep the signal from being heard.
    await new Promise((resolve) => setTimeout(resolve, 500))
    replay.child.kill(signal)
    expect(await replay.exited).toBe(1)
    expect(account(replay.stdout())).toMatchObject({read: 5, sent: 0, failed: 5})
    expect(existsSync(`${ledger}.lock`)).toBe(false)
  })
})

describe('pixel replay into pixel dev without AWS credentials', () => {
  it('signs with stand-in credentials when the endpoint is on this machine and the SDK finds none', async () => {
    const {server, lake} = await devServer()
    const events = lakeFactory(47).events(HOUR, 4)
    const none = {
      AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined,
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config', AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined, AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined, AWS_WEB_IDENTITY_TOKEN_FILE: undefined, AWS_ENDPOINT_URL_FIREHOSE: undefined, AWS_ENDPOINT_URL: undefined,
    }
    const {code, stdout, stderr} = await runPixel(['replay', '--hour', HOUR, '--from', sourceFile(events), '--endpoint-url', server.url, '--ledger', join(scratch(), 'l.jsonl'), '--json'], {env: none})
    expect(code, stderr).toBe(0)
    expect(account(stdout)).toMatchObject({read: 4, sent: 4})
    await server.flush()
    expect((await idCounts(lake)).size).toBe(4)
  })
})

describe('pixel replay\'s warnings', () => {
  it('lists a source without records in the --json output, and reads a .gz that is plain text', async () => {
    const empty = join(scratch(), 'empty.ndjson')
    writeFileSync(empty, '')
    const plain = join(scratch(), 'export.ndjson.gz')
    writeFileSync(plain, lakeFactory(46).events(HOUR, 3).map((e) => `${JSON.stringify(e)}\n`).join(''))
    const {code, stdout} = await runPixel(['replay', '--hour', HOUR, '--from', empty, '--from', plain, '--to', 'lake', '--lake', scratch(), '--ledger', join(scratch(), 'l.jsonl'), '--json'])
    expect(code).toBe(0)
    const output = JSON.parse(stdout)
    expect(output).toMatchObject({read: 3, sent: 3})
    expect(output.warnings).toEqual([`--from ${empty} holds no records`])
  })
})

describe('pixel replay against moto\'s Firehose (a third-party implementation)', () => {
  it('delivers the records to the stream\'s bucket', async () => {
    const endpoint = inject('s3Endpoint')
    const bucket = await freshBucket('replay-moto')
    const stream = `replay-${bucket}`
    const client = new FirehoseClient({endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS})
    await client.send(new CreateDeliveryStreamCommand({
      DeliveryStreamName: stream,
      ExtendedS3DestinationConfiguration: {BucketARN: `arn:aws:s3:::${bucket}`, RoleARN: 'arn:aws:iam::123456789012:role/firehose', Prefix: 'events/'},
    }))
    client.destroy()
    const events = lakeFactory(25).events(HOUR, 30)
    const {code, stdout, stderr} = await runPixel(['replay', '--hour', HOUR, '--from', sourceFile(events), '--stream', stream, '--endpoint-url', endpoint, '--json'], {env: motoEnv()})
    expect(code, stderr).toBe(0)
    expect(account(stdout)).toMatchObject({read: 30, sent: 30, failed: 0})
    Object.assign(process.env, motoEnv())
    const lake = new S3Lake(`s3://${bucket}/`, {})
    const landed: Record<string, unknown>[] = []
    for await (const {key} of lake.listObjects('events/')) {
      for (const line of (await lake.read(key)).toString('utf8').split('\n')) if (line !== '') landed.push(JSON.parse(line))
    }
    lake.close()
    expect(landed.map((r) => r.event_id).sort()).toEqual(events.map((e) => e.event_id).sort())
    expect(new Set(landed.map((r) => r.source))).toEqual(new Set(['replay']))
  })
})

describe('which endpoint each service takes', () => {
  // A closed port: a service sent there fails, so a replay that succeeds proves the override won.
  const CLOSED = 'http://127.0.0.1:9'
  const moto = () => inject('s3Endpoint')
  const motoCredentials = {AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1'}
  const noEndpoints = {AWS_ENDPOINT_URL: undefined, AWS_ENDPOINT_URL_S3: undefined, AWS_ENDPOINT_URL_FIREHOSE: undefined}
  // The test's own S3Lake, which plants the lake, takes its credentials from the environment.
  beforeAll(() => void Object.assign(process.env, motoCredentials))

  describe.each<{how: string; firehose: 'moto' | 'pixel dev'; args: (dev: string) => string[]; env: (dev: string) => Record<string, string>}>([
    {how: '--endpoint-url for both', firehose: 'moto', args: () => ['--endpoint-url', moto()], env: () => ({})},
    {how: 'AWS_ENDPOINT_URL for both', firehose: 'moto', args: () => [], env: () => ({AWS_ENDPOINT_URL: moto()})},
    {how: '--endpoint-url over AWS_ENDPOINT_URL_FIREHOSE and AWS_ENDPOINT_URL_S3', firehose: 'moto', args: () => ['--endpoint-url', moto()], env: () => ({AWS_ENDPOINT_URL_FIREHOSE: CLOSED, AWS_ENDPOINT_URL_S3: CLOSED})},
    {how: '--firehose-endpoint-url and --s3-endpoint-url over --endpoint-url', firehose: 'pixel dev', args: (dev) => ['--endpoint-url', CLOSED, '--firehose-endpoint-url', dev, '--s3-endpoint-url', moto()], env: () => ({})},
    {how: 'AWS_ENDPOINT_URL_FIREHOSE and AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL', firehose: 'pixel dev', args: () => [], env: (dev) => ({AWS_ENDPOINT_URL: CLOSED, AWS_ENDPOINT_URL_FIREHOSE: dev, AWS_ENDPOINT_URL_S3: moto()})},
  ])('given $how', ({firehose, args, env}) => {
    it(`sends to ${firehose}'s Firehose and skips the ids already in the lake in moto's S3`, async () => {
      const bucket = await freshBucket('replay-endpoints')
      const stream = `endpoints-${bucket}`
      const events = lakeFactory(31).events(HOUR, 20)
      // Half the hour is already in the lake: only an S3 read at moto can find those ids.
      const lake = new S3Lake(`s3://${bucket}/events/`, {endpointUrl: moto()})
      const arrival = new Date('2026-02-10T05:30:00Z')
      await lake.write(objectKey({stream, version: 1, hour: arrival, arrival, uuid: randomUUID()}), gzipSync(events.slice(0, 10).map((e) => `${JSON.stringify(e)}\n`).join('')))
      lake.close()
      let dev = CLOSED
      let devServed: Awaited<ReturnType<typeof devServer>> | undefined
      if (firehose === 'moto') {
        const client = new FirehoseClient({endpoint: moto(), region: 'us-east-1', credentials: MOTO_CREDENTIALS})
        await client.send(new CreateDeliveryStreamCommand({
          DeliveryStreamName: stream,
          ExtendedS3DestinationConfiguration: {BucketARN: `arn:aws:s3:::${bucket}`, RoleARN: 'arn:aws:iam::123456789012:role/firehose', Prefix: 'delivered/'},
        }))
        client.destroy()
      } else {
        devServed = await devServer({stream})
        dev = devServed.server.url
      }
      const ledger = join(scratch(), 'l.jsonl')
      const {code, stdout, stderr} = await runPixel(
        ['replay', '--hour', HOUR, '--from', sourceFile(events), '--stream', stream, '--lake', `s3://${bucket}/events/`, '--ledger', ledger, '--json', ...args(dev)],
        {env: {...noEndpoints, ...motoCredentials, ...env(dev)}},
      )
      expect(code, stderr).toBe(0)
      expect(account(stdout)).toMatchObject({read: 20, sent: 10, skippedDuplicate: 10, failed: 0})
      if (devServed) {
        await devServed.server.flush()
        expect((await lakeRecords(devServed.lake)).map((r) => r.event_id).sort()).toEqual(events.slice(10).map((e) => e.event_id).sort())
      }
    })
  })
})

describe('a round trip: an hour removed from a generated lake and replayed', () => {
  it('leaves pixel check --day without an error finding, the hour whole again', async () => {
    const dir = scratch()
    const lake = new LocalLake(dir)
    const day = await generateDay({day: '2026-02-10', events: 2400, objectsPerHour: 2, lake})
    const hourFolder = join(dir, 'year=2026/month=02/day=10/hour=05')
    const original = (await lakeObjects(lake)).filter((o) => o.key.startsWith('year=2026/month=02/day=10/hour=05/'))
    const source = join(scratch(), 'hour-05.ndjson')
    writeFileSync(source, original.map((o) => o.text).join(''))
    rmSync(hourFolder, {recursive: true})
    const removed = await runPixel(['check', '--lake', dir, '--day', '2026-02-10', '--json'])
    expect((JSON.parse(removed.stdout) as CheckReport).findings.map((f) => `${f.check} ${f.hour}`)).toEqual(['gap 2026-02-10T05'])

    const {server} = await devServer({lake})
    const replayed = await runPixel(['replay', '--hour', HOUR, '--from', source, '--endpoint-url', server.url, '--lake', dir, '--json'], {env: AWS})
    expect(replayed.code, replayed.stderr).toBe(0)
    const hourRecords = day.hours.find((h) => h.hour === HOUR)!.records
    expect(account(replayed.stdout)).toMatchObject({read: hourRecords, sent: hourRecords, failed: 0})
    await server.flush()

    const {code, stdout} = await runPixel(['check', '--lake', dir, '--day', '2026-02-10', '--json'])
    const report = JSON.parse(stdout) as CheckReport
    expect(code).toBe(0)
    expect(report.summary.records).toBe(day.records)
    expect(report.summary.duplicateRecords).toBe(0)
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([])
    // A backfill arrives late, and says so: its objects are late and its hour's records stale.
    expect(new Set(report.findings.map((f) => `${f.check} ${f.hour}`))).toEqual(new Set([`late-arrival ${HOUR}`, `freshness ${HOUR}`]))
  })
})

describe('pixel replay on bad input', () => {
  const fixtureSource = sourceFile(lakeFactory(26).events(HOUR, 1))
  const badTransform = join(scratch(), 'bad.json')
  writeFileSync(badTransform, JSON.stringify({flows: [{ops: [{op: 'sett', pointer: '/a', value: 1}]}]}))
  describe.each([
    {args: ['--hour', HOUR, '--from', '/nonexistent/recovered.ndjson'], message: /^Error: cannot read --from \/nonexistent\/recovered\.ndjson: ENOENT$/},
    {args: ['--hour', '2026-02-10T25', '--from', fixtureSource], message: /^Error: --hour "2026-02-10T25" is not an hour/},
    {args: ['--hour', HOUR, '--from', fixtureSource, '--transform', badTransform], message: /^Error: transform file .*bad\.json: flows\[0\]\.ops\[0\]\.op: unknown op "sett"/},
    {args: ['--hour', HOUR, '--from', fixtureSource, '--transform', '/nonexistent/fix.json'], message: /^Error: cannot read transform file \/nonexistent\/fix\.json: ENOENT$/},
    {args: ['--hour', HOUR, '--from', fixtureSource, '--to', 'lake'], message: /^Error: --to lake needs the lake/},
  ])('$args', ({args, message}) => {
    it('exits 2 with one line saying why', async () => {
      const {code, stdout, stderr} = await runPixel(['replay', ...args, '--endpoint-url', 'http://127.0.0.1:9'], {env: AWS})
      expect(code).toBe(2)
      expect(stdout).toBe('')
      expect(stderr.trimEnd()).toMatch(message)
      expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    })
  })

  it('exits 2 naming the stream when pixel dev has no such stream', async () => {
    const {server} = await devServer()
    const {code, stderr} = await runPixel(['replay', '--hour', HOUR, '--from', fixtureSource, '--endpoint-url', server.url, '--stream', 'no-such-stream', '--ledger', join(scratch(), 'l.jsonl')], {env: AWS})
    expect(code).toBe(2)
    expect(stderr).toMatch(/Error: cannot reach Firehose delivery stream no-such-stream: ResourceNotFoundException/)
  })
})
