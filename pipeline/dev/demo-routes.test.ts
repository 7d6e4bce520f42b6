import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {request} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gunzipSync} from 'node:zlib'

import {afterEach, describe, expect, it} from 'vitest'

import {DEMO_ACTION_HEADER} from './demo-page.js'
import {devServer, lakeObjects} from './test-support/dev-server-fixture.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pixel-dev-state-'))
  dirs.push(dir)
  return dir
}

/** A raw request, so that a test can send the Host and Origin a browser would not let it. */
function send(url: string, options: {method?: string; headers?: Record<string, string>}): Promise<{status: number; headers: Record<string, unknown>; body: string}> {
  return new Promise((resolve, reject) => {
    const req = request(url, {method: options.method ?? 'GET', headers: options.headers}, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => (body += chunk))
      response.on('end', () => resolve({status: response.statusCode ?? 0, headers: response.headers, body}))
    })
    req.on('error', reject)
    req.end()
  })
}

const ACT = {[DEMO_ACTION_HEADER]: '1'}

describe('the demo routes of pixel dev', () => {
  it('plants a fault on POST from the page, and refuses other methods, requests without the header, other hosts and other origins', async () => {
    const {server} = await devServer({stateDir: stateDir()})
    const url = `${server.url}/faults/duplicate`
    const port = new URL(server.url).port
    expect((await send(url, {})).status).toBe(405)
    expect((await send(url, {})).headers.allow).toBe('POST')
    expect((await send(url, {method: 'POST'})).status).toBe(403)
    expect((await send(url, {method: 'POST', headers: {...ACT, Host: `pixel.attacker.example:${port}`}})).status).toBe(403)
    expect((await send(url, {method: 'POST', headers: {...ACT, Origin: 'http://attacker.example'}})).status).toBe(403)
    expect((await send(`${server.url}/faults/flood`, {method: 'POST', headers: ACT})).status).toBe(404)
    const planted = await send(url, {method: 'POST', headers: {...ACT, Origin: server.url}})
    expect(planted.status).toBe(202)
    expect(JSON.parse(planted.body)).toMatchObject({fault: 'duplicate', hour: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}$/)})
  })

  it('has no faults and no repair without a state folder', async () => {
    const {server} = await devServer()
    expect((await send(`${server.url}/faults/duplicate`, {method: 'POST', headers: ACT})).status).toBe(404)
    expect((await send(`${server.url}/repair`, {method: 'POST', headers: ACT})).status).toBe(404)
  })

  it('serves only objects it wrote, decoded, as text that is never sniffed', async () => {
    const {server, lake} = await devServer()
    await fetch(`${server.pixelUrl}?b=${encodeURIComponent('<script>alert(1)</script>')}`)
    await server.flush()
    const [object] = await lakeObjects(lake)
    const shown = await send(`${server.url}/objects/${object.key.split('/').map(encodeURIComponent).join('/')}`, {})
    expect(shown).toMatchObject({status: 200, body: object.text})
    expect(shown.headers).toMatchObject({'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff'})
    expect(shown.headers['content-security-policy']).toMatch(/default-src 'none'; sandbox/)
    for (const path of ['/objects/..%2F..%2F..%2Fetc%2Fpasswd', '/objects/../../etc/passwd', `/objects/${object.key.replace('.gz', '')}`, '/objects/']) {
      expect((await send(`${server.url}${path}`, {})).status).toBe(404)
    }
    expect((await send(`${server.url}/objects/%E0%A4%A`, {})).status).toBe(400)
    expect((await send(`${server.url}/objects/${object.key}`, {headers: {Host: 'rebound.example'}})).status).toBe(403)
  })

  it('refuses the live feed to another host name, and answers a HEAD of it without holding it open', async () => {
    const {server} = await devServer()
    expect((await send(`${server.url}/events`, {headers: {Host: 'rebound.example'}})).status).toBe(403)
    const head = await send(`${server.url}/events`, {method: 'HEAD'})
    expect(head).toMatchObject({status: 200, body: ''})
    expect(head.headers['content-type']).toBe('text/event-stream; charset=utf-8')
  })

  it('keeps the flush a fault loses in the dead-letter file of its hour, records byte for byte, and counts them lost', async () => {
    const state = stateDir()
    const {server, lake} = await devServer({stateDir: state})
    const planted = JSON.parse((await send(`${server.url}/faults/lose-flush`, {method: 'POST', headers: ACT})).body) as {hour: string}
    await server.flush()
    expect(await lakeObjects(lake)).toEqual([])
    const lines = readFileSync(join(state, 'dead-letter', `${planted.hour}.ndjson`), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as {ts: string})
    expect(lines).toHaveLength(20)
    expect(lines.every((r) => r.ts.startsWith(planted.hour))).toBe(true)
    expect(server.stats()).toMatchObject({received: 20, landed: 0, lost: 20})
    const stats = (await (await fetch(`${server.url}/stats`)).json()) as Record<string, unknown>
    expect(stats).toMatchObject({received: 20, landed: 0, lost: 20})
  })

  it('gives two faults planted on one hour a flush each', async () => {
    const {server, lake} = await devServer({stateDir: stateDir()})
    await send(`${server.url}/faults/duplicate`, {method: 'POST', headers: ACT})
    await send(`${server.url}/faults/corrupt`, {method: 'POST', headers: ACT})
    await server.flush()
    const keys: string[] = []
    for await (const {key} of lake.listObjects('')) keys.push(key)
    expect(keys).toHaveLength(3)
    const bodies = await Promise.all(keys.map((key) => lake.read(key)))
    // Two identical copies of the first batch under two names, and the second batch cut short.
    const copies = bodies.filter((body) => bodies.filter((other) => other.equals(body)).length === 2)
    const cut = bodies.filter((body) => !copies.includes(body))
    expect(copies).toHaveLength(2)
    expect(cut).toHaveLength(1)
    expect(() => gunzipSync(cut[0])).toThrow(/unexpected end of file/)
  })
})
