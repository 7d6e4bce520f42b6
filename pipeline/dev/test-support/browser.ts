import {mkdirSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {type Browser, type Page, chromium} from 'playwright-core'

/** Debian's chromium, never a downloaded one (.ci/run installs the package when missing). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
  })
}

/** Collects what a page reports as wrong: console errors, uncaught exceptions, CSP violations. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`)
    void dialog.dismiss()
  })
  return problems
}

/** Where a test's screenshots go, to be looked at: `$PIXEL_SCREENSHOTS` or a folder in the temp dir. */
export function screenshotDir(): string {
  const dir = process.env.PIXEL_SCREENSHOTS ?? join(tmpdir(), 'pixel-screenshots')
  mkdirSync(dir, {recursive: true})
  return dir
}

/**
 * Measures, in the page, what a person at this width would see wrong: a page wider than the
 * window, and words of the page's own text (not lake data, marked `.data` or `.lake`) split across lines.
 */
export async function layoutProblems(page: Page): Promise<{scrollWidth: number; clientWidth: number; splitWords: string[]}> {
  return page.evaluate(`(() => {
    const splitWords = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement
      if (!parent || parent.closest('.data, .lake, .sr-only, script, style, [hidden]')) continue
      const text = node.textContent
      const words = /[^\\s\\/-]+/g
      for (let m = words.exec(text); m; m = words.exec(text)) {
        const range = document.createRange()
        range.setStart(node, m.index)
        range.setEnd(node, m.index + m[0].length)
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)))
        if (tops.size > 1) splitWords.push(m[0])
      }
    }
    return {scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth, splitWords}
  })()`)
}

/** axe-core's serious and critical violations in the page as it is now (run in the page, past its CSP). */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'))
  return page.evaluate(`axe.run().then((result) => result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`)
}
