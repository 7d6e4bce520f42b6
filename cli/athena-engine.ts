import {AthenaQueryClient} from '../checks/engine/athena/athena-client.js'
import {AthenaExecutor} from '../checks/engine/athena/athena-executor.js'
import {InvalidOptionError} from '../lake/errors.js'
import {type AthenaTarget, athenaTargetFor, awsOptionsFor} from './flags.js'
import type {PixelConfig} from './pixel-config.js'

export interface AthenaEngineFlags extends Partial<AthenaTarget> {
  profile?: string
  region?: string
  'endpoint-url'?: string
  'athena-concurrency'?: number
  'athena-usd-per-tb'?: number
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const
/** How long Ctrl-C waits for StopQueryExecution answers before the process ends anyway. */
const STOP_GRACE_MS = 10_000

/**
 * The Athena executor of `pixel check --engine athena`: its workgroup, database and raw-lines
 * table from the flags or the config file (a missing one is one line), reached as the AWS flags
 * say, checked before any query runs. Until `release()`, SIGINT and SIGTERM stop the queries
 * still running in Athena (StopQueryExecution) before the process ends by that signal: a
 * check interrupted leaves nothing running up a bill.
 *
 * @example const {executor, release} = await openAthenaEngine(flags, config, lake.url)
 */
export async function openAthenaEngine(flags: AthenaEngineFlags, config: PixelConfig, lakeUrl: string): Promise<{executor: AthenaExecutor; release: () => void}> {
  const target = athenaTargetFor(flags, config)
  if (!lakeUrl.startsWith('s3://')) {
    throw new InvalidOptionError(`--engine athena reads a lake in S3, not ${lakeUrl}: pass --lake s3://<LakeBucketName>/events/, or use --engine local or --engine duckdb for a folder`)
  }
  const client = new AthenaQueryClient({
    ...awsOptionsFor('athena', flags, config),
    workgroup: target.workgroup,
    database: target.database,
    concurrency: flags['athena-concurrency'],
    usdPerTb: flags['athena-usd-per-tb'],
  })
  const executor = new AthenaExecutor(client, {table: target.table, lakeUrl})
  const release = stopQueriesOnSignals(client)
  try {
    await executor.verifyTable()
  } catch (error) {
    release()
    await executor.close()
    throw error
  }
  return {executor, release}
}

/**
 * Until the returned function is called, SIGINT and SIGTERM stop every running query of
 * `client` (bounded by a grace period), then end the process by the same signal, as if it had
 * not been caught.
 */
export function stopQueriesOnSignals(client: AthenaQueryClient): () => void {
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    process.stderr.write(`${signal}: stopping the running Athena queries...\n`)
    const grace = new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref())
    void Promise.race([client.close(), grace]).finally(() => {
      release()
      process.kill(process.pid, signal)
    })
  }
  const release = () => {
    for (const signal of SIGNALS) process.off(signal, onSignal)
  }
  for (const signal of SIGNALS) process.on(signal, onSignal)
  return release
}
