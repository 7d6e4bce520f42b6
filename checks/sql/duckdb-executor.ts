import {performance} from 'node:perf_hooks'
import {join} from 'node:path'
import {DuckDBInstance, type DuckDBConnection} from '@duckdb/node-api'
import {SqlEngineError} from './errors.js'
import type {QueryResult, SqlExecutor} from './sql-executor.js'

/**
 * The longest line DuckDB's CSV reader is asked to read (its buffers grow with it: 1 GiB asks for
 * 16 GiB). The probe sends objects with longer lines to the local engine instead.
 */
export const DUCKDB_MAX_LINE_BYTES = 32 * 1024 * 1024

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`

/** The delimiter read_csv splits columns at: four control bytes in a row, which no line pixel judges relies on. */
const NO_DELIMITER = "e'\\x1f\\x1e\\x1d\\x1c'"

/**
 * Runs SQL in-process with DuckDB (@duckdb/node-api) over a folder lake. Lines come from DuckDB's
 * CSV reader with no quoting, no escapes and no delimiter, so every line arrives whole; gzip (any
 * number of members) is read by extension, or for the keys named in `gzipKeys` whatever their name.
 *
 * @example const duck = await DuckdbExecutor.open('/data/lake', {threads: 2})
 */
export class DuckdbExecutor implements SqlExecutor {
  readonly engine = 'duckdb' as const
  readonly dialect = 'duckdb' as const
  /** Keys whose bytes are gzip though their name has no `.gz` (the local engine reads them by their magic bytes). */
  readonly gzipKeys = new Set<string>()
  /** Keys stored as plain text though named `.gz` are corrupt-objects and never reach SQL. */

  private constructor(private readonly root: string, private readonly instance: DuckDBInstance, private readonly connection: DuckDBConnection) {}

  static async open(root: string, options: {threads?: number} = {}): Promise<DuckdbExecutor> {
    const instance = await DuckDBInstance.create(':memory:', {threads: String(options.threads ?? 2), enable_external_access: 'true'})
    const connection = await instance.connect()
    return new DuckdbExecutor(root, instance, connection)
  }

  linesRelation(keys: readonly string[]): string {
    const byCompression = new Map<string, string[]>()
    for (const key of keys) {
      const compression = key.toLowerCase().endsWith('.gz') || this.gzipKeys.has(key) ? 'gzip' : 'none'
      if (!byCompression.has(compression)) byCompression.set(compression, [])
      byCompression.get(compression)!.push(key)
    }
    if (byCompression.size === 0) return `(SELECT CAST(NULL AS VARCHAR) AS path, CAST(NULL AS VARCHAR) AS line WHERE false)`
    const prefix = `${this.root.replace(/\/?$/, '/')}`
    const reads = [...byCompression].map(([compression, group]) => {
      const files = group.map((key) => literal(join(this.root, key)))
      return `SELECT substr(filename, ${prefix.length + 1}) AS path, line FROM read_csv([${files.join(', ')}], columns = {'line': 'VARCHAR'}, header = false, quote = '', escape = '', delim = ${NO_DELIMITER}, auto_detect = false, strict_mode = false, filename = true, max_line_size = ${DUCKDB_MAX_LINE_BYTES}, compression = '${compression}')`
    })
    return `(${reads.join(' UNION ALL ')})`
  }

  async query(sql: string, options: {label?: string} = {}): Promise<QueryResult> {
    const started = performance.now()
    try {
      const reader = await this.connection.runAndReadAll(sql)
      const rows = reader.getRowsJson().map((row) => row.map((value) => (value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value))))
      return {columns: reader.columnNames(), rows, stats: {elapsedMs: Math.round(performance.now() - started)}}
    } catch (error) {
      throw new SqlEngineError(`DuckDB query ${options.label ?? ''} failed: ${(error as Error).message.split('\n')[0]}`.replace('  ', ' '), {cause: error})
    }
  }

  async close(): Promise<void> {
    this.connection.closeSync()
    this.instance.closeSync()
  }
}
