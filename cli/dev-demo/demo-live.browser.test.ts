import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {PutRecordBatchCommand} from '@aws-sdk/client-firehose'
import type {Browser, Page} from 'playwright-core'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {compileValidator, loadSchema} from '../../checks/schema/record-validator.js'
import {tempLake} from '../../fixtures/test-support/temp-lake.js'
import {pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom} from '../../fixtures/random.js'
import {LEDGER_SUFFIX} from '../../replay/replay-sources.js'
import {launchChromium, layoutProblems, pageProblems, screenshotDir, seriousAxeViolations} from '../../pipeline/dev/test-support/browser.js'
import {devServer, firehoseClient, lakeObjects} from '../../pipeline/dev/test-support/dev-server-fixture.js'
import {objectText} from '../../pipeline/dev/object-text.js'
import type {Lake} from '../../lake/store/lake.js'
import {deadLetterRepair} from './dead-letter-repair.js'
import {liveAudit} from './live-audit.js'

let browser: Browser
const stateDirs: string[] = []
beforeAll(async () => {
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
})
afterEach(() => {
  for (const dir of stateDirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

/** pixel dev as `pixel dev` runs it: pixel check after each flush, the faults, the repair; flushing a second after a partition's first record. */
async function demo(options: {random?: () => number} = {}) {
  const lake = tempLake()
  const stateDir = mkdtempSync(join(tmpdir(), 'pixel-dev-state-'))
  stateDirs.push(stateDir)
  const validator = compileValidator(await loadSchema())
  const {server} = await devServer({...options, lake, stateDir, bufferSeconds: 1, auditDebounceMs: 50, audit: liveAudit({lake, validator}), repair: deadLetterRepair({lake, validator})})
  return {server, lake, stateDir}
}

/** Tabs through the page until `id` has the focus, as a keyboard user would. */
async function tabTo(page: Page, id: string): Promise<void> {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab')
    if ((await page.evaluate('document.activeElement && document.activeElement.id')) === id) return
  }
  throw new Error(`#${id} is not reachable with Tab`)
}

/** The records of one hour's objects (what decodes of a damaged one). */
async function hourRecords(lake: Lake, hour: string): Promise<Record<string, unknown>[]> {
  const [day, hh] = hour.split('T')
  const [year, month, dd] = day.split('-')
  const records: Record<string, unknown>[] = []
  for await (const {key} of lake.listObjects(`year=${year}/month=${month}/day=${dd}/hour=${hh}/`)) {
    for (const line of (await objectText(await lake.read(key))).split('\n')) if (line.startsWith('{')) records.push(JSON.parse(line) as Record<string, unknown>)
  }
  return records
}

const findingIn = (page: Page, check: string) => page.locator(`#check-hours [data-check="${check}"]`)

describe('the demo page with pixel check running', () => {
  it('shows the check catching a batch delivered twice, a corrupt object and a lost flush, and the repair healing the hour, by keyboard, with no serious accessibility violation', async () => {
    const {server, lake, stateDir} = await demo()
    const page = await browser.newPage({viewport: {width: 1280, height: 900}})
    const problems = pageProblems(page)
    try {
      await page.goto(`${server.url}/`)
      await page.locator('#conn.live').waitFor()
      // The page's own hit lands, and the check judges its hour.
      await page.locator('#check-hours [data-verdict="ok"]').first().waitFor()

      await tabTo(page, 'fault-duplicate')
      expect(await page.evaluate(`getComputedStyle(document.activeElement).outlineStyle`)).toBe('solid')
      await page.keyboard.press('Enter')
      await findingIn(page, 'duplicate-object').waitFor()
      await findingIn(page, 'duplicate-record').waitFor()
      await expect.poll(() => page.locator('#landed-list .tag', {hasText: 'second copy'}).count()).toBe(2)
      await expect.poll(() => page.textContent('#verdict-live')).toMatch(/failed \(.*duplicate-object/)
      const copies = (await lakeObjects(lake)).filter((o) => o.text.includes('"campaign":"duplicate"'))
      expect(copies).toHaveLength(2)
      expect(copies[0].text).toBe(copies[1].text)
      expect(copies[0].key).not.toBe(copies[1].key)

      await tabTo(page, 'fault-corrupt')
      await page.keyboard.press('Enter')
      await findingIn(page, 'corrupt-object').waitFor()
      const corrupt = page.locator('#landed-list li', {has: page.locator('.tag', {hasText: 'corrupt'})}).locator('a')
      const damaged = await page.request.get(`${server.url}${await corrupt.getAttribute('href')}`)
      expect(damaged.status()).toBe(200)
      expect(await damaged.text()).toMatch(/# pixel dev: the object is damaged/)

      await tabTo(page, 'fault-lose-flush')
      await page.keyboard.press('Enter')
      await findingIn(page, 'gap').waitFor()
      const gapHour = await page.locator('#check-hours > li', {has: page.locator('[data-check="gap"]')}).getAttribute('data-hour')
      expect(gapHour).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}$/)
      expect(await page.textContent('#dead-letters')).toContain('20 records')
      const deadLetter = join(stateDir, 'dead-letter', `${gapHour}.ndjson`)
      expect(readFileSync(deadLetter, 'utf8').trim().split('\n')).toHaveLength(20)
      expect(await hourRecords(lake, gapHour!)).toHaveLength(0)

      await tabTo(page, 'repair')
      await page.keyboard.press('Enter')
      await expect.poll(() => page.textContent('#repair-last')).toContain('20 sent')
      // The hour heals once the replayed records are flushed and checked again.
      await findingIn(page, 'gap').waitFor({state: 'detached'})
      const healed = page.locator(`#check-hours > li[data-hour="${gapHour}"]`)
      expect(await healed.locator('.hour [data-verdict]').getAttribute('data-verdict')).not.toBe('failed')
      expect(await healed.textContent()).toContain('20 records')
      await expect.poll(() => page.textContent('#verdict-live')).toContain(`${gapHour!.slice(0, 10)} ${gapHour!.slice(11)}:00 ${await healed.locator('.hour [data-verdict]').getAttribute('data-verdict')}`)
      const replayed = await hourRecords(lake, gapHour!)
      expect(replayed).toHaveLength(20)
      expect(new Set(replayed.map((r) => r.source))).toEqual(new Set(['replay']))

      // Exactly once: a second repair sends nothing, by the ledger beside the dead letter.
      await page.locator('#repair').click()
      await expect.poll(() => page.textContent('#repair-last')).toContain('0 sent, 20 skipped')
      expect(readFileSync(`${deadLetter}${LEDGER_SUFFIX}`, 'utf8').trim().split('\n')).toHaveLength(21)
      await server.flush()
      expect(await hourRecords(lake, gapHour!)).toHaveLength(20)

      expect(await seriousAxeViolations(page)).toEqual([])
      await page.screenshot({path: join(screenshotDir(), 'demo-faults-1280.png'), fullPage: true})
      await page.setViewportSize({width: 390, height: 844})
      const layout = await layoutProblems(page)
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth)
      expect(layout.splitWords).toEqual([])
      await page.screenshot({path: join(screenshotDir(), 'demo-faults-390.png'), fullPage: true})
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('shows Firehose throttling and failing records for a minute in the chart and the counts, hits the pixel lost included', async () => {
    // Every draw under the rates loses: each call is throttled while the fault lasts, and only then.
    const {server} = await demo({random: () => 0})
    const page = await browser.newPage({viewport: {width: 1280, height: 900}})
    const problems = pageProblems(page)
    try {
      await page.goto(`${server.url}/`)
      await page.locator('#conn.live').waitFor()
      await page.locator('#fault-throttle').click()
      await expect.poll(() => page.textContent('#throttle-state')).toMatch(/Throttling: \d+ s left/)
      expect(await page.locator('#fault-throttle').isDisabled()).toBe(true)

      const client = firehoseClient(server.url)
      const rand = seededRandom(3)
      let refused = 0
      for (let call = 0; call < 4; call++) {
        const records = Array.from({length: 50}, () => ({Data: Buffer.from(`${JSON.stringify(pixelEvent(rand, new Date()))}\n`)}))
        const output = await client.send(new PutRecordBatchCommand({DeliveryStreamName: server.stream, Records: records})).catch(() => ({FailedPutCount: records.length}))
        refused += output.FailedPutCount ?? 0
      }
      expect(refused).toBe(200)
      // The pixel still answers every hit with the GIF; the records are lost (the handler logs firehose_put_failed).
      for (let hit = 0; hit < 3; hit++) expect((await fetch(`${server.pixelUrl}?b=docs`)).status).toBe(200)
      await expect.poll(() => page.textContent('#hitsLost')).toBe('3')
      expect(server.stats()).toMatchObject({hitsLost: 3})
      // Each hit's put was refused at least once (the handler's SDK retries once).
      expect(server.stats().refused).toBeGreaterThanOrEqual(refused + 3)
      await expect.poll(() => page.textContent('#refused')).toBe(String(server.stats().refused))
      await expect.poll(() => page.locator('#chart rect.refused').count()).toBeGreaterThan(0)
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })
})
