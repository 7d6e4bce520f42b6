#!/usr/bin/env node
// Builds the native scanner (fast_scan.cc) with node-gyp. It is pixel's `install` script, so it
// runs wherever pixel is installed: from a clone (npm ci) and from the registry or a packed
// tarball (where `prepare` never runs). Where nothing can build it, it says why in one line and
// exits 0: pixel check keeps its JavaScript fast path, with the same verdicts.
// Plain JavaScript on purpose: it runs before dist/ exists and without TypeScript.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))

function runs(command, args = ['--version']) {
  const result = spawnSync(command, args, {stdio: 'ignore', shell: false})
  return !result.error && result.status === 0
}

/** Where node-gyp would find Node's headers without downloading them, or undefined. */
function nodeHeaders(env) {
  const candidates = [
    env.npm_config_nodedir && join(env.npm_config_nodedir, 'include/node'),
    join(dirname(dirname(process.execPath)), 'include/node'),
    join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'node-gyp', process.versions.node, 'include/node'),
  ].filter(Boolean)
  return candidates.find((dir) => existsSync(join(dir, 'node_api.h')))
}

/**
 * What this machine lacks to build the scanner offline, as one phrase, or undefined when it has
 * everything: a C++ compiler, make, python3 (node-gyp's), and Node's headers.
 *
 * @example missingPrerequisite() // 'no C++ compiler (c++ not found; install g++ or set CXX)'
 */
export function missingPrerequisite(env = process.env) {
  const cxx = env.CXX || 'c++'
  if (!runs(cxx)) return `no C++ compiler (${cxx} not found; install g++ or set CXX)`
  if (process.platform !== 'win32' && !runs('make')) return 'no make (install make)'
  const python = env.npm_config_python || env.PYTHON || 'python3'
  if (!runs(python)) return `no Python for node-gyp (${python} not found; install python3)`
  if (!nodeHeaders(env)) return `no Node ${process.versions.node} headers (install them, e.g. Debian's libnode-dev, or set npm_config_nodedir)`
  return undefined
}

/**
 * The line of node-gyp's output that says what went wrong: the compiler's first error (the file,
 * line and message), else the error node-gyp threw, else the last line naming an error that is
 * not node-gyp's own bookkeeping.
 */
export function buildFailure(output) {
  const compiler = output.split('\n').map((l) => l.trim()).find((l) => /: (fatal )?error: /.test(l))
  if (compiler) return compiler.slice(0, 200)
  const thrown = /^gyp ERR! stack Error: (.+)$/m.exec(output)
  if (thrown) return thrown[1].trim().slice(0, 200)
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => /error|not found|ERR!/i.test(l) && !/gyp ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(l))
  return (lines.at(-1) ?? 'node-gyp failed').replace(/^gyp ERR! /, '').slice(0, 200)
}

function build(dir, env = process.env) {
  // npm hands its own node-gyp to lifecycle scripts; outside npm, one on the PATH.
  const gyp = env.npm_config_node_gyp
  const [command, args] = gyp ? [process.execPath, [gyp, 'rebuild', '--loglevel=error']] : ['node-gyp', ['rebuild', '--loglevel=error']]
  const result = spawnSync(command, args, {cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  if (!result.error && result.status === 0) return undefined
  return missingPrerequisite(env) ?? (result.error ? `${command} not found` : buildFailure(`${result.stdout}\n${result.stderr}`))
}

/** The native addons: the scanner, the gzip decoders (libdeflate, ISA-L) in lake/codec/native/, the id table in lake/ids/native/. */
const ADDONS = [
  {dir: HERE, what: 'the native scanner', fallback: 'pixel check keeps its JavaScript fast path, with the same verdicts', keepReason: true},
  {dir: join(HERE, '../../../lake/codec/native'), what: 'the native gzip decoders', fallback: 'pixel reads gzip with node zlib', keepReason: false},
  {dir: join(HERE, '../../../lake/ids/native'), what: 'the native id table', fallback: 'pixel check finds duplicate records with its JavaScript id table, with the same findings', keepReason: false},
]

/** Where the reason it was not built is kept, for pixel check to repeat (npm hides install output). */
export const NOT_BUILT_FILE = join(HERE, 'build', 'not-built.txt')

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const addon of ADDONS.filter((a) => existsSync(join(a.dir, 'binding.gyp')))) {
    const why = process.env.PIXEL_NATIVE === '0' ? 'PIXEL_NATIVE=0' : build(addon.dir)
    if (!why) continue
    console.warn(`pixel: ${addon.what} ${addon.what.endsWith('decoders') ? 'were' : 'was'} not built (${why}); ${addon.fallback}`)
    if (!addon.keepReason) continue
    try {
      mkdirSync(dirname(NOT_BUILT_FILE), {recursive: true})
      writeFileSync(NOT_BUILT_FILE, `${why}\n`)
    } catch {
      // A read-only install still works; only the reason is not kept.
    }
  }
}
