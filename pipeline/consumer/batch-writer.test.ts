import {gunzipSync, gzipSync} from 'node:zlib'
import type {KinesisStreamRecord} from 'aws-lambda'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {runCheck} from '../../checks/run-check.js'
import {compileValidator, loadSchema} from '../../checks/schema/record-validator.js'
import {pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom} from '../../fixtures/random.js'
import {MOTO_CREDENTIALS} from '../../fixtures/test-support/moto-server.js'
import {freshBucket} from '../../fixtures/test-support/s3-bucket.js'
import {tempLake} from '../../fixtures/test-support/temp-lake.js'
import {parseObjectKey} from '../../lake/layout/object-key.js'
import type {Lake} from '../../lake/store/lake.js'
import {LocalLake} from '../../lake/store/local-lake.js'
import {S3Lake} from '../../lake/store/s3-lake.js'
import {dayScope} from '../../lake/scope.js'
import {GroupWriteError, writeBatch} from './batch-writer.js'
import {createConsumerHandler} from './consumer-handler.js'
import {OverlapMismatchError} from './errors.js'
import {streamRecords} from './stream-record.js'
import {kinesisEvent, lambdaRecordsOf, motoKinesis, streamHolding} from '../../fixtures/test-support/moto-kinesis.js'

process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId
process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey

const DAY = '2026-02-10'
const HOURS = ['2026-02-10T05', '2026-02-10T06']
const validator = compileValidator(await loadSchema())
const quiet = () => {}

/** 24 events, two of every three in the first hour, and two records no hour can be read from, at 7 and 15. */
function streamLines(): {lines: string[]; perHour: Record<string, number>} {
  const rand = seededRandom(15)
  const lines: string[] = []
  const perHour: Record<string, number> = {[HOURS[0]]: 0, [HOURS[1]]: 0}
  for (let i = 0; i < 24; i++) {
    const hour = HOURS[i % 3 === 2 ? 1 : 0]
    perHour[hour]++
    lines.push(`${JSON.stringify(pixelEvent(rand, new Date(Date.parse(`${hour}:00:00Z`) + i * 120_000)))}\n`)
    if (i === 7) lines.push('not json\n')
    if (i === 15) lines.push('{"ts": 5}\n')
  }
  return {lines, perHour}
}

interface Lakes {
  readonly lake: Lake
  readonly errorLake: Lake
}

const folders: string[] = []
afterAll(() => {
  for (const folder of folders.splice(0)) rmSync(folder, {recursive: true, force: true})
})

const lakeKinds: {kind: string; open: () => Promise<Lakes>}[] = [
  {
    kind: 'a folder lake',
    open: async () => {
      // Not tempLake(): that one is removed after each test, and these lakes serve a describe's tests.
      const folder = mkdtempSync(join(tmpdir(), 'pixel-consumer-'))
      folders.push(folder)
      const lake = new LocalLake(folder)
      return {lake, errorLake: lake}
    },
  },
  {
    kind: 'an S3 lake (moto)',
    open: async () => {
      const bucket = await freshBucket('consumer')
      const endpointUrl = inject('s3Endpoint')
      return {lake: new S3Lake(`s3://${bucket}/events/`, {endpointUrl}), errorLake: new S3Lake(`s3://${bucket}/`, {endpointUrl})}
    },
  },
]

/** Deliveries as [start, end) ranges of the shard's records, in the order Lambda hands them over. */
const deliveries: {what: string; ranges: [number, number][]}[] = [
  {what: 'once', ranges: [[0, 26]]},
  {what: 'the same batch twice', ranges: [[0, 26], [0, 26]]},
  {what: 'the same three batches twice', ranges: [[0, 10], [10, 20], [20, 26], [0, 10], [10, 20], [20, 26]]},
  {what: 'again in batches of other boundaries', ranges: [[0, 10], [10, 20], [20, 26], [0, 5], [5, 13], [13, 22], [22, 26]]},
  {what: 'again from the middle of a batch (a partial batch failure)', ranges: [[0, 10], [10, 26], [6, 26]]},
  {what: 'in narrow batches, then as one wide batch', ranges: [[0, 3], [3, 6], [6, 9], [9, 26], [0, 26]]},
  {what: 'as one wide batch, then a narrow batch inside it', ranges: [[0, 26], [4, 9]]},
  {what: 'bisected: halves, quarters, then the whole batch again', ranges: [[0, 13], [13, 26], [0, 7], [7, 13], [13, 20], [20, 26], [0, 26]]},
]

async function objectsOf(lake: Lake, prefix = ''): Promise<{key: string; lines: string[]}[]> {
  const out: {key: string; lines: string[]}[] = []
  for await (const {key} of lake.listObjects(prefix)) {
    if (prefix === '' && key.startsWith('errors/')) continue
    out.push({key, lines: gunzipSync(await lake.read(key)).toString('utf8').split('\n').slice(0, -1)})
  }
  return out
}

async function audit(lake: Lake) {
  return runCheck({lake, scope: dayScope(DAY), validator, minRecords: 0, now: new Date('2026-11-28T00:00:00Z')})
}

let records: KinesisStreamRecord[]
let expected: ReturnType<typeof streamLines>

beforeAll(async () => {
  const kinesis = motoKinesis()
  expected = streamLines()
  const stream = await streamHolding(kinesis, expected.lines)
  ;[records] = await lambdaRecordsOf(kinesis, stream)
  kinesis.destroy()
})

describe.each(lakeKinds)('the consumer writing into $kind', ({open}) => {
  describe.each(deliveries)('when the records come $what', ({ranges}) => {
    let lakes: Lakes

    beforeAll(async () => {
      expect(records).toHaveLength(26)
      lakes = await open()
      const handler = createConsumerHandler({...lakes, log: quiet})
      for (const [start, end] of ranges) {
        expect(await handler(kinesisEvent(records.slice(start, end)))).toEqual({batchItemFailures: []})
      }
    })

    it('leaves every record in the lake exactly once, as pixel check counts them', async () => {
      const report = await audit(lakes.lake)
      expect(report.findings.filter((f) => f.check.startsWith('duplicate'))).toEqual([])
      expect(report.summary.records).toBe(24)
      expect(Object.fromEntries(report.hours.filter((h) => h.records > 0).map((h) => [h.hour, h.records]))).toEqual(expected.perHour)
      expect(report.summary.invalid + report.summary.unparseable).toBe(0)
    })

    it('keeps each hour\'s records in sequence order, with no two objects of overlapping ranges', async () => {
      const objects = await objectsOf(lakes.lake)
      for (const hour of HOURS) {
        const mine = objects.map((o) => ({...o, parsed: parseObjectKey(o.key)!})).filter((o) => o.parsed.hour === hour)
        mine.sort((a, b) => (BigInt(a.parsed.firstSequence!) < BigInt(b.parsed.firstSequence!) ? -1 : 1))
        for (let i = 1; i < mine.length; i++) expect(BigInt(mine[i].parsed.firstSequence!)).toBeGreaterThan(BigInt(mine[i - 1].parsed.lastSequence!))
        const inLake = mine.flatMap((o) => o.lines)
        const sent = expected.lines.map((l) => l.trimEnd()).filter((l) => l.startsWith('{"') && String((JSON.parse(l) as {ts: unknown}).ts).startsWith(hour))
        expect(inLake).toEqual(sent)
      }
    })

    it('puts the records without a usable ts under errors/partitioning-failed/, once each', async () => {
      const failed = (await objectsOf(lakes.errorLake, 'errors/partitioning-failed/')).flatMap((o) => o.lines.map((l) => JSON.parse(l) as {rawData: string}))
      expect(failed.map((f) => Buffer.from(f.rawData, 'base64').toString('utf8')).sort()).toEqual(['not json\n', '{"ts": 5}\n'].sort())
    })
  })

  describe('when a union is interrupted between its write and its deletes', () => {
    it('leaves the records twice, never lost, and the retry removes the copies', async () => {
      const {lake, errorLake} = await open()
      const handler = createConsumerHandler({lake, errorLake, log: quiet})
      await handler(kinesisEvent(records.slice(0, 10)))
      await handler(kinesisEvent(records.slice(10, 26)))
      let failDeletes = true
      const flaky: Lake = Object.assign(Object.create(lake) as Lake, {
        delete: async (key: string) => {
          if (failDeletes) throw new Error(`injected: cannot delete ${key}`)
          return lake.delete(key)
        },
      })
      const interrupted = await createConsumerHandler({lake: flaky, errorLake, log: quiet})(kinesisEvent(records.slice(5, 20)))
      expect(interrupted.batchItemFailures).toEqual([{itemIdentifier: records[5].kinesis.sequenceNumber}])
      const between = await audit(lake)
      expect(between.summary.records - between.summary.duplicateRecords).toBe(24)
      expect(between.summary.duplicateRecords).toBeGreaterThan(0)

      failDeletes = false
      expect(await createConsumerHandler({lake: flaky, errorLake, log: quiet})(kinesisEvent(records.slice(5, 26)))).toEqual({batchItemFailures: []})
      const after = await audit(lake)
      expect(after.summary.duplicateRecords).toBe(0)
      expect(after.summary.records).toBe(24)
    })
  })

  describe('when an object does not hold what its name says', () => {
    it('fails the batch and deletes nothing rather than guess', async () => {
      const {lake, errorLake} = await open()
      const handler = createConsumerHandler({lake, errorLake, log: quiet})
      await handler(kinesisEvent(records.slice(0, 10)))
      const [first] = await objectsOf(lake)
      // Another writer's records under this shard's name.
      await lake.write(first.key, gzipSync('{"ts":"2026-02-10T05:00:00.000Z","event_id":"other"}\n'))
      const error = await writeBatch(streamRecords(kinesisEvent(records.slice(3, 14))), {lake, errorLake}).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(GroupWriteError)
      expect((error as GroupWriteError).cause).toBeInstanceOf(OverlapMismatchError)
      expect((await objectsOf(lake)).map((o) => o.key)).toContain(first.key)
    })
  })

  describe('when one hour cannot be written', () => {
    it('reports the lowest record of that hour for redelivery, and the redelivery stores each record once', async () => {
      const {lake, errorLake} = await open()
      let failing = true
      const flaky: Lake = Object.assign(Object.create(lake) as Lake, {
        write: async (key: string, body: Uint8Array) => {
          if (failing && key.includes('hour=06/')) throw new Error('injected: S3 is down for this key')
          return lake.write(key, body)
        },
      })
      const handler = createConsumerHandler({lake: flaky, errorLake, log: quiet})
      const answer = await handler(kinesisEvent(records))
      const firstOfSecondHour = records.find((r) => Buffer.from(r.kinesis.data, 'base64').toString().includes(`"ts":"${HOURS[1]}`))!
      expect(answer.batchItemFailures).toEqual([{itemIdentifier: firstOfSecondHour.kinesis.sequenceNumber}])
      failing = false
      // Lambda hands over that record and every one after it again.
      const from = records.indexOf(firstOfSecondHour)
      expect(await handler(kinesisEvent(records.slice(from)))).toEqual({batchItemFailures: []})
      const report = await audit(lake)
      expect(report.summary.duplicateRecords).toBe(0)
      expect(report.summary.records).toBe(24)
    })
  })
})

describe('the same records on two shards', () => {
  it('are two shards\' objects, each named after its own shard', async () => {
    const kinesis = motoKinesis()
    const stream = await streamHolding(kinesis, streamLines().lines, {shards: 2, partitionKey: (i) => `visitor-${i % 5}`})
    const shards = await lambdaRecordsOf(kinesis, stream)
    kinesis.destroy()
    expect(shards.filter((s) => s.length > 0).length).toBe(2)
    const lake = tempLake()
    const handler = createConsumerHandler({lake, log: quiet})
    for (const shard of shards) {
      await handler(kinesisEvent(shard))
      await handler(kinesisEvent(shard))
    }
    const report = await audit(lake)
    expect(report.summary.duplicateRecords).toBe(0)
    expect(report.summary.records).toBe(24)
    const named = new Set((await objectsOf(lake)).map((o) => parseObjectKey(o.key)!.shard))
    expect([...named].sort()).toEqual(['shardId-000000000000', 'shardId-000000000001'])
  })
})
