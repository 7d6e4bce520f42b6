import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {chromium, type Browser, type Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runPixel} from '../../cli/test-support/run-pixel.js'
import {generateWeeks} from '../../fixtures/generate-weeks.js'
import {lakeFactory} from '../../fixtures/test-support/temp-lake.js'
import {PACKAGE_ROOT} from '../../lake/package-root.js'
import {LocalLake} from '../../lake/store/local-lake.js'
import type {CheckReport} from './report.js'

// Screenshots land in the repository's ignored tmp/ folder, for a person to look at.
const SHOTS = join(PACKAGE_ROOT, 'tmp/html-report')
const SAMPLE = join(PACKAGE_ROOT, 'fixtures/sample-lake')
const AXE = readFileSync(join(PACKAGE_ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8')

// A key that closes the script element, and markup in a user agent and a field name: each would
// run if it became markup (the CSP would stop it too: this asserts the escaping itself).
const HOSTILE_SEGMENTS = ['<', 'script><script>window.__pwned=1<', 'script>']
const HOSTILE_KEY_TAIL = HOSTILE_SEGMENTS.join('/')
const HOSTILE_UA = '<img src=x onerror="window.__pwned=2">'
const HOSTILE_FIELD = '<img src=y onerror=window.__pwned=3>'

let browser: Browser
const made: string[] = []
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pixel-html-'))
  made.push(dir)
  return dir
}

beforeAll(async () => {
  mkdirSync(SHOTS, {recursive: true})
  // Debian's chromium, never a downloaded one (.ci/run installs the package when missing).
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
  })
})
afterAll(async () => {
  await browser?.close()
  for (const dir of made.splice(0)) rmSync(dir, {recursive: true, force: true})
})

interface Opened {
  page: Page
  file?: string
  report: CheckReport
  /** Every request the page made, the file itself included. */
  requests: string[]
  /** Console errors and warnings (a CSP violation is one) and uncaught page errors. */
  problems: string[]
  close: () => Promise<void>
}

/** Runs `pixel check … --html` and `--json` on a lake, and opens the page offline in Chromium. */
async function checkAndOpen(args: string[], options: {width?: number; bypassCSP?: boolean} = {}): Promise<Opened> {
  const dir = scratch()
  const html = join(dir, 'report.html')
  const run = await runPixel(['check', ...args, '--html', html, '--json'])
  expect(run.stderr).toBe('')
  const report = JSON.parse(run.stdout) as CheckReport
  expect(run.code).toBe(report.ok ? 0 : 1)
  return {...(await open(html, report, options)), file: html}
}

async function open(file: string, report: CheckReport, options: {width?: number; bypassCSP?: boolean} = {}): Promise<Opened> {
  const context = await browser.newContext({viewport: {width: options.width ?? 1280, height: 900}, offline: true, bypassCSP: options.bypassCSP ?? false})
  const page = await context.newPage()
  const requests: string[] = []
  const problems: string[] = []
  page.on('request', (request) => requests.push(request.url()))
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  // Whatever the page asks for beyond its own file is refused (and recorded above).
  const url = pathToFileURL(file).href
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()))
  await page.goto(url)
  await page.waitForFunction("document.documentElement.getAttribute('data-ready') === 'true'")
  return {page, report, requests, problems, close: () => context.close()}
}

async function axeViolations(page: Page): Promise<{id: string; impact: string; nodes: number}[]> {
  await page.addScriptTag({content: AXE})
  const result = (await page.evaluate('axe.run(document, {resultTypes: ["violations"]})')) as {violations: {id: string; impact: string; nodes: unknown[]}[]}
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))
}

async function screenshots(name: string, args: string[]): Promise<void> {
  for (const width of [1280, 390]) {
    const opened = await checkAndOpen(args, {width})
    try {
      // No horizontal page scroll: tables scroll inside their own box.
      expect(await opened.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width)
      await opened.page.screenshot({path: join(SHOTS, `${name}-${width}.png`), fullPage: true})
      copyFileSync(opened.file!, join(SHOTS, `${name}.html`))
      expect(opened.problems).toEqual([])
    } finally {
      await opened.close()
    }
  }
}

const number = (n: number) => n.toLocaleString('en-US')

describe('the HTML report of the sample lake (every defect planted)', () => {
  const args = ['--lake', SAMPLE, '--day', '2026-02-10']

  it('opens offline with no script error, no request beyond its own file, every finding named and the hours drawn', async () => {
    const {page, report, requests, problems, close} = await checkAndOpen(args)
    try {
      expect(problems).toEqual([])
      expect(requests).toHaveLength(1)
      expect(requests[0]).toMatch(/^file:\/\/.*\/report\.html$/)
      const checks = [...new Set(report.findings.map((f) => f.check))]
      expect(checks.length).toBeGreaterThanOrEqual(10)
      for (const check of checks) {
        const group = page.locator(`#check-${check}`)
        await expect.poll(() => group.isVisible()).toBe(true)
        const shown = await group.locator('.finding').count()
        expect(shown).toBe(report.findings.filter((f) => f.check === check).length)
      }
      expect(await page.locator('.chart.wide .bin').count()).toBe(report.hours.length)
      expect(await page.locator('.chart.wide .bar').count()).toBe(report.hours.filter((h) => h.records - h.canary > 0).length)
      // Every exact key of a finding is on the page, whole, with its copy button.
      for (const f of report.findings.filter((x) => x.key !== null)) {
        expect(await page.locator('.copyable', {has: page.locator('code', {hasText: f.key!})}).count()).toBeGreaterThan(0)
      }
    } finally {
      await close()
    }
  })

  it('shows an hour\u2019s objects, bytes, valid, invalid and duplicates on hover, and by keyboard', async () => {
    const {page, report, close} = await checkAndOpen(args)
    try {
      const tooltip = page.locator('.chart-box .tooltip').first()
      expect(await tooltip.isVisible()).toBe(false)
      const busiest = report.hours.reduce((best, h, i) => (h.duplicateRecords > report.hours[best].duplicateRecords ? i : best), 0)
      await page.hover(`.chart.wide .bin[data-i="${busiest}"]`)
      await expect.poll(() => tooltip.isVisible()).toBe(true)
      const hour = report.hours[busiest]
      const shown = await tooltip.innerText()
      expect(shown).toContain(`${hour.hour.slice(11)}:00`)
      for (const [label, value] of [['objects', hour.objects], ['valid', hour.valid], ['invalid', hour.invalid], ['duplicates', hour.duplicateRecords]] as const) {
        expect(shown).toMatch(new RegExp(`${label}\\s+${number(value)}\\b`))
      }
      expect(shown).toMatch(/bytes\s+[\d.]+ kB/)
      await page.mouse.move(0, 0)
      await expect.poll(() => tooltip.isVisible()).toBe(false)

      // Tab into the chart, then the arrow keys: the focused hour is the one described.
      await page.focus('.chart.wide .bin[tabindex="0"]')
      for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight')
      expect(await page.evaluate('document.activeElement.getAttribute("data-i")')).toBe('5')
      await expect.poll(() => tooltip.innerText()).toContain(`${report.hours[5].hour.slice(11)}:00`)
      expect(await tooltip.innerText()).toMatch(new RegExp(`objects\\s+${number(report.hours[5].objects)}\\b`))
      await page.keyboard.press('Escape')
      await expect.poll(() => tooltip.isVisible()).toBe(false)
      // Only one column is in the tab order: the last one focused.
      expect(await page.locator('.chart.wide .bin[tabindex="0"]').getAttribute('data-i')).toBe('5')
    } finally {
      await close()
    }
  })

  it.each([1280, 390])('has no serious or critical accessibility violation at %d px (axe-core)', async (width) => {
    // axe is injected as an inline script, which the page's CSP rightly refuses: this context only bypasses it.
    const {page, close} = await checkAndOpen(args, {width, bypassCSP: true})
    try {
      expect(await axeViolations(page)).toEqual([])
    } finally {
      await close()
    }
  })

  it('draws at 1280 and 390 px wide without a horizontal page scroll (screenshots in tmp/html-report)', async () => {
    await screenshots('sample-lake', args)
  })
})

describe('the HTML report of a lake holding hostile keys, user agents and field names', () => {
  let lake: LocalLake
  const today = new Date().toISOString().slice(0, 10)
  const hour = `${today}T00`

  beforeAll(async () => {
    // Not a tempLake: those are removed after each test, and every test here reads this one.
    lake = new LocalLake(join(scratch(), 'lake'))
    const f = lakeFactory(7)
    const events = f.events(hour, 6, {user_agent: HOSTILE_UA})
    await lake.write(f.key(hour, 30), f.gzip([...events, ...f.events(hour, 2, {params: {[HOSTILE_FIELD]: 'x'}})]))
    // Cut short inside the user agent: unparseable, and its sample quotes the start of the line.
    const cut = `{"event_id": "e-1", "user_agent": "${HOSTILE_UA}`
    await lake.write(f.key(hour, 40).replace(/\.gz$/, ''), Buffer.from(`${JSON.stringify({...events[0], event_id: 'e-2', [HOSTILE_FIELD]: 1})}\n${cut}\n`))
    await lake.write(`year=${today.slice(0, 4)}/month=${today.slice(5, 7)}/day=${today.slice(8, 10)}/hour=00/${HOSTILE_KEY_TAIL}`, Buffer.from('{}\n'))
  })

  it('keeps them text: nothing runs, no element is made of them, and the literal text is on the page', async () => {
    const {page, report, requests, problems, close} = await checkAndOpen(['--lake', lake.url, '--day', 'today'])
    try {
      expect(problems).toEqual([])
      expect(requests).toHaveLength(1)
      expect(await page.evaluate('window.__pwned')).toBeUndefined()
      expect(await page.locator('img').count()).toBe(0)
      expect(await page.locator('script').count()).toBe(3)
      const text = await page.locator('main').innerText()
      expect(text).toContain(HOSTILE_KEY_TAIL)
      expect(text).toContain(HOSTILE_UA.slice(0, 19))
      expect(text).toContain(HOSTILE_FIELD)
      // The report knew them too: the page shows what the JSON holds.
      expect(report.findings.some((f) => f.key?.endsWith(HOSTILE_KEY_TAIL))).toBe(true)
      // The embedded report parses back to what --json printed.
      expect(JSON.parse(await page.locator('#pixel-report').textContent() ?? '')).toEqual(report)
    } finally {
      await close()
    }
  })

  it('hatches the hours of today that have not ended, and only those', async () => {
    const {page, report, close} = await checkAndOpen(['--lake', lake.url, '--day', 'today'])
    try {
      const open = report.hours.filter((h) => !h.ended).length
      expect(open).toBeGreaterThan(0)
      expect(await page.locator('.chart.wide .not-ended rect').count()).toBe(open)
      expect(await page.locator('tr.open').count()).toBe(open)
    } finally {
      await close()
    }
  })

  it('draws at 1280 and 390 px wide (screenshots in tmp/html-report)', async () => {
    await screenshots('hostile-lake', ['--lake', lake.url, '--day', 'today'])
  })
})

describe('the HTML report of a day judged against its history', () => {
  // Four healthy weeks from a Monday, then the Monday judged, with a canary throughout.
  const FIRST = '2026-01-12'
  const JUDGED = '2026-02-09'
  let args: string[]

  beforeAll(async () => {
    const dir = scratch()
    const lake = new LocalLake(join(dir, 'lake'))
    await generateWeeks({
      lake, from: FIRST, days: 29,
      faults: [{kind: 'nothing', hour: `${JUDGED}T03`}, {kind: 'drop', hour: `${JUDGED}T14`, factor: 0.25}, {kind: 'spike', hour: `${JUDGED}T10`, factor: 5}, {kind: 'no-canary', hour: `${JUDGED}T20`}],
    })
    // A new field on the judged day, named with markup: schema drift.
    const f = lakeFactory(3)
    await lake.write(f.key(`${JUDGED}T09`, 35), f.gzip(f.events(`${JUDGED}T09`, 30, {params: {[HOSTILE_FIELD]: 'x'}})))
    const history = join(dir, 'history')
    const built = await runPixel(['check', '--lake', lake.url, '--from', FIRST, '--to', '2026-02-08', '--history', history, '--json'])
    expect(built.code).toBe(0)
    args = ['--lake', lake.url, '--day', JUDGED, '--history', history]
  }, 120_000)

  it('draws the baseline band and the canary, and schema drift as a table of text', async () => {
    const {page, report, problems, close} = await checkAndOpen(args)
    try {
      expect(problems).toEqual([])
      expect(report.hours.every((h) => h.baseline !== null)).toBe(true)
      expect(await page.locator('.chart.wide .band rect').count()).toBe(report.hours.length)
      expect(await page.locator('.chart.wide .canary polyline').count()).toBe(1)
      const drift = report.findings.filter((f) => f.check === 'schema-drift')
      expect(drift.map((f) => f.drift)).toContainEqual({pointer: `/params/${HOSTILE_FIELD}`, change: 'new'})
      expect(await page.locator('#check-schema-drift tbody tr').count()).toBe(drift.length)
      expect(await page.locator('#check-schema-drift td code', {hasText: HOSTILE_FIELD}).count()).toBe(1)
      for (const check of ['gap', 'canary-missing', 'volume']) expect(await page.locator(`#check-${check}`).isVisible()).toBe(true)
      expect(await page.evaluate('window.__pwned')).toBeUndefined()
    } finally {
      await close()
    }
  })

  it('has no serious or critical accessibility violation (axe-core)', async () => {
    const {page, close} = await checkAndOpen(args, {bypassCSP: true})
    try {
      expect(await axeViolations(page)).toEqual([])
    } finally {
      await close()
    }
  })

  it('draws at 1280 and 390 px wide (screenshots in tmp/html-report)', async () => {
    await screenshots('history', args)
  })
})
