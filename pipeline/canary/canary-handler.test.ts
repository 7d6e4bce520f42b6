import {describe, expect, it} from 'vitest'

import {CanaryFailedError} from '../errors.js'
import type {LogEntry} from '../handler/structured-log.js'
import {runCanary} from './canary-handler.js'

const PIXEL_URL = 'https://abc.execute-api.eu-west-1.amazonaws.com/p.gif'

/** A fetch double that records the URL and answers `response`. */
function fakeFetch(response: () => Response) {
  const urls: string[] = []
  const fetch = (async (input: string | URL | Request) => {
    urls.push(String(input))
    return response()
  }) as typeof globalThis.fetch
  return {fetch, urls}
}

const gif = () => new Response(new Uint8Array([0x47, 0x49, 0x46]), {status: 200, headers: {'Content-Type': 'image/gif'}})

describe('runCanary', () => {
  it('requests the pixel with the canary badge and marker', async () => {
    const {fetch, urls} = fakeFetch(gif)
    await runCanary({pixelUrl: PIXEL_URL, fetch, log: () => {}})
    const url = new URL(urls[0])
    expect(`${url.origin}${url.pathname}`).toBe(PIXEL_URL)
    expect(url.searchParams.get('b')).toBe('canary')
    expect(url.searchParams.get('src')).toBe('canary')
  })

  it('sends a different nonce each time, so no cache can answer', async () => {
    const {fetch, urls} = fakeFetch(gif)
    await runCanary({pixelUrl: PIXEL_URL, fetch, log: () => {}})
    await runCanary({pixelUrl: PIXEL_URL, fetch, log: () => {}})
    expect(new URL(urls[0]).searchParams.get('n')).not.toBe(new URL(urls[1]).searchParams.get('n'))
  })

  it('throws when the endpoint answers something other than the GIF', async () => {
    const logs: LogEntry[] = []
    const {fetch} = fakeFetch(() => new Response('Service Unavailable', {status: 503, headers: {'Content-Type': 'text/plain'}}))
    await expect(runCanary({pixelUrl: PIXEL_URL, fetch, log: (entry) => logs.push(entry)})).rejects.toBeInstanceOf(CanaryFailedError)
    expect(logs).toEqual([expect.objectContaining({event: 'canary_failed', status: 503})])
  })

  it('throws when the endpoint cannot be reached', async () => {
    const fetch = (async () => {
      throw new TypeError('fetch failed')
    }) as typeof globalThis.fetch
    await expect(runCanary({pixelUrl: PIXEL_URL, fetch, log: () => {}})).rejects.toThrow('did not answer')
  })

  it('throws when no pixel URL is configured', async () => {
    await expect(runCanary({pixelUrl: undefined, log: () => {}})).rejects.toBeInstanceOf(CanaryFailedError)
  })
})
