import {chromium, type Browser} from 'playwright-core'
import {afterAll, beforeAll, expect, it} from 'vitest'

import {runPixel} from '../../cli/test-support/run-pixel.js'
import {DEMO_BADGE} from './demo-page.js'
import {devServer, lakeRecords} from './test-support/dev-server-fixture.js'

let browser: Browser
beforeAll(async () => {
  // Debian's chromium, never a downloaded one (.ci/run installs the package when missing).
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
  })
})
afterAll(async () => {
  await browser?.close()
})

it('turns the demo page viewed in Chromium into a lake record that pixel check passes, with the browser user agent and page', async () => {
  const {server, lake} = await devServer()
  const page = await browser.newPage()
  try {
    const pixelRequest = page.waitForRequest((request) => new URL(request.url()).pathname === '/p.gif')
    await page.goto(`${server.url}/`)
    const sent = await (await pixelRequest).allHeaders()
    // Strings run in the page: this project's TypeScript has no DOM types.
    await page.waitForFunction("document.getElementById('pixel')?.complete === true")
    expect(await page.evaluate("document.getElementById('pixel').naturalWidth")).toBe(1)

    await server.flush()
    // The page polls /stats: the landed count it shows comes from the server.
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
