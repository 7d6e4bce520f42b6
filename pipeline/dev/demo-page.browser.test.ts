import {join} from 'node:path'

import type {Browser} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runPixel} from '../../cli/test-support/run-pixel.js'
import {DEMO_BADGE} from './demo-page.js'
import {launchChromium, layoutProblems, pageProblems, screenshotDir} from './test-support/browser.js'
import {devServer, lakeObjects, lakeRecords} from './test-support/dev-server-fixture.js'

let browser: Browser
beforeAll(async () => {
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
})

const HOSTILE_UA = `<img src=x onerror="window.__pwned=1">"'&amp;<script>window.__pwned=2</script>`
const HOSTILE_PAGE = `https://example.com/<svg onload=window.__pwned=3>?q="></a><b>`

it('turns the demo page viewed in Chromium into a lake record that pixel check passes, with the browser user agent and page', async () => {
  const {server, lake} = await devServer()
  const page = await browser.newPage()
  try {
    const pixelRequest = page.waitForRequest((request) => new URL(request.url()).pathname === '/p.gif')
    await page.goto(`${server.url}/`)
    const sent = await (await pixelRequest).allHeaders()
    await expect.poll(() => page.evaluate("document.getElementById('pixel').complete")).toBe(true)
    expect(await page.evaluate("document.getElementById('pixel').naturalWidth")).toBe(1)

    await server.flush()
    // The page hears of the flush from /events: the landed count it shows comes from the server.
    await expect.poll(() => page.textContent('#landed'), {timeout: 10_000}).toBe('1')

    const records = await lakeRecords(lake)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({badge: DEMO_BADGE, user_agent: sent['user-agent'], page_url: sent.referer})
    expect(sent.referer).toBe(`${server.url}/`)
    expect(sent['user-agent']).toMatch(/Chrome\//)

    const hour = String(records[0].ts).slice(0, 13)
    const check = await runPixel(['check', '--lake', lake.url, '--hour', hour, '--json'])
    expect(check.stderr).toBe('')
    expect(check.code).toBe(0)
    expect(JSON.parse(check.stdout)).toMatchObject({ok: true, summary: {records: 1, valid: 1}, findings: []})
  } finally {
    await page.close()
  }
})

describe('the live demo page', () => {
  it('draws hits as they arrive, shows them waiting in the buffer, then landing, and links a hit to the object it landed in', async () => {
    // A buffer interval longer than the test's waits: the flush happens when the test says.
    const {server, lake} = await devServer({bufferSeconds: 600})
    const page = await browser.newPage({viewport: {width: 1280, height: 900}})
    const problems = pageProblems(page)
    try {
      await page.goto(`${server.url}/`)
      await page.locator('#conn.live').waitFor()
      await page.evaluate(`Promise.all(Array.from({length: 12}, (_, i) => fetch('/p.gif?b=docs&c=launch&n=' + i, {cache: 'no-store'})))`)
      // 12 fetched hits and the page's own <img>.
      await expect.poll(() => page.textContent('#received')).toBe('13')
      await expect.poll(() => page.evaluate(`[...document.querySelectorAll('#chart rect.bar')].reduce((sum, r) => sum + Number(r.dataset.records), 0)`)).toBe(13)
      const waiting = page.locator('#pending tr')
      await expect.poll(() => waiting.count()).toBe(1)
      expect(await waiting.locator('td').nth(1).textContent()).toBe('13')
      expect(await page.locator('#recent li').first().textContent()).toContain('not yet: in the buffer')

      await server.flush()
      await page.locator('#landed-list li a').first().waitFor()
      expect(await page.textContent('#landed')).toBe('13')
      await page.locator('#pending-empty').waitFor()
      const [object] = await lakeObjects(lake)
      expect(await page.locator('#landed-list li').first().textContent()).toContain('13 records')

      // The newest hit links to its object; following it shows the object's records as text.
      const link = page.locator('#recent li').first().locator('a')
      await link.waitFor()
      const href = await link.getAttribute('href')
      expect(decodeURIComponent(href ?? '')).toBe(`/objects/${object.key}`)
      const response = await page.request.get(`${server.url}${href}`)
      expect(response.headers()['content-type']).toBe('text/plain; charset=utf-8')
      expect(response.headers()['x-content-type-options']).toBe('nosniff')
      expect(await response.text()).toBe(object.text)
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('sends traffic from the page while its toggle is pressed, by keyboard', async () => {
    const {server} = await devServer()
    const page = await browser.newPage({viewport: {width: 1280, height: 900}})
    const problems = pageProblems(page)
    try {
      await page.goto(`${server.url}/`)
      await page.locator('#conn.live').waitFor()
      await page.keyboard.press('Tab')
      expect(await page.evaluate('document.activeElement.id')).toBe('traffic')
      await page.keyboard.press('Space')
      expect(await page.getAttribute('#traffic', 'aria-pressed')).toBe('true')
      await expect.poll(() => page.textContent('#hits').then(Number), {timeout: 10_000}).toBeGreaterThanOrEqual(6)
      await page.keyboard.press('Space')
      expect(await page.getAttribute('#traffic', 'aria-pressed')).toBe('false')
      expect(await page.textContent('#traffic')).toBe('Send traffic (5 hits a second)')
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('shows a hostile user agent and page URL as text, running nothing', async () => {
    const {server} = await devServer()
    const page = await browser.newPage({viewport: {width: 1280, height: 900}})
    const problems = pageProblems(page)
    try {
      await page.goto(`${server.url}/`)
      await page.locator('#conn.live').waitFor()
      const answer = await fetch(`${server.pixelUrl}?b=${encodeURIComponent('<b>badge</b>')}&u=${encodeURIComponent(HOSTILE_PAGE)}`, {headers: {'user-agent': HOSTILE_UA}})
      expect(answer.status).toBe(200)
      const hit = page.locator('#recent li', {hasText: '<b>badge</b>'})
      await hit.waitFor()
      const text = await hit.textContent()
      expect(text).toContain(HOSTILE_UA)
      expect(text).toContain(HOSTILE_PAGE)
      expect(await page.evaluate(`document.querySelectorAll('#recent img, #recent svg, #recent script, #recent b').length`)).toBe(0)
      expect(await page.evaluate('window.__pwned')).toBeUndefined()
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('fits 390 px without horizontal scroll or words split mid-word, and leaves screenshots at 1280 and 390 px', async () => {
    const {server} = await devServer()
    const page = await browser.newPage({viewport: {width: 390, height: 844}})
    const problems = pageProblems(page)
    try {
      await page.goto(`${server.url}/`)
      await page.locator('#conn.live').waitFor()
      await fetch(`${server.pixelUrl}?b=docs&u=${encodeURIComponent(`https://example.com/${'a-very-long-path-segment/'.repeat(8)}`)}`, {headers: {'user-agent': HOSTILE_UA}})
      await server.flush()
      await page.locator('#landed-list li a').first().waitFor()
      await page.locator('#recent li a').first().waitFor()
      const layout = await layoutProblems(page)
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth)
      expect(layout.splitWords).toEqual([])
      await page.screenshot({path: join(screenshotDir(), 'demo-live-390.png'), fullPage: true})
      await page.setViewportSize({width: 1280, height: 900})
      await page.screenshot({path: join(screenshotDir(), 'demo-live-1280.png'), fullPage: true})
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })
})
