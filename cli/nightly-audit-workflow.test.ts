import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {PACKAGE_ROOT} from '../lake/package-root.js'

/*
 * No YAML parser is among the dependencies, and the workflow is plain block YAML: this reads the
 * shape it needs (steps, their keys, block scalars) from the indentation, and fails loudly when
 * the file stops looking like that.
 */
const WORKFLOW = readFileSync(join(PACKAGE_ROOT, '.github/workflows/nightly-audit.yml'), 'utf8')
const LINES = WORKFLOW.split('\n')
const indent = (line: string) => line.length - line.trimStart().length
const meaningful = (line: string) => line.trim() !== '' && !line.trimStart().startsWith('#')

interface Step {
  /** The step's own keys: scalar values as written (comments cut), block scalars joined. */
  keys: Record<string, string>
  /** Its text, every line of it. */
  text: string
}

/** Every block scalar (`key: |`) and one-line value of `key`, anywhere in the file. */
function valuesOf(key: string): string[] {
  const out: string[] = []
  LINES.forEach((line, i) => {
    const match = new RegExp(`^(\\s*)(?:- )?${key}:\\s*(.*)$`).exec(line)
    if (!match) return
    if (!/^[|>][-+]?$/.test(match[2])) return out.push(match[2])
    const body: string[] = []
    for (let j = i + 1; j < LINES.length && (LINES[j].trim() === '' || indent(LINES[j]) > match[1].length); j++) body.push(LINES[j])
    out.push(body.join('\n'))
  })
  return out
}

function steps(): Step[] {
  const start = LINES.findIndex((l) => /^\s+steps:\s*$/.test(l))
  expect(start).toBeGreaterThan(0)
  const itemIndent = indent(LINES.slice(start + 1).find(meaningful)!)
  const items: string[][] = []
  for (const line of LINES.slice(start + 1)) {
    if (meaningful(line) && indent(line) < itemIndent) break
    if (indent(line) === itemIndent && line.trimStart().startsWith('- ')) items.push([])
    items.at(-1)?.push(line)
  }
  return items.map((item) => {
    const keys: Record<string, string> = {}
    const own = itemIndent + 2
    item.forEach((line, i) => {
      const text = i === 0 ? ' '.repeat(own) + line.trimStart().slice(2) : line
      const match = /^(\s*)([\w-]+):\s*(.*)$/.exec(text)
      if (!match || match[1].length !== own) return
      if (/^[|>][-+]?$/.test(match[3])) {
        const body: string[] = []
        for (let j = i + 1; j < item.length && (item[j].trim() === '' || indent(item[j]) > own); j++) body.push(item[j])
        keys[match[2]] = body.join('\n')
      } else keys[match[2]] = match[3].replace(/\s+#.*$/, '')
    })
    return {keys, text: item.join('\n')}
  })
}

const STEPS = steps()
const step = (find: (s: Step) => boolean) => {
  const found = STEPS.find(find)
  expect(found).toBeDefined()
  return found!
}

describe('the nightly audit workflow', () => {
  it('pins every action to a full commit SHA, with the release it is in a comment', () => {
    const uses = LINES.filter((l) => /^\s*(- )?uses:/.test(l))
    expect(uses.length).toBeGreaterThanOrEqual(5)
    for (const line of uses) expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/)
  })

  it('pastes no expression into a run script: inputs, outputs and secrets arrive through env', () => {
    const scripts = valuesOf('run')
    expect(scripts.length).toBeGreaterThanOrEqual(5)
    for (const script of scripts) {
      expect(script).not.toContain('${{')
      expect(script).not.toMatch(/\binputs\.|github\.event\.inputs/)
    }
  })

  it('passes a secret only as an env value, nowhere else', () => {
    const uses = LINES.flatMap((line, i) => (line.includes('secrets.') ? [i] : []))
    expect(uses.length).toBeGreaterThan(0)
    for (const i of uses) {
      expect(LINES[i]).toMatch(/^\s+[A-Z_]+: \$\{\{ secrets\.[A-Z_]+ \}\}$/)
      const parent = LINES.slice(0, i).reverse().find((l) => meaningful(l) && indent(l) < indent(LINES[i]))
      expect(parent?.trim()).toBe('env:')
    }
    expect(step((s) => s.keys.id === 'check').text).toContain('PIXEL_NOTIFY: ${{ secrets.PIXEL_NOTIFY }}')
  })

  it('runs on a Node release that package.json\'s engines allow', () => {
    const engines = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).engines.node as string
    const majors = [...engines.matchAll(/\^(\d+)\./g)].map((m) => m[1])
    const versions = valuesOf('node-version')
    expect(versions).toHaveLength(1)
    expect(majors).toContain(versions[0].replace(/['"]/g, ''))
  })

  it('grants nothing to the workflow and only checkout and OIDC to the job', () => {
    expect(LINES).toContain('permissions: {}')
    const job = LINES.findIndex((l) => /^ {4}permissions:$/.test(l))
    const granted = LINES.slice(job + 1).filter((l) => indent(l) === 6 && meaningful(l)).slice(0, 2).map((l) => l.replace(/\s+#.*$/, '').trim())
    expect(granted).toEqual(['contents: read', 'id-token: write'])
    const settings = LINES.filter(meaningful).map((l) => l.replace(/\s+#.*$/, '')).join('\n')
    expect(settings).not.toMatch(/write-all|checks: write|contents: write/)
  })

  it('keeps the history on S3, writes the HTML report and JUnit, and links the run in notifications', () => {
    const check = step((s) => s.keys.id === 'check')
    expect(check.text).toContain('PIXEL_HISTORY: ${{ vars.PIXEL_HISTORY }}')
    expect(check.keys.run).toMatch(/npx pixel check --day "\$DAY" --junit pixel-check\.xml --html pixel-check\.html --report-url "\$REPORT_URL"/)
    const upload = step((s) => s.keys.uses?.startsWith('actions/upload-artifact@'))
    expect(upload.text).toMatch(/^\s+pixel-check\.html$/m)
    expect(upload.text).toMatch(/^\s+pixel-check\.xml$/m)
    const reporter = step((s) => s.keys.uses?.startsWith('dorny/test-reporter@'))
    expect(reporter.text).toContain('path: pixel-check.xml')
  })
})

function runScript(script: string, env: Record<string, string>, cwd = mkdtempSync(join(tmpdir(), 'pixel-workflow-'))) {
  const output = join(cwd, 'github-output')
  const summary = join(cwd, 'step-summary')
  writeFileSync(output, '')
  writeFileSync(summary, '')
  // As GitHub runs a step with shell: bash.
  const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {cwd, env: {PATH: process.env.PATH, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, ...env}, encoding: 'utf8'})
  return {code: run.status, stdout: run.stdout, output: readFileSync(output, 'utf8'), summary: readFileSync(summary, 'utf8'), cwd}
}

describe('the day step', () => {
  const script = step((s) => s.keys.id === 'day').keys.run
  const yesterday = execFileSync('date', ['-u', '-d', 'yesterday', '+%F'], {encoding: 'utf8'}).trim()

  it.each([
    ['2026-02-10', '2026-02-10'],
    ['2024-02-29', '2024-02-29'],
    ['yesterday', yesterday],
    ['', yesterday],
  ])('takes %j as %s', (input, day) => {
    const run = runScript(script, {DAY_INPUT: input})
    expect(run.code).toBe(0)
    expect(run.output).toBe(`day=${day}\n`)
  })

  it.each(['2026-02-30', '2025-02-29', '2026-2-10', 'today', '2026-02-10T05', '$(touch pwned)', '2026-02-10; touch pwned', '2026-02-10\ntouch pwned', '`touch pwned`'])('refuses %j and runs nothing of it', (input) => {
    const run = runScript(script, {DAY_INPUT: input})
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('::error::the day input must be YYYY-MM-DD or yesterday')
    expect(run.output).toBe('')
    expect(existsSync(join(run.cwd, 'pwned'))).toBe(false)
  })
})

describe('the step summary', () => {
  it('shows the report as text, so that markup from the lake\'s keys stays text', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pixel-workflow-'))
    writeFileSync(join(cwd, 'pixel-check.txt'), '  year=2026/.../<img src=x onerror=alert(1)>.gz does not fit\n```\n# not a heading & co\n')
    writeFileSync(join(cwd, 'pixel-check.err'), '')
    const run = runScript(step((s) => s.keys.name === 'step summary').keys.run, {DAY: '2026-02-10'}, cwd)
    expect(run.code).toBe(0)
    expect(run.summary).toBe('## pixel check, 2026-02-10\n\n<pre>\n  year=2026/.../&lt;img src=x onerror=alert(1)&gt;.gz does not fit\n```\n# not a heading &amp; co\n</pre>\n')
  })
})

describe('the verdict step', () => {
  const script = step((s) => s.keys.name === 'verdict').keys.run
  it.each([
    ['0', 0, 'pixel check passed'],
    ['1', 1, '::error::pixel check found findings'],
    ['2', 1, '::error::pixel check could not run (exit 2)'],
    ['', 1, '::error::pixel check could not run (exit )'],
  ])('ends the job with %j as exit code %i, saying why', (code, exit, says) => {
    const run = runScript(script, {CODE: code})
    expect(run.code).toBe(exit)
    expect(run.stdout).toContain(says)
  })
})
