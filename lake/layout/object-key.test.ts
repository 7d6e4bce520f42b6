import {describe, expect, it} from 'vitest'
import {batchObjectKey, objectKey, parseObjectKey} from './object-key.js'

const UUID = '0b8f9c2e-5d4a-4e6b-9c1d-2f3a4b5c6d7e'

describe('parseObjectKey', () => {
  it('reads the hour, stream, version and arrival time from a Firehose key', () => {
    const parsed = parseObjectKey(`year=2026/month=02/day=10/hour=05/pixel-events-1-2026-02-10-05-14-03-${UUID}.gz`)
    expect(parsed).toMatchObject({
      hour: '2026-02-10T05',
      partitionPath: 'year=2026/month=02/day=10/hour=05',
      stream: 'pixel-events',
      version: 1,
      gzipSuffix: true,
    })
    expect(parsed?.arrival.toISOString()).toBe('2026-02-10T05:14:03.000Z')
  })

  it('accepts partition numbers without zero padding and keeps the path as written', () => {
    const parsed = parseObjectKey(`year=2026/month=2/day=10/hour=5/pixel-1-2026-02-10-05-14-03-${UUID}.gz`)
    expect(parsed?.hour).toBe('2026-02-10T05')
    expect(parsed?.partitionPath).toBe('year=2026/month=2/day=10/hour=5')
  })

  it('reads an uncompressed object without the .gz suffix', () => {
    expect(parseObjectKey(`year=2026/month=02/day=10/hour=05/pixel-1-2026-02-10-05-14-03-${UUID}`)?.gzipSuffix).toBe(false)
  })

  it('reads a key of a year below 1000 as that year', () => {
    const parsed = parseObjectKey(`year=0099/month=01/day=01/hour=05/pixel-1-0099-01-01-05-14-03-${UUID}.gz`)
    expect(parsed?.hour).toBe('0099-01-01T05')
    expect(parsed?.arrival.toISOString()).toBe('0099-01-01T05:14:03.000Z')
  })

  describe.each([
    ['month 13', `year=2026/month=13/day=10/hour=05/pixel-1-2026-02-10-05-14-03-${UUID}.gz`],
    ['day 32', `year=2026/month=01/day=32/hour=05/pixel-1-2026-02-10-05-14-03-${UUID}.gz`],
    ['a file directly in the day folder', 'year=2026/month=02/day=10/_SUCCESS'],
    ['a name that is not Firehose\'s', 'year=2026/month=02/day=10/hour=05/README.txt'],
    ['hour 24', `year=2026/month=02/day=10/hour=24/pixel-1-2026-02-10-05-14-03-${UUID}.gz`],
    ['February 30th', `year=2026/month=02/day=30/hour=05/pixel-1-2026-02-10-05-14-03-${UUID}.gz`],
    ['an impossible arrival time', `year=2026/month=02/day=10/hour=05/pixel-1-2026-02-10-25-14-03-${UUID}.gz`],
    ['a name without a uuid', 'year=2026/month=02/day=10/hour=05/pixel-1-2026-02-10-05-14-03.gz'],
    ['a deeper folder', `year=2026/month=02/day=10/hour=05/x/pixel-1-2026-02-10-05-14-03-${UUID}.gz`],
  ])('rejects %s', (_, key) => {
    it('as not fitting the layout', () => {
      expect(parseObjectKey(key)).toBeUndefined()
    })
  })
})

describe('objectKey', () => {
  it('builds a key that parses back to the same partition and arrival', () => {
    const key = objectKey({stream: 'pixel', version: 2, hour: new Date('2026-02-10T05:00:00Z'), arrival: new Date('2026-02-10T05:59:07Z'), uuid: UUID})
    expect(key).toBe(`year=2026/month=02/day=10/hour=05/pixel-2-2026-02-10-05-59-07-${UUID}.gz`)
    expect(parseObjectKey(key)?.hour).toBe('2026-02-10T05')
  })

  it('builds the key of a year below 1000 with four digits', () => {
    const key = objectKey({stream: 'pixel', version: 1, hour: new Date('0099-01-01T05:00:00Z'), arrival: new Date('0099-01-01T05:20:00Z'), uuid: UUID})
    expect(key.startsWith('year=0099/month=01/day=01/hour=05/pixel-1-0099-01-01-05-20-00-')).toBe(true)
    expect(parseObjectKey(key)?.hour).toBe('0099-01-01T05')
  })
})

describe('the Kinesis consumer\'s names', () => {
  const FIRST = '49590338271490256608559692538361571095921575989136588898'
  const LAST = '49590338271490256608559692540925702759324208523137515618'
  const modified = new Date('2026-02-10T05:31:12.345Z')

  it('reads the hour, stream, shard and sequence numbers, and takes the arrival from the store', () => {
    const parsed = parseObjectKey(`year=2026/month=02/day=10/hour=05/pixel-events-shardId-000000000003-${FIRST}-${LAST}.gz`, modified)
    expect(parsed).toMatchObject({hour: '2026-02-10T05', form: 'kinesis', stream: 'pixel-events', shard: 'shardId-000000000003', firstSequence: FIRST, lastSequence: LAST, gzipSuffix: true})
    expect(parsed?.arrival).toEqual(modified)
  })

  it('reads the sequence numbers without their zero padding', () => {
    const key = batchObjectKey({stream: 'pixel', shard: 'shardId-000000000000', hour: new Date('2026-02-10T05:00:00Z'), firstSequence: '7', lastSequence: '1200'})
    expect(parseObjectKey(key, modified)).toMatchObject({firstSequence: '7', lastSequence: '1200'})
  })

  it('takes the end of the hour as the arrival when the store gives no time', () => {
    const key = batchObjectKey({stream: 'pixel', shard: 'shardId-000000000000', hour: new Date('2026-02-10T05:00:00Z'), firstSequence: '1', lastSequence: '2'})
    expect(parseObjectKey(key)?.arrival.toISOString()).toBe('2026-02-10T06:00:00.000Z')
  })

  it('builds names that sort as their sequence numbers do', () => {
    const name = (first: string) => batchObjectKey({stream: 'pixel', shard: 'shardId-000000000000', hour: new Date('2026-02-10T05:00:00Z'), firstSequence: first, lastSequence: '99999999999'})
    const numbers = ['9', '10', '100', '2', FIRST.slice(0, 30)]
    const byName = [...numbers].sort((a, b) => (name(a) < name(b) ? -1 : 1))
    expect(byName).toEqual([...numbers].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)))
  })

  it('builds the same key for the same shard, hour and sequence numbers, whatever else differs', () => {
    const key = () => batchObjectKey({stream: 'pixel-events', shard: 'shardId-000000000000', hour: new Date('2026-02-10T05:00:00Z'), firstSequence: FIRST, lastSequence: LAST})
    expect(key()).toBe(key())
    expect(key()).toBe(`year=2026/month=02/day=10/hour=05/pixel-events-shardId-000000000000-${FIRST}-${LAST}.gz`)
  })

  it.each([
    ['a first sequence number above the last', `year=2026/month=02/day=10/hour=05/pixel-shardId-000000000000-${LAST}-${FIRST}.gz`],
    ['a shard that is not shardId-N', `year=2026/month=02/day=10/hour=05/pixel-shard7-${FIRST}-${LAST}.gz`],
    ['a sequence number of 130 digits', `year=2026/month=02/day=10/hour=05/pixel-shardId-000000000000-1-${'9'.repeat(130)}.gz`],
    ['hour 24', `year=2026/month=02/day=10/hour=24/pixel-shardId-000000000000-${FIRST}-${LAST}.gz`],
  ])('rejects %s', (_, key) => {
    expect(parseObjectKey(key, modified)).toBeUndefined()
  })

  it.each([
    ['a shard id that is not shardId-N', {shard: '../x', firstSequence: '1', lastSequence: '2'}],
    ['a sequence number that is not decimal', {shard: 'shardId-000000000000', firstSequence: '1e5', lastSequence: '2'}],
  ])('refuses to build a key from %s', (_, o) => {
    expect(() => batchObjectKey({stream: 'pixel', hour: new Date('2026-02-10T05:00:00Z'), ...o})).toThrow(RangeError)
  })
})
