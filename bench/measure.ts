import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** One measured run of a child process. */
export interface Measured {
  seconds: number
  /** Peak resident set in MB; null for a child that is not Node (it cannot report it). */
  peakRssMb: number | null
  code: number
  stdout: string
  stderr: string
}

const CHILD_RSS = fileURLToPath(new URL('./child-rss.js', import.meta.url))

/**
 * Runs `command args` to completion and measures its wall time; a Node child (`command` is
 * process.execPath) also reports its peak RSS through the child-rss preload.
 *
 * @example const run = await measure(process.execPath, ['bin/run.js', 'check', '--lake', dir, '--json'])
 */
export async function measure(command: string, args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv} = {}): Promise<Measured> {
  const node = command === process.execPath
  const scratch = mkdtempSync(join(tmpdir(), 'pixel-bench-'))
  const rssFile = join(scratch, 'rss')
  const started = performance.now()
  const child = spawn(command, node ? ['--import', CHILD_RSS, ...args] : args, {
    cwd: options.cwd,
    env: {...process.env, ...options.env, BENCH_RSS_FILE: rssFile},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (b: Buffer) => out.push(b))
  child.stderr.on('data', (b: Buffer) => err.push(b))
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (c) => resolve(c ?? 1))
  })
  const seconds = (performance.now() - started) / 1000
  let peakRssMb: number | null = null
  try {
    peakRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024
  } catch {
    // not a Node child, or it died before its exit hook ran
  }
  rmSync(scratch, {recursive: true, force: true})
  return {seconds, peakRssMb, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')}
}
