import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {PACKAGE_ROOT} from '../lake/package-root.js'
import {runPixel} from './test-support/run-pixel.js'

interface ManifestCommand {
  id: string
  examples?: ({command: string; description: string} | string)[]
  flags: Record<string, {default?: unknown}>
}

const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>}
const COMMANDS = Object.values(manifest.commands)
const TOPICS = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).oclif.topics as Record<string, {description: string}>

describe('help', () => {
  it('lists every command and topic under pixel help', async () => {
    const {code, stdout} = await runPixel(['help'])
    expect(code).toBe(0)
    for (const id of ['check', 'dev', 'replay', 'report', 'autocomplete', 'help']) expect(stdout).toMatch(new RegExp(`^ {2}${id} `, 'm'))
    expect(stdout).toMatch(/^TOPICS\n {2}fixtures /m)
  })

  describe.each(COMMANDS.map((c) => c.id.replaceAll(':', ' ')))('pixel %s', (command) => {
    it('prints the same help for -h, --help and pixel help', async () => {
      const args = command.split(' ')
      const [short, long, viaHelp] = await Promise.all([runPixel([...args, '-h']), runPixel([...args, '--help']), runPixel(['help', ...args])])
      expect(short.code, short.stderr).toBe(0)
      expect(short.stdout).toContain(`$ pixel ${command}`)
      expect(long.stdout).toBe(short.stdout)
      expect(viaHelp.stdout).toBe(short.stdout)
    })
  })

  it('describes each topic by every command it holds', async () => {
    for (const [topic, {description}] of Object.entries(TOPICS)) {
      const held = COMMANDS.filter((c) => c.id.startsWith(`${topic}:`)).map((c) => c.id.slice(topic.length + 1))
      expect(held.length).toBeGreaterThan(1)
      for (const name of held) expect(description).toContain(name)
      const {stdout} = await runPixel(['help', topic])
      expect(stdout.startsWith(description)).toBe(true)
    }
  })

  it('gives every example a single command', () => {
    const examples = COMMANDS.flatMap((c) => (c.examples ?? []).map((e) => ({id: c.id, command: typeof e === 'string' ? e : e.command})))
    expect(examples.length).toBeGreaterThan(5)
    for (const {id, command} of examples) {
      expect(command, id).not.toMatch(/[\n;&|]/)
      expect(command.split('<%= config.bin %>'), id).toHaveLength(2)
    }
  })

  it('prints an example as one shell command, continued lines and all', async () => {
    const {stdout} = await runPixel(['dev', '--help'])
    const examples = stdout.slice(stdout.indexOf('EXAMPLES'))
    // A line ending in a backslash continues the command above it: the next line must not start another one.
    expect(examples).not.toMatch(/\\\n\s*pixel /)
  })

  it.each([
    ['check', '--late-after', '60m'],
    ['check', '--tolerance', '15m'],
    ['fixtures traffic', '--duration', '1m'],
  ])('shows pixel %s %s\'s default as a duration, %s', async (command, flag, label) => {
    const {stdout} = await runPixel([...command.split(' '), '--help'])
    const entry = stdout.slice(stdout.indexOf(`  ${flag}=`)).split(/\n {2}--/)[0]
    expect(entry).toContain(`[default: ${label}]`)
  })
})

describe('a mistyped command', () => {
  it('exits 127 naming it and pointing to pixel help when no one can answer', async () => {
    const {code, stderr} = await runPixel(['chek'])
    expect(code).toBe(127)
    expect(stderr).toMatch(/chek is not a pixel command/)
    expect(stderr).toMatch(/Run pixel help for a list of available commands/)
  })

  it('asks "did you mean" with the closest command on a terminal', async () => {
    // `script` gives the command a terminal, as a user's shell would.
    const child = spawn('script', ['-qec', `${process.execPath} ${join(PACKAGE_ROOT, 'bin/run.js')} fixtures generat`, '/dev/null'], {
      env: {...process.env, NO_COLOR: '1', PIXEL_LAKE: '', PIXEL_CONFIG: ''},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let out = ''
    // The prompt is answered once; a write racing the exit of `script` is no failure of pixel.
    child.stdin.on('error', () => {})
    const answered = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', function asked(chunk: string) {
        out += chunk
        if (/Did you mean/.test(out)) {
          child.stdout.off('data', asked)
          child.stdout.on('data', (rest: string) => (out += rest))
          child.stdin.end('n\r')
          resolve()
        }
      })
    })
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    await answered
    expect(out.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')).toMatch(/Did you mean fixtures generate\?/)
    expect(code).toBe(127)
  })
})

describe('shell autocomplete', () => {
  /** What bash completes after `line`, with pixel's completion loaded as `pixel autocomplete` tells a user to. */
  async function complete(line: string, cacheHome: string): Promise<string[]> {
    const {stdout: script} = await runPixel(['autocomplete', 'script', 'bash'], {env: {XDG_CACHE_HOME: cacheHome}})
    const words = line.split(' ')
    const bash = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _pixel_autocomplete; printf '%s\\n' "\${COMPREPLY[@]}"`
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', bash], {stdio: ['ignore', 'pipe', 'pipe']})
      let out = ''
      let err = ''
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c))
      child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c))
      child.once('exit', (code) => (code === 0 ? resolve(out.split('\n').filter(Boolean).sort()) : reject(new Error(err))))
    })
  }

  it('completes commands and each command\'s own flags in bash', async () => {
    const cacheHome = mkdtempSync(join(tmpdir(), 'pixel-autocomplete-'))
    const refreshed = await runPixel(['autocomplete', '--refresh-cache'], {env: {XDG_CACHE_HOME: cacheHome}})
    expect(refreshed.code, refreshed.stderr).toBe(0)
    expect(await complete('pixel ch', cacheHome)).toEqual(['check'])
    expect(await complete('pixel check --la', cacheHome)).toEqual(['--lake', '--late-after'])
    expect(await complete('pixel replay --fire', cacheHome)).toEqual(['--firehose-endpoint-url'])
    expect(await complete('pixel fixtures ', cacheHome)).toEqual(['generate', 'traffic'])
  })
})
