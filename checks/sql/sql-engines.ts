import {DuckDBInstance} from '@duckdb/node-api'
import {LocalLake} from '../../lake/store/local-lake.js'
import type {Lake} from '../../lake/store/lake.js'
import type {CheckOptions} from '../run-check.js'
import {DuckdbExecutor} from './duckdb-executor.js'
import {duckdbProbe} from './duckdb-probe.js'
import {SqlEngineError} from './errors.js'
import {type SqlCheckReport, runSqlCheck} from './run-sql-check.js'
import {DEFAULT_CANARY} from '../run-check.js'

/**
 * Whether DuckDB can load its httpfs extension here (it reads s3:// only with it, and the
 * extension is downloaded on first use, which an offline machine cannot do).
 */
export async function httpfsLoads(): Promise<string | undefined> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    await connection.run('LOAD httpfs')
    return undefined
  } catch (error) {
    return (error as Error).message.split('\n')[0]
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

/**
 * Runs a check on a SQL engine: `duckdb` over a folder lake (over S3 it needs httpfs, and says
 * so when it cannot be loaded); `athena` through its executor.
 *
 * @example const report = await runEngine('duckdb', options, lake)
 */
export async function runEngine(engine: 'duckdb' | 'athena', options: CheckOptions, lake: Lake): Promise<SqlCheckReport> {
  if (engine === 'athena') throw new SqlEngineError('--engine athena runs through the CLI, which opens its executor (cli/athena-engine.ts): call runSqlCheck with it')
  if (!(lake instanceof LocalLake)) {
    const why = await httpfsLoads()
    const instead = `use --engine local or --engine athena for ${lake.url}, or copy the scope to a folder (aws s3 sync ${lake.url} ./lake) and run --engine duckdb --lake ./lake`
    throw new SqlEngineError(why === undefined
      ? `--engine duckdb reads folder lakes only, not ${lake.url}: ${instead}`
      : `--engine duckdb cannot read ${lake.url}: DuckDB's httpfs extension cannot be loaded here (${/not found/i.test(why) ? 'it is not installed, and DuckDB downloads it only with network access' : why.replace(/[.\s]+$/, '')}); ${instead}`)
  }
  const executor = await DuckdbExecutor.open(lake.url, {threads: Math.max(1, options.workers ?? 2)})
  try {
    const scanOptions = {
      validator: options.validator,
      idField: options.idField ?? 'event_id',
      timeField: options.timeField ?? 'ts',
      toleranceMs: (options.toleranceMinutes ?? 15) * 60_000,
      maxSamples: options.maxSamples ?? 5,
      canary: options.canary === undefined ? DEFAULT_CANARY : (options.canary ?? undefined),
      ipField: options.ipField ?? 'client_ip',
      ipPolicy: options.ipPolicy ?? 'anonymise',
      quarantine: options.quarantine !== undefined,
    }
    return await runSqlCheck({...options, executor, probe: duckdbProbe(lake, executor, scanOptions, options.maxObjectBytes ?? 1024 * 1024 * 1024)})
  } finally {
    await executor.close()
  }
}
