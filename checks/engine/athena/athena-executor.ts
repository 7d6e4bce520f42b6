import type {QueryResult, SqlExecutor} from '../../sql/sql-executor.js'
import type {AthenaQueryClient, AthenaQueryStats} from './athena-client.js'
import {formatScanBytes} from './query-cost.js'
import {AthenaError, AthenaUnreachableError} from './errors.js'
import {CANONICAL_HOUR_FOLDERS} from '../../../lake/layout/partition-path.js'

/** What the report says the Athena engine ran: `engineStats` in the JSON report. */
export interface AthenaEngineStats {
  engine: 'athena'
  workgroup: string
  database: string
  table: string
  /** One entry per query that ended, in the order they ended. */
  queries: {label: string; queryId: string; state: AthenaQueryStats['state']; bytesScanned: number; elapsedMs: number; costUsd: number}[]
  /** Bytes scanned by every query together. */
  bytesScanned: number
  /** The estimated cost in USD at `usdPerTb`, 10 MB billed at least per query. */
  costUsd: number
  usdPerTb: number
  /** The workgroup's limit per query, when it has one and pixel could read it. */
  bytesScannedCutoff: number | null
}

// A partition folder exactly as the tables' projection spells it: zero-padded, as Firehose writes.
const CANONICAL_HOUR = CANONICAL_HOUR_FOLDERS

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`
const identifier = (name: string) => `"${name.replaceAll('"', '""')}"`

/**
 * Runs the SQL checks on Athena (Trino, engine version 3) over the raw-lines table: every line of
 * every object as one string column `line`, partitioned and projected as the events table.
 * `linesRelation` reads exactly the objects asked for (`"$path"`), and prunes to their day and
 * hour partitions so that Athena lists and scans nothing else.
 *
 * @example
 * const athena = new AthenaExecutor(new AthenaQueryClient({workgroup: 'Pixel', database: 'pixel'}), {table: 'events_lines', lakeUrl: 's3://my-bucket/events/'})
 * await athena.verifyTable()
 */
export class AthenaExecutor implements SqlExecutor {
  readonly engine = 'athena' as const
  readonly dialect = 'trino' as const
  readonly table: string
  /** The lake's URL, `s3://bucket/prefix/`: `"$path"` is this followed by the key. */
  readonly lakeUrl: string

  /** Every key listed in each hour folder, where `knowListing` was told them. */
  private listing?: Map<string, Set<string>>
  private listedAt = 0

  constructor(
    readonly client: AthenaQueryClient,
    options: {table: string; lakeUrl: string},
  ) {
    this.table = options.table
    this.lakeUrl = options.lakeUrl.endsWith('/') ? options.lakeUrl : `${options.lakeUrl}/`
  }

  /**
   * Tells the executor every key the lake lists in the scope (objects and unexpected keys
   * alike), listed at `listedAt`. An hour folder whose every key is asked for, and that ended
   * more than two hours before the listing (nothing is still being written there), is then read
   * by its partition alone, without naming its objects: a year of a busy pixel (hundreds of
   * thousands of objects) stays one short query instead of hundreds over Athena's 262,144 bytes.
   */
  knowListing(keys: Iterable<string>, listedAt: Date = new Date()): void {
    this.listing = new Map()
    this.listedAt = listedAt.getTime()
    for (const key of keys) {
      const folder = key.slice(0, key.lastIndexOf('/') + 1)
      if (!this.listing.has(folder)) this.listing.set(folder, new Set())
      this.listing.get(folder)!.add(key)
    }
  }

  /**
   * Whether the raw-lines table reaches this key as the local engine reads it: its folders spelled
   * as the projection spells them (not `hour=7/`), and a `.gz` name (the table's reader
   * decompresses by the suffix, where the local engine looks at the bytes). Others are for the
   * local engine to read.
   */
  canRead(key: string): boolean {
    return CANONICAL_HOUR.test(key) && key.toLowerCase().endsWith('.gz')
  }

  /** Whether every key of `folder` is among `asked`, and the folder's hour is long over. */
  private wholeFolder(folder: string, asked: Set<string>, hourStart: number): boolean {
    const listed = this.listing?.get(folder)
    if (!listed || listed.size !== asked.size || hourStart + 3 * 3_600_000 > this.listedAt) return false
    for (const key of listed) if (!asked.has(key)) return false
    return true
  }

  /**
   * Checks, before any query, that the workgroup can be used and that `--table` is a raw-lines
   * table over this lake: a `line` column, and its location the lake's. Where Athena's catalog
   * cannot be asked (no athena:GetTableMetadata, or an endpoint without it), the table is taken
   * on trust.
   */
  async verifyTable(): Promise<void> {
    await this.client.workgroupSettings()
    const metadata = await this.client.tableMetadata(this.table)
    if (!metadata) return
    const columns = (metadata.Columns ?? []).map((column) => column.Name)
    if (!columns.includes('line')) {
      throw new AthenaUnreachableError(
        `Athena table ${this.client.database}.${this.table} has no column line: --table names the raw-lines table (the stack's AthenaRawTable output, events_lines), not the events table`,
      )
    }
    const location = metadata.Parameters?.location
    if (location !== undefined && location.replace(/\/?$/, '/') !== this.lakeUrl) {
      throw new AthenaUnreachableError(`Athena table ${this.client.database}.${this.table} reads ${location}, not the lake ${this.lakeUrl}: pass the --lake it reads, or the table over this lake`)
    }
  }

  linesRelation(keys: readonly string[], _scope: {from: Date; to: Date}): string {
    if (keys.length === 0) return '(SELECT CAST(NULL AS varchar) AS path, CAST(NULL AS varchar) AS line WHERE false)'
    // The keys by hour folder, each folder spelled as the tables' projection spells it.
    const folders = new Map<string, {year: string; month: string; day: string; hour: string; keys: Set<string>}>()
    for (const key of keys) {
      const match = CANONICAL_HOUR.exec(key)
      if (!match) {
        throw new AthenaError(
          `the Athena table cannot read ${this.lakeUrl}${key}: its partition folders are not spelled as Firehose writes them and the table projects them (year=YYYY/month=MM/day=DD/hour=HH/); check this scope with --engine local`,
        )
      }
      const [folder, year, month, day, hour] = match
      if (!folders.has(folder)) folders.set(folder, {year, month, day, hour, keys: new Set()})
      folders.get(folder)!.keys.add(key)
    }
    // Whole folders are read by partition; the others name their objects, which Athena prunes to.
    const whole = new Map<string, {year: string; month: string; day: string; hours: Set<string>}>()
    const partial = new Map<string, {year: string; month: string; day: string; hours: Set<string>}>()
    const named: string[] = []
    for (const [folder, {year, month, day, hour, keys: asked}] of folders) {
      const isWhole = this.wholeFolder(folder, asked, Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour)))
      const into = isWhole ? whole : partial
      const id = `${year}-${month}-${day}`
      if (!into.has(id)) into.set(id, {year, month, day, hours: new Set()})
      into.get(id)!.hours.add(hour)
      if (!isWhole) for (const key of asked) named.push(key)
    }
    const partitions = (days: typeof whole) =>
      [...days.values()].map(({year, month, day, hours}) => {
        const hourClause = hours.size === 24 ? '' : ` AND hour IN (${[...hours].sort().map(literal).join(', ')})`
        return `(year = ${literal(year)} AND month = ${literal(month)} AND day = ${literal(day)}${hourClause})`
      })
    const clauses: string[] = []
    if (whole.size > 0) clauses.push(`(${partitions(whole).join(' OR ')})`)
    if (partial.size > 0) clauses.push(`((${partitions(partial).join(' OR ')}) AND "$path" IN (${named.map((key) => literal(this.lakeUrl + key)).join(', ')}))`)
    const table = `${identifier(this.client.database)}.${identifier(this.table)}`
    const where = clauses.length === 1 ? clauses[0].replace(/^\((.*)\)$/s, '$1') : clauses.join(' OR ')
    return `(SELECT substr("$path", ${this.lakeUrl.length + 1}) AS path, line FROM ${table} WHERE ${where})`
  }

  async query(sql: string, options: {label?: string; signal?: AbortSignal} = {}): Promise<QueryResult> {
    const {columns, rows, stats} = await this.client.query(sql, options)
    return {columns, rows, stats: {queryId: stats.queryId, bytesScanned: stats.bytesScanned, elapsedMs: stats.elapsedMs}}
  }

  /** The queries run so far, their bytes scanned and estimated cost, for the report. */
  async engineStats(): Promise<AthenaEngineStats> {
    const settings = await this.client.workgroupSettings().catch(() => undefined)
    return {
      engine: 'athena',
      workgroup: this.client.workgroup,
      database: this.client.database,
      table: this.table,
      queries: this.client.queries.map(({label, queryId, state, bytesScanned, elapsedMs, costUsd}) => ({label, queryId, state, bytesScanned, elapsedMs, costUsd})),
      bytesScanned: this.client.bytesScanned,
      costUsd: this.client.costUsd,
      usdPerTb: this.client.usdPerTb,
      bytesScannedCutoff: settings?.bytesScannedCutoff ?? null,
    }
  }

  async close(): Promise<void> {
    await this.client.close()
  }
}

/**
 * The terminal report's line about what Athena ran.
 *
 * @example engineStatsLine(stats) // 'Athena: 7 queries in workgroup Pixel scanned 164 MB, about USD 0.0008 (USD 5 per TB, 10 MB at least per query)'
 */
export function engineStatsLine(stats: AthenaEngineStats): string {
  const cost = stats.costUsd >= 0.01 ? stats.costUsd.toFixed(2) : stats.costUsd.toPrecision(2)
  const count = `${stats.queries.length} ${stats.queries.length === 1 ? 'query' : 'queries'}`
  return `Athena: ${count} in workgroup ${stats.workgroup} scanned ${formatScanBytes(stats.bytesScanned)}, about USD ${cost} (USD ${stats.usdPerTb} per TB, 10 MB at least per query)`
}
