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

/**
 * Measures `once` `runs` times in a row and keeps the run of median time (its output too), with
 * the highest peak RSS of them all: on a shared host one run can be a fifth off either way.
 *
 * @example const run = await medianRun(3, () => measure(process.execPath, args))
 */
export async function medianRun(runs: number, once: () => Promise<Measured>): Promise<Measured & {allSeconds: number[]}> {
  const measured: Measured[] = []
  for (let k = 0; k < runs; k++) {
    const run = await once()
    measured.push(run)
    if (run.code !== 0 && run.code !== 1) break // a failed run: the caller reports it
  }
  const bySeconds = [...measured].sort((a, b) => a.seconds - b.seconds)
  const median = measured.some((r) => r.code !== 0 && r.code !== 1) ? measured[measured.length - 1] : bySeconds[(bySeconds.length - 1) >> 1]
  const rss = measured.map((r) => r.peakRssMb).filter((v): v is number => v !== null)
  return {...median, peakRssMb: rss.length > 0 ? Math.max(...rss) : null, allSeconds: measured.map((r) => r.seconds)}
}
