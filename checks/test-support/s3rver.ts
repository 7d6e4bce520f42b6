import {type ChildProcess, spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {once} from 'node:events'
import {createInterface} from 'node:readline'

/** s3rver's fixed credentials: it checks signatures. */
export const S3RVER_CREDENTIALS = {accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER'}

export interface RunningS3rver {
  endpoint: string
  stop(): Promise<void>
}

/**
 * Starts a real S3-compatible server (s3rver) on 127.0.0.1 in a child process.
 *
 * @example
 * const s3 = await startS3rver(); try { ... s3.endpoint ... } finally { await s3.stop() }
 */
export async function startS3rver(): Promise<RunningS3rver> {
  const directory = mkdtempSync(join(tmpdir(), 'pixel-s3rver-'))
  const script = createRequire(import.meta.url).resolve('./s3rver-process.cjs')
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', script, directory], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines = createInterface({input: child.stdout!})
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`s3rver exited with code ${code} before listening`)
    }),
  ])) as [string]
  const {endpoint} = JSON.parse(line) as {endpoint: string}
  return {
    endpoint,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await once(child, 'exit')
      }
      rmSync(directory, {recursive: true, force: true})
    },
  }
}
