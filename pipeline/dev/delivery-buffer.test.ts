import {afterEach, describe, expect, it, vi} from 'vitest'

import {parseObjectKey} from '../../lake/layout/object-key.js'
import {tempLake} from '../../fixtures/test-support/temp-lake.js'
import {DeliveryBuffer, partitionHour} from './delivery-buffer.js'
import {DeliveryClosedError} from './errors.js'
import {lakeObjects} from './test-support/dev-server-fixture.js'

afterEach(() => {
  vi.useRealTimers()
})

function line(fields: Record<string, unknown>): Buffer {
  return Buffer.from(`${JSON.stringify(fields)}\n`)
}

function buffer(options: {bufferSeconds?: number; bufferBytes?: number; now?: () => Date} = {}) {
  const lake = tempLake()
  const delivery = new DeliveryBuffer({lake, stream: 'pixel-events', bufferSeconds: options.bufferSeconds ?? 600, bufferBytes: options.bufferBytes ?? 1 << 20, now: options.now})
  return {lake, delivery}
}

describe('partitionHour', () => {
  it.each([
    {ts: '2026-11-28T09:41:07.123Z', hour: '2026-11-28T09:00:00.000Z'},
    {ts: '2026-02-10T23:59:59Z', hour: '2026-02-10T23:00:00.000Z'},
    // The stack's jq only slices the string: the zone is not read, so neither is it here.
    {ts: '2026-11-28T09:41:07+05:00', hour: '2026-11-28T09:00:00.000Z'},
    // jq slices "0099" as the year: the year 99, not 1999.
    {ts: '0099-01-01T05:00:00Z', hour: '0099-01-01T05:00:00.000Z'},
  ])('puts ts $ts in the hour $hour, as the stack jq slices it', ({ts, hour}) => {
    expect(partitionHour(line({ts}))?.toISOString()).toBe(hour)
  })

  it.each([
    {record: 'not JSON', data: Buffer.from('{"ts": "2026-11-28T09')},
    {record: 'no ts', data: line({badge: 'docs'})},
    {record: 'a numeric ts', data: line({ts: 1764322867})},
    {record: 'a ts that is not a time', data: line({ts: 'yesterday'})},
    {record: 'a month 13', data: line({ts: '2026-13-01T00:00:00Z'})},
    {record: 'a JSON array', data: Buffer.from('[{"ts":"2026-11-28T09:41:07Z"}]')},
  ])('cannot partition $record', ({data}) => {
    expect(partitionHour(data)).toBeUndefined()
  })
})

describe('DeliveryBuffer', () => {
  it('writes one gzip object per event hour, named as Firehose names it, holding the records byte for byte', async () => {
    const arrival = new Date('2026-11-28T10:02:03.456Z')
    const {lake, delivery} = buffer({now: () => arrival})
    const nine = [line({ts: '2026-11-28T09:59:59.999Z', n: 1}), line({ts: '2026-11-28T09:00:00.000Z', n: 2})]
    const ten = [line({ts: '2026-11-28T10:00:00.000Z', n: 3})]
    delivery.add([nine[0], ten[0], nine[1]])
    await delivery.flush()

    const objects = await lakeObjects(lake)
    expect(objects.map((o) => parseObjectKey(o.key)).map((k) => [k?.hour, k?.stream, k?.version, k?.arrival.toISOString()])).toEqual([
      ['2026-11-28T09', 'pixel-events', 1, '2026-11-28T10:02:03.000Z'],
      ['2026-11-28T10', 'pixel-events', 1, '2026-11-28T10:02:03.000Z'],
    ])
    expect(objects.map((o) => o.text)).toEqual([Buffer.concat(nine).toString(), ten[0].toString()])
    expect(delivery.stats()).toEqual({received: 3, delivered: 3, partitioningFailed: 0, objects: 2, lost: 0})
  })

  it('writes a partition as soon as its buffer reaches the buffering size', async () => {
    const record = line({ts: '2026-11-28T09:00:00.000Z', pad: 'x'.repeat(100)})
    const {lake, delivery} = buffer({bufferBytes: record.length * 3})
    delivery.add([record, record])
    delivery.add([record])
    delivery.add([record])
    await vi.waitFor(() => expect(delivery.stats().objects).toBe(1), {timeout: 5_000})
    expect((await lakeObjects(lake))[0].text).toBe(Buffer.concat([record, record, record]).toString())
    expect(delivery.stats()).toMatchObject({received: 4, delivered: 3})
  })

  it('writes a partition the buffering interval after its first record', async () => {
    vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']})
    const {delivery} = buffer({bufferSeconds: 60})
    delivery.add([line({ts: '2026-11-28T09:00:00.000Z'})])
    await vi.advanceTimersByTimeAsync(59_000)
    delivery.add([line({ts: '2026-11-28T09:30:00.000Z'})])
    expect(delivery.stats().objects).toBe(0)
    await vi.advanceTimersByTimeAsync(1_000)
    vi.useRealTimers()
    await vi.waitFor(() => expect(delivery.stats()).toMatchObject({objects: 1, delivered: 2}), {timeout: 5_000})
  })

  it('sends records it cannot partition to errors/partitioning-failed/, wrapped with their raw data, never dropping them', async () => {
    const arrival = new Date('2026-11-28T10:02:03.456Z')
    const {lake, delivery} = buffer({now: () => arrival})
    const bad = Buffer.from('{"badge":"docs"}\n')
    delivery.add([bad, line({ts: '2026-11-28T09:00:00.000Z'})])
    await delivery.flush()

    const errors = (await lakeObjects(lake)).filter((o) => o.key.startsWith('errors/'))
    expect(errors).toHaveLength(1)
    expect(errors[0].key).toMatch(/^errors\/partitioning-failed\/year=2026\/month=11\/day=28\/hour=10\/pixel-events-1-2026-11-28-10-02-03-[0-9a-f-]{36}\.gz$/)
    const wrapped = JSON.parse(errors[0].text) as {rawData: string; errorCode: string}
    expect(Buffer.from(wrapped.rawData, 'base64').toString()).toBe(bad.toString())
    expect(wrapped.errorCode).toMatch(/DynamicPartitioning/)
    expect(delivery.stats()).toMatchObject({received: 2, delivered: 2, partitioningFailed: 1})
  })

  it('refuses records once closed, after writing every record it took', async () => {
    const {lake, delivery} = buffer()
    delivery.add([line({ts: '2026-11-28T09:00:00.000Z'})])
    await delivery.close()
    expect(() => delivery.add([line({ts: '2026-11-28T09:00:00.000Z'})])).toThrow(DeliveryClosedError)
    expect(await lakeObjects(lake)).toHaveLength(1)
  })

  it('keeps records whose write failed and rejects the flush that cannot store them', async () => {
    const {lake, delivery} = buffer()
    let failing = true
    const write = lake.write.bind(lake)
    lake.write = async (key, body) => {
      if (failing) throw new Error('disk full')
      return write(key, body)
    }
    delivery.add([line({ts: '2026-11-28T09:00:00.000Z'})])
    await expect(delivery.flush()).rejects.toThrow(/1 records could not be written/)
    failing = false
    await delivery.flush()
    expect(delivery.stats()).toMatchObject({delivered: 1, objects: 1})
  })
})
