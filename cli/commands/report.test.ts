import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {PACKAGE_ROOT} from '../../lake/package-root.js'
import {runPixel} from '../test-support/run-pixel.js'

const SAMPLE = join(PACKAGE_ROOT, 'fixtures/sample-lake')
const made: string[] = []
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pixel-report-'))
  made.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, {recursive: true, force: true})
})

describe('pixel report', () => {
  let saved: string
  let checked: string

  beforeAll(async () => {
    const dir = scratch()
    saved = join(dir, 'pixel-check.json')
    checked = join(dir, 'checked.html')
    const run = await runPixel(['check', '--lake', SAMPLE, '--day', '2026-02-10', '--json', '--html', checked])
    expect(run.code).toBe(1)
    writeFileSync(saved, run.stdout)
  })

  it.each([
    ['a file', () => ({arg: saved, input: undefined})],
    ['stdin (-), as piped from pixel check --json', () => ({arg: '-', input: readFileSync(saved, 'utf8')})],
  ])('draws a saved report read from %s byte for byte as pixel check --html drew it, and exits 0 whatever the verdict', async (_, from) => {
    const {arg, input} = from()
    const html = join(scratch(), 'drawn.html')
    const {code, stdout, stderr} = await runPixel(['report', arg, '--html', html], {input})
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout.trimEnd()).toBe(`wrote ${html}: failed, 9 errors, 5 warnings`)
    expect(readFileSync(html, 'utf8')).toBe(readFileSync(checked, 'utf8'))
  })

  it('exits 2 in one line naming stdin when what it reads there is not a report', async () => {
    const html = join(scratch(), 'drawn.html')
    const {code, stderr} = await runPixel(['report', '-', '--html', html], {input: '{"not":"a report"}'})
    expect(code).toBe(2)
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(/the report on stdin/)
    expect(readdirSync(join(html, '..'))).toEqual([])
  })

  it('prints what it wrote as JSON under --json', async () => {
    const html = join(scratch(), 'drawn.html')
    const {code, stdout} = await runPixel(['report', saved, '--html', html, '--json'])
    expect(code).toBe(0)
    const report = JSON.parse(readFileSync(saved, 'utf8')) as {ok: boolean; findings: {severity: string}[]}
    const errors = report.findings.filter((f) => f.severity === 'error').length
    expect(JSON.parse(stdout)).toEqual({report: saved, html, ok: false, errors, warnings: report.findings.length - errors})
  })

  it('draws a report saved by an older pixel, without limits, engine, warnings, bytes or lag', async () => {
    const old = JSON.parse(readFileSync(saved, 'utf8')) as Record<string, unknown> & {hours: Record<string, unknown>[]}
    for (const field of ['limits', 'engine', 'warnings']) delete old[field]
    for (const hour of old.hours) {
      delete hour.bytes
      delete hour.lag
    }
    const dir = scratch()
    writeFileSync(join(dir, 'old.json'), JSON.stringify(old))
    const {code, stderr} = await runPixel(['report', join(dir, 'old.json'), '--html', join(dir, 'old.html')])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const page = readFileSync(join(dir, 'old.html'), 'utf8')
    expect(page).toContain('<h1 id="verdict">Failed</h1>')
    expect(page).not.toMatch(/NaN|undefined/)
  })

  describe.each([
    ['a file that is not JSON', 'GET /p.gif HTTP/1.1\n', /^Error: \S+ is not a pixel check report: it is not JSON \(.*\); save one with pixel check --json > \S+$/],
    ['JSON that is no report', '{"records": 3}', /^Error: \S+ is not a pixel check report: the document must have required property 'ok'; save one with pixel check --json > \S+$/],
    ['a report with a finding of no known check', null, /^Error: \S+ is not a pixel check report: \/findings\/0\/check must be equal to one of the allowed values; /],
    ['the error a check that could not run saved', '{"error": {"message": "lake folder /gone does not exist", "exitCode": 2}}', /^Error: \S+ holds no report: the check it saved could not run \(lake folder \/gone does not exist\)$/],
  ])('given %s', (_, content, error) => {
    it('exits 2 with one line naming the file, and writes no page', async () => {
      const dir = scratch()
      const file = join(dir, 'input.json')
      if (content === null) {
        const report = JSON.parse(readFileSync(saved, 'utf8')) as {findings: {check: string}[]}
        report.findings[0].check = '<script>'
        writeFileSync(file, JSON.stringify(report))
      } else writeFileSync(file, content)
      const {code, stdout, stderr} = await runPixel(['report', file, '--html', join(dir, 'page.html')])
      expect(code).toBe(2)
      expect(stdout).toBe('')
      expect(stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(stderr.trimEnd()).toMatch(error)
      expect(stderr).toContain(file)
      expect(readdirSync(dir)).toEqual(['input.json'])
    })
  })

  it('exits 2 naming a report that does not exist', async () => {
    const dir = scratch()
    const {code, stderr} = await runPixel(['report', join(dir, 'missing.json'), '--html', join(dir, 'page.html')])
    expect(code).toBe(2)
    expect(stderr.trimEnd()).toBe(`Error: cannot read the report ${join(dir, 'missing.json')}: no such file`)
    expect(readdirSync(dir)).toEqual([])
  })

  it('refuses to write the page over the report it reads, which stays as it was', async () => {
    const dir = scratch()
    const file = join(dir, 'r.json')
    writeFileSync(file, readFileSync(saved))
    const {code, stderr} = await runPixel(['report', file, '--html', file])
    expect(code).toBe(2)
    expect(stderr.trimEnd()).toBe(`Error: --html ${file} is the report ${file} itself: write the page to another file`)
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(saved, 'utf8'))
    expect(readdirSync(dir)).toEqual(['r.json'])
  })

  it('exits 2 before reading when the page cannot be written', async () => {
    const {code, stderr} = await runPixel(['report', saved, '--html', '/no/such/dir/page.html'])
    expect(code).toBe(2)
    expect(stderr.trimEnd()).toBe('Error: cannot write --html /no/such/dir/page.html: ENOENT')
  })
})
