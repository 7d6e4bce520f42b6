import {gzipSync} from 'node:zlib'
import {beforeAll, describe, expect, inject, it} from 'vitest'
import {LakeUnreachableError, ObjectVanishedError} from '../errors.js'
import {flakyProxy, stallingProxy} from '../../fixtures/test-support/flaky-proxy.js'
import {freshBucket} from '../../fixtures/test-support/s3-bucket.js'
import {MOTO_CREDENTIALS} from '../../fixtures/test-support/moto-server.js'
import {openLake} from './open-lake.js'
import {S3Lake, customEndpoint, parseS3Url} from './s3-lake.js'

process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId
process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey

describe('S3Lake against a real S3-compatible server (moto) on 127.0.0.1', () => {
  let bucket: string
  const keys = Array.from({length: 25}, (_, i) => `year=2026/month=02/day=10/hour=${String(i % 24).padStart(2, '0')}/o-${String(i).padStart(2, '0')}.gz`)
  const lake = () => new S3Lake(`s3://${bucket}/events`, {endpointUrl: inject('s3Endpoint'), listPageSize: 10})

  beforeAll(async () => {
    bucket = await freshBucket('s3-lake')
    const writer = lake()
    for (const key of keys) await writer.write(key, gzipSync(key))
    writer.close()
  })

  it('lists every object under the prefix across several pages, relative to it', async () => {
    const listed: string[] = []
    for await (const object of lake().listObjects('year=2026/')) listed.push(object.key)
    expect(listed.sort()).toEqual([...keys].sort())
  })

  it('gives each object its LastModified time', async () => {
    for await (const object of lake().listObjects('year=2026/month=02/day=10/hour=00/')) {
      expect(object.modified).toBeInstanceOf(Date)
      expect(Math.abs(object.modified!.getTime() - Date.now())).toBeLessThan(10 * 60_000)
    }
  })

  it('deletes an object, and a missing one without complaint', async () => {
    const writer = new S3Lake(`s3://${bucket}/deleting`, {endpointUrl: inject('s3Endpoint')})
    await writer.write('year=2027/month=01/day=01/hour=00/gone.gz', gzipSync('x'))
    await writer.write('year=2027/month=01/day=01/hour=00/kept.gz', gzipSync('y'))
    await writer.delete('year=2027/month=01/day=01/hour=00/gone.gz')
    await writer.delete('year=2027/month=01/day=01/hour=00/never-there.gz')
    const listed: string[] = []
    for await (const object of writer.listObjects('year=2027/')) listed.push(object.key)
    expect(listed).toEqual(['year=2027/month=01/day=01/hour=00/kept.gz'])
    writer.close()
  })

  it('lists a folder that holds only folders', async () => {
    expect(await lake().listDirectories('')).toEqual(['year=2026'])
    expect(await lake().listDirectories('year=2026/month=02/')).toEqual(['day=10'])
  })

  it('lists the folders of a level across several pages', async () => {
    const hours = await lake().listDirectories('year=2026/month=02/day=10/')
    expect(hours).toHaveLength(24)
    expect(hours[0]).toBe('hour=00')
  })

  it('reads an object whole, byte for byte', async () => {
    expect(await lake().read(keys[3])).toEqual(gzipSync(keys[3]))
  })

  it('fails with ObjectVanishedError, naming the key, when a listed object is gone (NoSuchKey)', async () => {
    const reading = lake().read('year=2026/month=02/day=10/hour=05/deleted.gz')
    await expect(reading).rejects.toThrow(ObjectVanishedError)
    await expect(reading).rejects.toMatchObject({key: 'year=2026/month=02/day=10/hour=05/deleted.gz'})
  })

  it('rides out throttling and server errors by retrying', async () => {
    const proxy = await flakyProxy(inject('s3Endpoint'), 4)
    try {
      const flaky = new S3Lake(`s3://${bucket}/events`, {endpointUrl: proxy.endpoint, listPageSize: 10})
      expect(await flaky.listDirectories('year=2026/month=02/day=10/')).toHaveLength(24)
      expect(await flaky.read(keys[5])).toEqual(gzipSync(keys[5]))
      expect(Object.fromEntries(proxy.failures)).toEqual({503: 2, 500: 2})
      flaky.close()
    } finally {
      await proxy.stop()
    }
  })

  describe('against an endpoint that stops answering', () => {
    const withProxy = async (options: Parameters<typeof stallingProxy>[1], run: (proxyLake: S3Lake, stalled: string[]) => Promise<void>) => {
      const proxy = await stallingProxy(inject('s3Endpoint'), options)
      const proxyLake = new S3Lake(`s3://${bucket}/events`, {endpointUrl: proxy.endpoint, listPageSize: 10, idleTimeoutMs: 300, requestTimeoutMs: 600, maxAttempts: 3})
      try {
        await run(proxyLake, proxy.stalled)
      } finally {
        proxyLake.close()
        await proxy.stop()
      }
    }

    it.each([
      ['before the headers', undefined],
      ['in the middle of the body', 5],
    ])('retries a read that stalls %s, and returns every byte', async (_, afterBytes) => {
      await withProxy({path: /\/o-07\.gz/, stallRequests: 2, afterBytes}, async (proxyLake, stalled) => {
        expect(await proxyLake.read(keys[7])).toEqual(gzipSync(keys[7]))
        expect(stalled).toHaveLength(2)
      })
    })

    it('retries a listing page that stalls', async () => {
      await withProxy({path: /list-type=2/, stallRequests: 1, afterBytes: 20}, async (proxyLake, stalled) => {
        expect(await proxyLake.listDirectories('year=2026/month=02/day=10/')).toHaveLength(24)
        expect(stalled).toHaveLength(1)
      })
    })

    it.each([
      ['before the headers', undefined],
      ['in the middle of the body', 5],
    ])('gives up on a read that always stalls %s, with one line naming the key', async (_, afterBytes) => {
      await withProxy({path: /\/o-07\.gz/, stallRequests: Infinity, afterBytes}, async (proxyLake, stalled) => {
        const reading = proxyLake.read(keys[7])
        await expect(reading).rejects.toThrow(LakeUnreachableError)
        await expect(reading).rejects.toThrow(new RegExp(`^cannot read s3://${bucket}/events/${keys[7]}: the endpoint stopped answering .*3 tries\\): check --endpoint-url`))
        expect(stalled).toHaveLength(3)
      })
    })
  })

  it('fails with one line naming the bucket when the bucket does not exist', async () => {
    const opening = openLake('s3://no-such-bucket-here/events/', {endpointUrl: inject('s3Endpoint')})
    await expect(opening).rejects.toThrow(LakeUnreachableError)
    await expect(openLake('s3://no-such-bucket-here/events/', {endpointUrl: inject('s3Endpoint')})).rejects.toThrow(
      /^cannot list s3:\/\/no-such-bucket-here\/events\/: NoSuchBucket .*check the bucket name/,
    )
  })

  it('fails with one line when nothing listens at the endpoint', async () => {
    await expect(openLake(`s3://${bucket}/`, {endpointUrl: 'http://127.0.0.1:9'})).rejects.toThrow(/^cannot list .*check --endpoint-url/)
  })
})

describe('parseS3Url', () => {
  it.each([
    ['s3://bucket', {bucket: 'bucket', prefix: ''}],
    ['s3://bucket/', {bucket: 'bucket', prefix: ''}],
    ['s3://bucket/events', {bucket: 'bucket', prefix: 'events/'}],
    ['s3://bucket/a/b/', {bucket: 'bucket', prefix: 'a/b/'}],
  ])('splits %s', (url, expected) => {
    expect(parseS3Url(url)).toEqual(expected)
  })

  it.each(['s3://', 's3://B_ad/x', 'bucket/x'])('refuses %j with a hint', (url) => {
    expect(() => parseS3Url(url)).toThrow(/use s3:\/\/bucket\/prefix\//)
  })
})

describe('customEndpoint', () => {
  it('prefers --endpoint-url, then AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL', () => {
    const env = {AWS_ENDPOINT_URL_S3: 'http://s3', AWS_ENDPOINT_URL: 'http://all'}
    expect(customEndpoint({endpointUrl: 'http://flag'}, env)).toBe('http://flag')
    expect(customEndpoint({}, env)).toBe('http://s3')
    expect(customEndpoint({}, {AWS_ENDPOINT_URL: 'http://all'})).toBe('http://all')
    expect(customEndpoint({}, {})).toBeUndefined()
  })
})
