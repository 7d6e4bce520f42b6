import {execFile} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, normalize, relative} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import type {CheckReport} from '../checks/report/report.js'
import {missingPrerequisite} from '../checks/scan/native/build-native.mjs'
import {PACKAGE_ROOT} from '../lake/package-root.js'
import {runPixel} from './test-support/run-pixel.js'

// An install from the registry, simulated: `npm pack`, then `npm install` of the tarball into an
// empty project, as a user's machine gets it (no `prepare`, no devDependencies, no sources).

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** The environment of a user's shell: none of the npm_* variables `npm test` sets for its children. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1', ...extra}
  for (const name of Object.keys(env)) if (/^npm_/i.test(name) || name === 'PIXEL_LAKE' || name === 'PIXEL_CONFIG' || name === 'INIT_CWD') delete env[name]
  return env
}

function run(command: string, args: string[], cwd: string, env = userEnv()): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, {cwd, env, maxBuffer: 64 << 20}, (error, stdout, stderr) => {
      resolve({code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr})
    })
  })
}

const npm = (args: string[], cwd: string, env?: NodeJS.ProcessEnv) => run('npm', ['--no-audit', '--no-fund', '--no-update-notifier', ...args], cwd, env)

/** Every file a module reaches through relative imports (static, dynamic, and worker URLs). */
function importClosure(entries: string[]): {reached: Set<string>; missing: string[]} {
  const reached = new Set<string>()
  const missing: string[] = []
  const todo = [...entries]
  while (todo.length > 0) {
    const file = todo.pop()!
    if (reached.has(file)) continue
    if (!existsSync(file)) {
      missing.push(file)
      continue
    }
    reached.add(file)
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bnew URL\(\s*[^'")]*?)['"](\.{1,2}\/[^'"]+\.js)['"]/g)) todo.push(normalize(join(dirname(file), match[1])))
  }
  return {reached, missing}
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true}).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}

const SAMPLE_DAY = ['--day', '2026-02-10']
const underCi = process.env.CI === 'true' || process.env.CI === '1'
const canBuild = underCi || missingPrerequisite() === undefined

describe('pixel installed from its packed tarball', {timeout: 300_000}, () => {
  const work = mkdtempSync(join(tmpdir(), 'pixel-packed-'))
  const app = join(work, 'app')
  const installed = join(app, 'node_modules/pixel')
  let packed: string[]
  let install: Run

  beforeAll(async () => {
    // npm test has just built dist/; packing without scripts packs exactly that build.
    const pack = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], PACKAGE_ROOT)
    expect(pack.code, pack.stderr).toBe(0)
    const [{filename, files}] = JSON.parse(pack.stdout) as {filename: string; files: {path: string}[]}[]
    packed = files.map((f) => f.path)
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), '{"name": "pixel-install-test", "private": true}\n')
    // Dependencies come from the npm cache that npm ci filled; the registry only for what is not there.
    install = await npm(['install', '--prefer-offline', '--foreground-scripts', join(work, filename)], app)
    expect(install.code, install.stderr).toBe(0)
  }, 300_000)

  it('holds what a user needs and nothing else', () => {
    expect(packed).toEqual(expect.arrayContaining(['bin/run.js', 'oclif.manifest.json', 'lake/schema/pixel-event.schema.json', 'dist/cli/commands/check.js', 'checks/scan/native/fast_scan.cc', 'checks/scan/native/binding.gyp', 'checks/scan/native/build-native.mjs']))
    expect(packed.filter((p) => /\.test\.[jt]s$|test-support|\.map$|\.ts$/.test(p))).toEqual([])
    expect(packed.filter((p) => p.startsWith('fixtures/') && !p.startsWith('fixtures/sample-lake/'))).toEqual([])
    expect(packed.filter((p) => p.startsWith('fixtures/sample-lake/year=2026/')).length).toBeGreaterThan(40)
    expect(packed.filter((p) => p.startsWith('checks/scan/native/build/'))).toEqual([])
    expect(packed.filter((p) => p.startsWith('dist/bench/') || p.startsWith('bin/dev'))).toEqual([])
  })

  it('ships every module its commands and scan workers import', () => {
    const entries = [...filesUnder(join(installed, 'dist/cli/commands')), join(installed, 'dist/checks/scan/scan-worker.js')]
    const {reached, missing} = importClosure(entries.filter((f) => f.endsWith('.js')))
    expect(missing.map((f) => relative(installed, f))).toEqual([])
    expect(reached.size).toBeGreaterThan(entries.length)
  })

  it(canBuild ? 'builds the native scanner at install' : 'falls back to JavaScript at install, saying why in one line', async () => {
    const probe = `const m = await import(${JSON.stringify(join(installed, 'dist/checks/scan/native-scan.js'))}); console.log(m.nativeScannerLoaded)`
    const loaded = await run(process.execPath, ['--input-type=module', '-e', probe], app)
    if (canBuild) {
      expect(existsSync(join(installed, 'checks/scan/native/build/Release/fast_scan.node')), install.stdout + install.stderr).toBe(true)
      expect(loaded.stdout.trim()).toBe('true')
    } else {
      expect(`${install.stdout}\n${install.stderr}`.match(/^pixel: the native scanner was not built \(.+\); pixel check keeps its JavaScript fast path/gm)).toHaveLength(1)
      expect(loaded.stdout.trim()).toBe('false')
    }
  })

  it('checks the bundled sample lake with the installed pixel, finding what the sources find', async () => {
    const fromTarball = await run(join(app, 'node_modules/.bin/pixel'), ['check', '--lake', join(installed, 'fixtures/sample-lake'), ...SAMPLE_DAY, '--json'], app)
    expect(fromTarball.code, fromTarball.stderr).toBe(1)
    const fromSources = await runPixel(['check', '--lake', join(PACKAGE_ROOT, 'fixtures/sample-lake'), ...SAMPLE_DAY, '--json'])
    const findings = (stdout: string) => (JSON.parse(stdout) as CheckReport).findings
    expect(findings(fromTarball.stdout).length).toBeGreaterThan(10)
    expect(findings(fromTarball.stdout)).toEqual(findings(fromSources.stdout))
  })

  it('falls back with one line where the scanner cannot build, and still checks the sample lake', async () => {
    // A compiler that is not there: the install script's own rebuild, as on a machine without one.
    const rebuild = await npm(['rebuild', 'pixel', '--foreground-scripts'], app, userEnv({CXX: join(work, 'no-such-c++')}))
    expect(rebuild.code, rebuild.stderr).toBe(0)
    const said = `${rebuild.stdout}\n${rebuild.stderr}`.match(/^pixel: the native scanner was not built .*$/gm)
    expect(said).toEqual([expect.stringContaining('no C++ compiler')])
    expect(existsSync(join(installed, 'checks/scan/native/build/Release/fast_scan.node'))).toBe(false)
    const checked = await run(join(app, 'node_modules/.bin/pixel'), ['check', '--lake', join(installed, 'fixtures/sample-lake'), ...SAMPLE_DAY, '--json'], app)
    expect(checked.code, checked.stderr).toBe(1)
    expect((JSON.parse(checked.stdout) as CheckReport).findings.length).toBeGreaterThan(10)
    // On a terminal (`script` gives it one) pixel check repeats the reason npm's install hid.
    const onTerminal = await run('script', ['-qec', `${join(app, 'node_modules/.bin/pixel')} check --lake ${join(installed, 'fixtures/sample-lake')} --day 2026-02-10`, '/dev/null'], app)
    expect(onTerminal.stdout.match(/^Warning: the native scanner is not in use \(no C\+\+ compiler .*\): checking with the JavaScript fast path.*$/gm)).toHaveLength(1)
  })
})
