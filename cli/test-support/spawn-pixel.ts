import {type ChildProcess, spawn} from 'node:child_process'
import {join} from 'node:path'
import {afterEach} from 'vitest'
import {PACKAGE_ROOT} from '../../lake/package-root.js'

export interface RunningPixel {
  readonly child: ChildProcess
  /** Everything printed so far. */
  stdout(): string
  stderr(): string
  /** Resolves with the exit code (or the signal's name) when the process has ended and its output is all read. */
  readonly exited: Promise<number | string>
}

const started: ChildProcess[] = []
afterEach(() => {
  // A test that failed half-way must not leave its server running.
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

/**
 * Starts the built `pixel` entry as a long-running process (as `runPixel` runs one to the end),
 * for commands like `pixel dev` that serve until signalled; killed after the test if still running.
 *
 * @example
 * const dev = spawnPixel(['dev', '--lake', dir, '--port', '0'])
 * const url = await dev.waitForOutput(/http:\/\/127\.0\.0\.1:\d+/)
 */
export function spawnPixel(args: string[], options: {env?: Record<string, string | undefined>; cwd?: string} = {}): RunningPixel & {waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>} {
  const env: Record<string, string | undefined> = {...process.env, NO_COLOR: '1', PIXEL_LAKE: undefined, PIXEL_CONFIG: undefined, PIXEL_NOTIFY: undefined, ...options.env}
  for (const name of Object.keys(env)) if (env[name] === undefined) delete env[name]
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin/run.js'), ...args], {env: env as NodeJS.ProcessEnv, cwd: options.cwd ?? PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe']})
  started.push(child)
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  const exited = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown')))
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    /** The first match of `pattern` in stdout, once it is printed; rejects if the process ends first or on timeout. */
    waitForOutput(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no ${pattern} on stdout within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs)
        const check = () => {
          const match = pattern.exec(out)
          if (match) finish(undefined, match[0])
        }
        const ended = () => finish(new Error(`pixel exited before printing ${pattern}; stderr: ${err}`))
        function finish(error?: Error, value?: string) {
          clearTimeout(timer)
          child.stdout?.off('data', check)
          child.off('exit', ended)
          if (error) reject(error)
          else resolve(value as string)
        }
        child.stdout?.on('data', check)
        child.once('exit', ended)
        check()
      })
    },
  }
}
