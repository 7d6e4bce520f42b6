import {type ChildProcess, spawn} from 'node:child_process'
import {once} from 'node:events'
import {createServer} from 'node:net'

/** moto accepts any credentials; these make the SDK's signing happy. */
export const MOTO_CREDENTIALS = {accessKeyId: 'testing', secretAccessKey: 'testing'}

export interface RunningMoto {
  endpoint: string
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const {port} = server.address() as {port: number}
  server.close()
  await once(server, 'close')
  return port
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(`${endpoint}/moto-api/`)
    return true
  } catch {
    return false
  }
}

/**
 * Starts moto's server (`python3 -m moto.server`, on this machine image) on 127.0.0.1: a real
 * S3- and Firehose-compatible endpoint. s3rver was tried first, but it leaves out common prefixes
 * for folders that hold only folders, which real S3 and MinIO return.
 *
 * @example const moto = await startMoto(); try { ... moto.endpoint ... } finally { await moto.stop() }
 */
export async function startMoto(): Promise<RunningMoto> {
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = once(child, 'exit')
  // Poll until it answers: the process gives no other sign that it listens.
  for (let attempt = 0; !(await answers(endpoint)); attempt++) {
    if (child.exitCode !== null || attempt > 300) {
      child.kill('SIGKILL')
      throw new Error(`moto server did not start on ${endpoint}: ${stderr.trim().split('\n').pop() ?? 'no output'}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    endpoint,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await exited
      }
    },
  }
}
