/**
 * The seam between the SQL engines' query builder (`checks/sql/`) and the places SQL runs:
 * DuckDB in-process (`duckdb-executor.ts`) and Athena (its client). The builder writes SQL in an
 * executor's `dialect` over the relation `linesRelation` gives it; the runner turns the rows back
 * into findings. Kept small on purpose: everything engine-specific lives behind it.
 */

/** The SQL dialects the query builder writes: Trino (Athena engine version 3) and DuckDB. */
export type SqlDialect = 'trino' | 'duckdb'

/** What one query cost, where the engine says: Athena's query id and bytes scanned; the time it took. */
export interface QueryStats {
  queryId?: string
  bytesScanned?: number
  elapsedMs?: number
}

/** A query's rows. Every value comes back as text or null, as Athena returns it, whatever the engine. */
export interface QueryResult {
  columns: string[]
  rows: (string | null)[][]
  stats: QueryStats
}

/**
 * Runs SQL somewhere (DuckDB in-process, Athena).
 *
 * @example const {rows} = await executor.query(`SELECT count(*) FROM ${executor.linesRelation(keys, scope)}`)
 */
export interface SqlExecutor {
  readonly engine: 'duckdb' | 'athena'
  readonly dialect: SqlDialect
  /**
   * How the lines of these objects are read in this engine: a parenthesised relation with the
   * columns `path` (the object's key exactly as the lake lists it, relative to the lake's root) and
   * `line` (one line of the object's decoded text, without its newline, never cut or dropped), and,
   * where the engine can say, `line_number` (1-based within the object). `scope` lets an engine
   * prune partitions (Athena's partition projection).
   */
  linesRelation(keys: readonly string[], scope: {from: Date; to: Date}): string
  /** Runs one query; a failed query rejects with a PixelError whose message is one line. */
  query(sql: string, options?: {label?: string; signal?: AbortSignal}): Promise<QueryResult>
  /** Releases the engine's resources; the executor is unusable after. */
  close(): Promise<void>
}

/** Athena's limit on a query string, in bytes (UTF-8): the builder keeps every query under it. */
export const MAX_QUERY_BYTES = 262_144
