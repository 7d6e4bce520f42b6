import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {FirehoseClient, PutRecordBatchCommand} from '@aws-sdk/client-firehose'
import {KinesisClient, PutRecordsCommand} from '@aws-sdk/client-kinesis'
import {NodeHttpHandler} from '@smithy/node-http-handler'
import {describe, expect, it, onTestFinished} from 'vitest'

import {tempLake} from '../../fixtures/test-support/temp-lake.js'
import {pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom} from '../../fixtures/random.js'
import {sendTraffic} from '../../fixtures/simulated-hits.js'
import {DEMO_ACTION_HEADER, type DemoState} from '../../pipeline/dev/demo-page.js'
import {lakeRecords} from '../../pipeline/dev/test-support/dev-server-fixture.js'
import {runPixel} from '../test-support/run-pixel.js'
import {spawnPixel} from '../test-support/spawn-pixel.js'

const URL_LINE = /serving on (http:\/\/127\.0\.0\.1:\d+)/

/** Resolves once `condition` holds, checked whenever `tick` is called; the deadline bounds the wait. */
function whenever(condition: () => boolean, timeoutMs: number): {tick: () => void; reached: Promise<void>} {
  let resolve!: () => void
  let reject!: (error: Error) => void
  const reached = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))
  const timer = setTimeout(() => reject(new Error(`condition not reached within ${timeoutMs} ms`)), timeoutMs)
  return {
    reached,
    tick: () => {
      if (condition()) {
        clearTimeout(timer)
        resolve()
      }
    },
  }
}

describe('pixel dev as a process', () => {
  it('writes every record it acknowledged to the lake when killed with SIGTERM mid-traffic', async () => {
    const lake = tempLake()
    // Buffers far longer than the test: only the flush on SIGTERM can write these records.
    const dev = spawnPixel(['dev', '--lake', lake.url, '--port', '0', '--buffer-seconds', '900', '--buffer-mb', '64'])
    const url = URL_LINE.exec(await dev.waitForOutput(URL_LINE))?.[1] as string

    const acknowledged = new Set<string>()
    const enough = whenever(() => acknowledged.size >= 300, 30_000)
    const stop = new AbortController()
    void dev.exited.then(() => stop.abort())

    const hits = sendTraffic({
      url: `${url}/p.gif`,
      rate: 200,
      durationMs: 30_000,
      concurrency: 8,
      signal: stop.signal,
      onResponse: (_hit, response) => {
        const id = response.headers.get('x-pixel-dev-event-id')
        if (id) acknowledged.add(id)
        enough.tick()
      },
    })
    const batches = (async () => {
      const client = new FirehoseClient({endpoint: url, region: 'us-east-1', credentials: {accessKeyId: 'x', secretAccessKey: 'x'}, maxAttempts: 1})
      const rand = seededRandom(5)
      try {
        for (let call = 0; call < 200 && !stop.signal.aborted; call++) {
          const events = Array.from({length: 50}, () => pixelEvent(rand, new Date()))
          const output = await client
            .send(new PutRecordBatchCommand({DeliveryStreamName: 'pixel-events', Records: events.map((e) => ({Data: Buffer.from(`${JSON.stringify(e)}\n`)}))}))
            .catch(() => undefined)
          output?.RequestResponses?.forEach((response, i) => {
            if (response.RecordId) acknowledged.add(events[i].event_id)
          })
          enough.tick()
        }
      } finally {
        client.destroy()
      }
    })()

    await enough.reached
    dev.child.kill('SIGTERM')
    expect(await dev.exited).toBe(0)
    stop.abort()
    await Promise.all([hits, batches])

    const stored = (await lakeRecords(lake)).map((r) => r.event_id as string)
    const missing = [...acknowledged].filter((id) => !stored.includes(id))
    expect(missing).toEqual([])
    expect(new Set(stored).size).toBe(stored.length)
    expect(dev.stdout()).toMatch(new RegExp(`stopped: ${stored.length} records received, ${stored.length} landed`))
  })

  it('with --ingest kinesis, stores every hit and every put record once, in a lake pixel check passes', async () => {
    const lake = tempLake()
    // A window far longer than the test: only the flush on SIGTERM writes the rest.
    const dev = spawnPixel(['dev', '--lake', lake.url, '--port', '0', '--ingest', 'kinesis', '--shards', '2', '--batch-size', '40', '--batch-window', '300'])
    const output = await dev.waitForOutput(/kinesis +http:\/\/\S+ .*<- the pixel puts here/)
    const url = URL_LINE.exec(dev.stdout())?.[1] as string
    expect(output).toContain('2 shards')
    const acknowledged = new Set<string>()
    for (let i = 0; i < 30; i++) {
      const response = await fetch(`${url}/p.gif?b=docs&n=${i}`)
      const id = response.headers.get('x-pixel-dev-event-id')
      if (id) acknowledged.add(id)
    }
    const client = new KinesisClient({endpoint: url, region: 'us-east-1', credentials: {accessKeyId: 'x', secretAccessKey: 'x'}, maxAttempts: 1, requestHandler: new NodeHttpHandler()})
    const rand = seededRandom(9)
    const events = Array.from({length: 100}, () => pixelEvent(rand, new Date()))
    const put = await client.send(new PutRecordsCommand({StreamName: 'pixel-events', Records: events.map((e) => ({Data: Buffer.from(`${JSON.stringify(e)}\n`), PartitionKey: e.event_id}))}))
    client.destroy()
    put.Records?.forEach((record, i) => {
      if (record.SequenceNumber) acknowledged.add(events[i].event_id)
    })
    expect(acknowledged.size).toBe(130)
    dev.child.kill('SIGTERM')
    expect(await dev.exited).toBe(0)

    const stored = (await lakeRecords(lake)).map((r) => r.event_id as string)
    expect(stored.sort()).toEqual([...acknowledged].sort())
    expect(dev.stdout()).toMatch(/stopped: 130 records received, 130 landed/)
    const check = await runPixel(['check', '--lake', lake.url, '--day', 'today', '--min-records', '0', '--json'])
    const report = JSON.parse(check.stdout) as {summary: {records: number; duplicateRecords: number}; findings: {check: string; severity: string}[]}
    expect(report.summary).toMatchObject({records: 130, duplicateRecords: 0})
    expect(report.findings.filter((f) => f.severity === 'error' && f.check !== 'canary-missing')).toEqual([])
  })

  it('takes "lake" from pixel.config.json in the working folder, as pixel check does', async () => {
    const lake = tempLake()
    const cwd = mkdtempSync(join(tmpdir(), 'pixel-dev-config-'))
    writeFileSync(join(cwd, 'pixel.config.json'), JSON.stringify({lake: lake.url}))
    const dev = spawnPixel(['dev', '--port', '0'], {cwd})
    const line = await dev.waitForOutput(/^ {2}lake +\S+$/m)
    expect(line.trim().split(/ +/)[1]).toBe(lake.url)
    dev.child.kill('SIGTERM')
    expect(await dev.exited).toBe(0)
  })

  it('refuses a port in use with one line and exit 2', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as {port: number}).port
    try {
      const run = await runPixel(['dev', '--lake', tempLake().url, '--port', String(port)])
      expect(run.code).toBe(2)
      expect(run.stderr.trim()).toMatch(new RegExp(`^Error: port ${port} on 127\\.0\\.0\\.1 is in use`))
      expect(run.stderr.trim().split('\n')).toHaveLength(1)
    } finally {
      blocker.close()
    }
  })

  describe.each([
    {flag: 'a fail rate above 1', args: ['--fail-rate', '1.5'], message: /--fail-rate "1\.5" must be a number/},
    {flag: 'a throttle rate that is not a number', args: ['--throttle-rate', 'often'], message: /--throttle-rate "often" must be a number/},
    {flag: 'a zero buffer size', args: ['--buffer-mb', '0'], message: /--buffer-mb "0" must be a number above 0/},
    {flag: 'a buffering interval over 900 s', args: ['--buffer-seconds', '901'], message: /--buffer-seconds/},
    {flag: 'a port out of range', args: ['--port', '70000'], message: /--port/},
    {flag: 'a lake folder that cannot be made (below a file)', args: ['--lake', '/etc/hostname/pixel-lake'], message: /^Error: cannot create lake folder \/etc\/hostname\/pixel-lake: ENOTDIR/},
    {flag: 'no lake', args: ['--lake', ''], message: /no lake given/},
    {flag: 'an unknown ingest', args: ['--ingest', 'sqs'], message: /--ingest/},
    {flag: 'a batching window over 300 s', args: ['--ingest', 'kinesis', '--batch-window', '301'], message: /--batch-window/},
    {flag: 'a batch size of 0', args: ['--ingest', 'kinesis', '--batch-size', '0'], message: /--batch-size/},
  ])('given $flag', ({args, message}) => {
    it('says why in one line and exits 2', async () => {
      const hasLake = args.includes('--lake')
      const run = await runPixel(['dev', ...(hasLake ? [] : ['--lake', tempLake().url]), '--port', '0', ...args])
      expect(run.code).toBe(2)
      expect(run.stderr.trim()).toMatch(message)
      expect(run.stderr.trim().split('\n')).toHaveLength(1)
      expect(run.stdout).toBe('')
    })
  })
})

describe('pixel dev demo page, as a process', () => {
  /** The messages of the live feed as they come, until `done` says enough. */
  async function watchEvents(url: string, done: (state: DemoState) => boolean): Promise<DemoState> {
    const response = await fetch(`${url}/events`)
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ''
    try {
      for (;;) {
        const {value, done: ended} = await reader.read()
        if (ended) throw new Error('the live feed ended')
        text += value
        let end: number
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end)
          text = text.slice(end + 2)
          if (!block.startsWith('data: ')) continue
          const state = JSON.parse(block.slice(6)) as DemoState
          if (done(state)) return state
        }
      }
    } finally {
      await reader.cancel()
    }
  }

  const gapIn = (state: DemoState, hour: string) => state.check?.hours.find((h) => h.hour === hour)?.findings.some((f) => f.check === 'gap')

  it('runs pixel check after each flush, catches a lost flush as a gap, and heals it with pixel replay from the dead letter in --state', async () => {
    const lake = tempLake()
    const state = mkdtempSync(join(tmpdir(), 'pixel-dev-state-'))
    onTestFinished(() => rmSync(state, {recursive: true, force: true}))
    const dev = spawnPixel(['dev', '--lake', lake.url, '--port', '0', '--buffer-seconds', '1', '--state', state])
    const url = URL_LINE.exec(await dev.waitForOutput(URL_LINE))?.[1] as string
    const act = (path: string) => fetch(`${url}${path}`, {method: 'POST', headers: {[DEMO_ACTION_HEADER]: '1'}})

    const planted = (await (await act('/faults/lose-flush')).json()) as {hour: string}
    const broken = await watchEvents(url, (s) => gapIn(s, planted.hour) === true)
    expect(broken.faults?.deadLetters).toEqual([{hour: planted.hour, file: join(state, 'dead-letter', `${planted.hour}.ndjson`), records: 20}])

    const repaired = (await (await act('/repair')).json()) as {message: string}
    expect(repaired.message).toMatch(new RegExp(`Replayed ${planted.hour}: 20 sent, 0 already there, 0 failed`))
    const healed = await watchEvents(url, (s) => gapIn(s, planted.hour) === false && (s.check?.hours.find((h) => h.hour === planted.hour)?.records ?? 0) > 0)
    expect(healed.check?.hours.find((h) => h.hour === planted.hour)).toMatchObject({records: 20, valid: 20, duplicateRecords: 0})
    expect(healed.repair?.last?.command).toContain(`pixel replay --hour ${planted.hour} --from ${join(state, 'dead-letter', `${planted.hour}.ndjson`)}`)

    dev.child.kill('SIGTERM')
    expect(await dev.exited).toBe(0)
    const check = await runPixel(['check', '--lake', lake.url, '--hour', planted.hour, '--json'])
    expect(JSON.parse(check.stdout)).toMatchObject({summary: {records: 20, valid: 20, duplicateRecords: 0}})
    expect((JSON.parse(check.stdout) as {findings: {check: string}[]}).findings.map((f) => f.check)).not.toContain('gap')
  })
})
