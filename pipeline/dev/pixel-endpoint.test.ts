import {createHash} from 'node:crypto'
import {request} from 'node:http'
import {describe, expect, it} from 'vitest'

import {schemaErrors} from '../test-support/pixel-event-validator.js'
import {DEMO_CONTENT_SECURITY_POLICY} from './demo-page.js'
import {ACKNOWLEDGED_EVENT_HEADER} from './pixel-endpoint.js'
import {devServer, lakeRecords} from './test-support/dev-server-fixture.js'

const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

describe('the pixel endpoint of pixel dev', () => {
  it('answers GET /p.gif with the GIF and stores the record the Lambda would, through the Firehose API', async () => {
    const {server, lake} = await devServer()
    const response = await fetch(`${server.pixelUrl}?b=docs&c=launch&lang=en`, {headers: {'User-Agent': BROWSER_UA, Referer: 'https://example.com/readme'}})
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/gif')
    expect(Buffer.from(await response.arrayBuffer()).subarray(0, 6).toString()).toBe('GIF89a')
    const eventId = response.headers.get(ACKNOWLEDGED_EVENT_HEADER)

    await server.flush()
    const records = await lakeRecords(lake)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({
      event_id: eventId,
      badge: 'docs',
      campaign: 'launch',
      page_url: 'https://example.com/readme',
      user_agent: BROWSER_UA,
      // The loopback peer, anonymised as the stack does by default.
      client_ip: '127.0.0.0',
      params: {lang: 'en'},
      source: 'pixel',
    })
    expect(schemaErrors(records[0])).toEqual([])
  })

  it('answers HEAD /p.gif with the headers and stores nothing', async () => {
    const {server} = await devServer()
    const response = await fetch(server.pixelUrl, {method: 'HEAD'})
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/gif')
    expect(response.headers.get(ACKNOWLEDGED_EVENT_HEADER)).toBeNull()
    await server.flush()
    expect(server.stats().received).toBe(0)
  })

  it('still answers the GIF when the Firehose API throttles, without claiming the record', async () => {
    const {server} = await devServer({throttleRate: 1})
    const response = await fetch(`${server.pixelUrl}?b=docs`)
    expect(response.status).toBe(200)
    expect(response.headers.get(ACKNOWLEDGED_EVENT_HEADER)).toBeNull()
    expect(server.stats().received).toBe(0)
  })

  it('answers a path it does not serve with 404', async () => {
    const {server} = await devServer()
    expect((await fetch(`${server.url}/wp-admin`)).status).toBe(404)
    expect((await fetch(`${server.url}/p.gif`, {method: 'DELETE'})).status).toBe(404)
  })
})

describe('the demo page', () => {
  it('is served under a Content-Security-Policy that allows only its own script and style, by hash, and nothing foreign', async () => {
    const {server} = await devServer()
    const response = await fetch(`${server.url}/`)
    const policy = response.headers.get('content-security-policy') ?? ''
    expect(policy).toBe(DEMO_CONTENT_SECURITY_POLICY)
    expect(policy).toMatch(/default-src 'none'/)
    expect(policy).toMatch(/connect-src 'self'/)
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|\*/)
    const html = await response.text()
    expect(html).toMatch(/<img id="pixel" src="\/p\.gif\?b=/)
    expect(html).not.toMatch(/\son\w+=/)
    // The one script and the one style the page holds are exactly the ones the policy names.
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1])
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1])
    expect(scripts).toHaveLength(1)
    expect(styles).toHaveLength(1)
    expect(policy).toContain(`script-src ${hash(scripts[0])};`)
    expect(policy).toContain(`style-src ${hash(styles[0])};`)
  })

  it('never writes hits into the page markup: the page draws them as text from the live feed', async () => {
    const {server} = await devServer()
    const hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    await fetch(`${server.pixelUrl}?b=${encodeURIComponent('<b>bold</b>')}&u=${encodeURIComponent(hostile)}`, {headers: {'User-Agent': hostile}})
    const html = await (await fetch(`${server.url}/`)).text()
    expect(html).not.toContain('alert(')
    expect(html).not.toContain('<b>bold')
    const stats = (await (await fetch(`${server.url}/stats`)).json()) as {recent: {user_agent: string; badge: string}[]}
    expect(stats.recent[0]).toMatchObject({user_agent: hostile, badge: '<b>bold</b>'})
  })

  it('reports received and landed counts from the server at /stats', async () => {
    const {server} = await devServer()
    await fetch(`${server.pixelUrl}?b=docs`)
    const before = (await (await fetch(`${server.url}/stats`)).json()) as {received: number; landed: number}
    expect(before).toMatchObject({received: 1, landed: 0})
    await server.flush()
    const after = (await (await fetch(`${server.url}/stats`)).json()) as {received: number; landed: number; recent: {badge: string}[]}
    expect(after).toMatchObject({received: 1, landed: 1, recent: [{badge: 'docs'}]})
  })

  /** GET with the request target exactly as given (fetch would normalise it). */
  function rawGet(base: string, target: string): Promise<{status: number; type?: string}> {
    const {hostname, port} = new URL(base)
    return new Promise((resolve, reject) => {
      const req = request({host: hostname, port, path: target, method: 'GET'}, (response) => {
        response.resume()
        response.on('end', () => resolve({status: response.statusCode ?? 0, type: response.headers['content-type']}))
      })
      req.on('error', reject)
      req.end()
    })
  }

  describe.each([
    {target: '//[::1/p.gif', status: 404},
    {target: '//p.gif', status: 404},
    {target: '/x/..//[::1', status: 404},
    {target: 'http://[::1/p.gif', status: 400},
    {target: '*', status: 400},
  ])('given the request target $target', ({target, status}) => {
    it(`answers ${status}, not a server error`, async () => {
      const {server} = await devServer()
      expect((await rawGet(server.url, target)).status).toBe(status)
    })
  })

  it('serves the pixel to a request target in absolute form, as a proxy sends it', async () => {
    const {server} = await devServer()
    expect(await rawGet(server.url, `${server.url}/p.gif?b=docs`)).toEqual({status: 200, type: 'image/gif'})
  })
})
