import {PutRecordsCommand} from '@aws-sdk/client-kinesis'
import {describe, expect, inject, it} from 'vitest'

import {pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom} from '../../fixtures/random.js'
import {motoKinesis, streamHolding} from '../../fixtures/test-support/moto-kinesis.js'
import {tempLake} from '../../fixtures/test-support/temp-lake.js'
import {lakeRecords} from '../../pipeline/dev/test-support/dev-server-fixture.js'
import {runPixel} from '../test-support/run-pixel.js'

const HOUR = '2026-02-10T05'
const AWS = {AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_KINESIS: undefined, AWS_ENDPOINT_URL: undefined}

async function streamOf(hours: string[]): Promise<{stream: string; ofHour: string[]}> {
  const rand = seededRandom(4)
  const events = hours.map((hour, i) => pixelEvent(rand, new Date(Date.parse(`${hour}:00:00Z`) + i * 60_000)))
  const kinesis = motoKinesis()
  const stream = await streamHolding(kinesis, events.map((e) => `${JSON.stringify(e)}\n`), {shards: 2})
  kinesis.destroy()
  return {stream, ofHour: events.filter((e) => e.ts.startsWith(HOUR)).map((e) => e.event_id)}
}

describe('pixel replay --from kinesis://STREAM', () => {
  it('rebuilds the hour from the stream into the lake, and names the records of other hours it passed over', async () => {
    const {stream, ofHour} = await streamOf(['2026-02-10T04', HOUR, HOUR, HOUR, '2026-02-10T06', HOUR])
    const lake = tempLake()
    const args = ['replay', '--hour', HOUR, '--from', `kinesis://${stream}`, '--to', 'lake', '--lake', lake.url, '--kinesis-endpoint-url', inject('s3Endpoint'), '--ledger', `${lake.url}.ledger.jsonl`, '--json']
    const run = await runPixel(args, {env: AWS})
    expect(run.code, run.stderr).toBe(0)
    const output = JSON.parse(run.stdout) as {read: number; sent: number; warnings: string[]}
    expect(output).toMatchObject({read: 4, sent: 4})
    expect(output.warnings).toContain(`--from kinesis://${stream}: 2 records of other hours (by their ts) were passed over`)
    expect((await lakeRecords(lake)).map((r) => r.event_id).sort()).toEqual([...ofHour].sort())

    const again = await runPixel(args, {env: AWS})
    expect(JSON.parse(again.stdout)).toMatchObject({read: 4, sent: 0, skippedDuplicate: 4})
  })

  it('starts reading each shard at --start, by the time Kinesis took the records, not their ts', async () => {
    const rand = seededRandom(8)
    const ofHour = () => pixelEvent(rand, new Date(`${HOUR}:30:00Z`))
    const early = [ofHour(), ofHour()]
    const kinesis = motoKinesis()
    const stream = await streamHolding(kinesis, early.map((e) => `${JSON.stringify(e)}\n`), {shards: 1})
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const start = new Date()
    await new Promise((resolve) => setTimeout(resolve, 50))
    const late = [ofHour(), ofHour(), ofHour()]
    await kinesis.send(new PutRecordsCommand({StreamName: stream, Records: late.map((e) => ({Data: Buffer.from(`${JSON.stringify(e)}\n`), PartitionKey: e.event_id}))}))
    kinesis.destroy()
    const lake = tempLake()
    const run = await runPixel(['replay', '--hour', HOUR, '--from', `kinesis://${stream}`, '--start', start.toISOString(), '--to', 'lake', '--lake', lake.url, '--kinesis-endpoint-url', inject('s3Endpoint'), '--ledger', `${lake.url}.ledger.jsonl`, '--json'], {env: AWS})
    expect(run.code, run.stderr).toBe(0)
    const output = JSON.parse(run.stdout) as {read: number; sent: number; warnings: string[]}
    expect(output).toMatchObject({read: 3, sent: 3})
    expect(output.warnings).toContain(`--start ${start.toISOString()} is after --hour ${HOUR} ends: records of the hour that reached the stream before then are not read`)
    expect((await lakeRecords(lake)).map((r) => r.event_id).sort()).toEqual(late.map((e) => e.event_id).sort())
  })

  it.each([
    ['a --start that is not a time', ['--start', 'yesterday'], /^Error: --start "yesterday" is not a time/],
  ])('refuses %s in one line, exit 2', async (_what, extra, message) => {
    const run = await runPixel(['replay', '--hour', HOUR, '--from', 'kinesis://pixel-events', ...extra, '--to', 'lake', '--lake', tempLake().url, '--kinesis-endpoint-url', inject('s3Endpoint')], {env: AWS})
    expect(run.code).toBe(2)
    expect(run.stderr.trim()).toMatch(message)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('names a stream that does not exist in one line, exit 2', async () => {
    const run = await runPixel(['replay', '--hour', HOUR, '--from', 'kinesis://no-such-stream', '--to', 'lake', '--lake', tempLake().url, '--kinesis-endpoint-url', inject('s3Endpoint')], {env: AWS})
    expect(run.code).toBe(2)
    expect(run.stderr.trim()).toMatch(/^Error: cannot list the shards of kinesis:\/\/no-such-stream: ResourceNotFoundException/)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
  })
})
