import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {PACKAGE_ROOT} from '../../lake/package-root.js'

export interface PixelRun {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs the installed `pixel` entry (bin/run.js, on the built dist/) as a user would, in its own
 * process, and captures what it prints. `npm test` builds first, so dist/ is the sources.
 *
 * @example const {code, stdout} = await runPixel(['check', '--lake', dir, '--json'])
 * @example await runPixel(['report', '-', '--html', page], {input: savedJson}) // `input` is its stdin
 */
export function runPixel(args: string[], options: {env?: Record<string, string | undefined>; cwd?: string; input?: string} = {}): Promise<PixelRun> {
  const env: Record<string, string | undefined> = {...process.env, NO_COLOR: '1', PIXEL_LAKE: undefined, PIXEL_CONFIG: undefined, PIXEL_NOTIFY: undefined, ...options.env}
  for (const name of Object.keys(env)) if (env[name] === undefined) delete env[name]
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [join(PACKAGE_ROOT, 'bin/run.js'), ...args], {env: env as NodeJS.ProcessEnv, cwd: options.cwd ?? PACKAGE_ROOT, maxBuffer: 64 << 20}, (error, stdout, stderr) => {
      resolve({code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr})
    })
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}
