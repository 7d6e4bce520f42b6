import {randomUUID} from 'node:crypto'
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetTableMetadataCommand,
  GetWorkGroupCommand,
  type QueryExecution,
  type ResultConfiguration,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type TableMetadata,
} from '@aws-sdk/client-athena'

import {MAX_QUERY_BYTES} from '../../sql/sql-executor.js'
import {type Backoff, backoffDelay, sleep} from './backoff.js'
import {
  AthenaError,
  AthenaInterruptedError,
  AthenaQueryCancelledError,
  AthenaQueryFailedError,
  AthenaQueryTooLongError,
  AthenaScanLimitError,
  AthenaUnreachableError,
} from './errors.js'
import {DEFAULT_USD_PER_TB, billedBytes, costUsd, formatScanBytes} from './query-cost.js'
import {DEFAULT_ATHENA_CONCURRENCY} from './athena-defaults.js'

export {MAX_QUERY_BYTES}
/** Rows asked for per GetQueryResults page: Athena's maximum. */
export const RESULT_PAGE_SIZE = 1000

export interface AthenaClientOptions {
  /** The workgroup every query runs in (the stack's `AthenaWorkGroup` output). */
  readonly workgroup: string
  /** The Glue database queries name tables in (the stack's `AthenaDatabase` output). */
  readonly database: string
  /** @default 'AwsDataCatalog' */
  readonly catalog?: string
  readonly profile?: string
  readonly region?: string
  /** An Athena-compatible endpoint (moto); else AWS_ENDPOINT_URL_ATHENA, AWS_ENDPOINT_URL, AWS's own. */
  readonly endpointUrl?: string
  /** Queries started and not yet finished, at most. @default 5 */
  readonly concurrency?: number
  /** Where results go when the workgroup neither enforces nor names a location of its own. */
  readonly outputLocation?: string
  /** The price the cost estimate uses. @default 5 */
  readonly usdPerTb?: number
  /** Between GetQueryExecution polls of one query. @default {initialMs: 200, maxMs: 5000} */
  readonly poll?: Backoff
  /** Between tries of a StartQueryExecution refused with TooManyRequestsException. @default {initialMs: 1000, maxMs: 30000} */
  readonly startBackoff?: Backoff
  /** Tries of StartQueryExecution while Athena answers TooManyRequestsException. @default 10 */
  readonly startAttempts?: number
  /** Tries of every other request by the SDK (throttling, 5xx, timeouts). @default 5 */
  readonly maxAttempts?: number
  /** Told each state a query is seen in (QUEUED, RUNNING, ...), as it is seen. */
  readonly onState?: (event: {label: string; queryId: string; state: string}) => void
}

/** What one query cost: the report's `engineStats.queries[]`. */
export interface AthenaQueryStats {
  label: string
  queryId: string
  state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED'
  bytesScanned: number
  elapsedMs: number
  costUsd: number
}

export interface AthenaQueryResult {
  columns: string[]
  rows: (string | null)[][]
  stats: AthenaQueryStats
}

/** The workgroup's settings that shape how queries are sent and how their failures read. */
export interface WorkgroupSettings {
  readonly name: string
  readonly enforced: boolean
  readonly outputLocation?: string
  /** BytesScannedCutoffPerQuery, if the workgroup sets one. */
  readonly bytesScannedCutoff?: number
  readonly engineVersion?: string
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED'])

/** One line for an SDK failure, naming what was being done and what to do. */
function explain(error: unknown, doing: string): AthenaError {
  if (error instanceof AthenaError) return error
  const e = error as {name?: string; code?: string; message?: string; $metadata?: {httpStatusCode?: number}}
  const what = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'error')
  const detail = (e.message ?? '').split('\n')[0]
  let hint = ''
  if (e.name === 'CredentialsProviderError' || /credential/i.test(e.message ?? '')) hint = ': set AWS credentials, --profile or AWS_PROFILE'
  else if (e.$metadata?.httpStatusCode === 403 || e.name === 'AccessDeniedException' || e.name === 'UnrecognizedClientException') {
    hint = ': check that the credentials may use this workgroup (the stack\'s audit role may)'
  } else if (/workgroup/i.test(detail) && /not (found|exist)/i.test(detail)) hint = ': check --workgroup (the stack\'s AthenaWorkGroup output)'
  else if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.name === 'TimeoutError') hint = ': check --endpoint-url, --region and the network'
  return new AthenaUnreachableError(`cannot ${doing}: ${what}${detail && detail !== what ? ` (${detail})` : ''}${hint}`, {cause: error})
}

function isThrottle(error: unknown): boolean {
  const name = (error as {name?: string}).name
  return name === 'TooManyRequestsException' || name === 'ThrottlingException'
}

/** Runs at most `limit` tasks at once, the rest waiting in order. */
class Slots {
  private active = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly limit: number) {}

  async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason
    if (this.active < this.limit) {
      this.active++
      return
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(grant), 1)
        reject(signal!.reason)
      }
      this.waiting.push(grant)
      signal?.addEventListener('abort', onAbort, {once: true})
    })
  }

  release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.active--
  }
}

/**
 * Runs SQL on Athena: StartQueryExecution in one workgroup with the database as context, polling
 * GetQueryExecution with capped, jittered backoff, paging GetQueryResults 1,000 rows at a time.
 * At most `concurrency` queries are in flight; aborting a query's signal, or `close()`, stops
 * the queries that are running with StopQueryExecution. Every query's id, bytes scanned and
 * estimated cost are kept in `queries`.
 *
 * @example
 * const athena = new AthenaQueryClient({workgroup: 'pixel', database: 'pixel'})
 * const {rows} = await athena.query('SELECT count(*) FROM raw_lines', {label: 'count'})
 * await athena.close()
 */
export class AthenaQueryClient {
  readonly workgroup: string
  readonly database: string
  readonly catalog: string
  readonly usdPerTb: number
  /** The queries that ended, in the order they ended. */
  readonly queries: AthenaQueryStats[] = []

  private readonly client: AthenaClient
  private readonly slots: Slots
  private readonly poll: Backoff
  private readonly startBackoff: Backoff
  private readonly startAttempts: number
  private readonly running = new Map<string, string>()
  /** Queries pixel itself stopped: a CANCELLED state there is ours, not someone else's. */
  /** The queries this client asked to stop, with that request (awaited by whoever needs it answered). */
  private readonly stoppedByUs = new Map<string, Promise<void>>()
  private settings?: Promise<WorkgroupSettings>
  private closed = false

  constructor(private readonly options: AthenaClientOptions) {
    this.workgroup = options.workgroup
    this.database = options.database
    this.catalog = options.catalog ?? 'AwsDataCatalog'
    this.usdPerTb = options.usdPerTb ?? DEFAULT_USD_PER_TB
    this.slots = new Slots(Math.max(1, options.concurrency ?? DEFAULT_ATHENA_CONCURRENCY))
    this.poll = options.poll ?? {initialMs: 200, maxMs: 5000, factor: 1.5}
    this.startBackoff = options.startBackoff ?? {initialMs: 1000, maxMs: 30_000}
    this.startAttempts = options.startAttempts ?? 10
    const endpoint = options.endpointUrl ?? process.env.AWS_ENDPOINT_URL_ATHENA ?? process.env.AWS_ENDPOINT_URL ?? undefined
    this.client = new AthenaClient({
      profile: options.profile,
      region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined),
      endpoint,
      maxAttempts: options.maxAttempts ?? 5,
      requestHandler: {connectionTimeout: 5_000, requestTimeout: 60_000, throwOnRequestTimeout: true, socketTimeout: 30_000},
    })
  }

  /** The bytes every query so far scanned, together. */
  get bytesScanned(): number {
    return this.queries.reduce((sum, query) => sum + query.bytesScanned, 0)
  }

  /** The estimated cost of every query so far, in USD. */
  get costUsd(): number {
    return this.queries.reduce((sum, query) => sum + query.costUsd, 0)
  }

  /**
   * The workgroup's settings (GetWorkGroup), read once: whether it enforces its configuration,
   * its result location and its per-query scan limit. A workgroup that is missing or disabled
   * is one line; one the credentials may not describe is used as it is.
   */
  workgroupSettings(): Promise<WorkgroupSettings> {
    this.settings ??= this.readWorkgroup()
    return this.settings
  }

  private async readWorkgroup(): Promise<WorkgroupSettings> {
    let answer
    try {
      answer = await this.client.send(new GetWorkGroupCommand({WorkGroup: this.workgroup}))
    } catch (error) {
      const e = error as {name?: string; $metadata?: {httpStatusCode?: number}}
      // Without athena:GetWorkGroup the workgroup can still run queries: assume it enforces its own settings.
      if (e.name === 'AccessDeniedException' || e.$metadata?.httpStatusCode === 403) return {name: this.workgroup, enforced: true}
      throw explain(error, `read Athena workgroup ${this.workgroup}`)
    }
    const group = answer.WorkGroup
    if (!group) throw new AthenaUnreachableError(`Athena workgroup ${this.workgroup} does not exist: check --workgroup (the stack's AthenaWorkGroup output)`)
    if (group.State && group.State !== 'ENABLED') {
      throw new AthenaUnreachableError(`Athena workgroup ${this.workgroup} is ${group.State}: enable it, or pass another --workgroup`)
    }
    const config = group.Configuration ?? {}
    return {
      name: this.workgroup,
      enforced: config.EnforceWorkGroupConfiguration ?? false,
      outputLocation: config.ResultConfiguration?.OutputLocation,
      bytesScannedCutoff: config.BytesScannedCutoffPerQuery,
      engineVersion: config.EngineVersion?.EffectiveEngineVersion,
    }
  }

  /**
   * Runs one query to its end and returns its rows (the header row of a SELECT taken off),
   * every value a string or null. A query that fails, is cancelled, or exceeds the workgroup's
   * scan limit rejects with one line naming its label and id.
   */
  async query(sql: string, options: {label?: string; signal?: AbortSignal} = {}): Promise<AthenaQueryResult> {
    const label = options.label ?? 'query'
    const bytes = Buffer.byteLength(sql, 'utf8')
    if (bytes > MAX_QUERY_BYTES) {
      throw new AthenaQueryTooLongError(
        `query ${label} is ${bytes.toLocaleString('en-US')} bytes, over Athena's limit of ${MAX_QUERY_BYTES.toLocaleString('en-US')}: not sent; check a shorter scope (--hour, or fewer days with --from/--to)`,
      )
    }
    if (this.closed) throw new AthenaInterruptedError(`query ${label} was not started: the Athena client is closed`)
    const signal = options.signal
    const settings = await this.workgroupSettings()
    try {
      await this.slots.acquire(signal)
    } catch (error) {
      throw this.interrupted(label, undefined, error)
    }
    const started = Date.now()
    let queryId: string | undefined
    try {
      queryId = await this.start(sql, label, settings, signal)
      const execution = await this.waitFor(queryId, label, signal)
      const state = execution.Status?.State as AthenaQueryStats['state']
      const bytesScanned = execution.Statistics?.DataScannedInBytes ?? 0
      const stats: AthenaQueryStats = {
        label,
        queryId,
        state,
        bytesScanned,
        elapsedMs: execution.Statistics?.TotalExecutionTimeInMillis || Date.now() - started,
        costUsd: costUsd(billedBytes(bytesScanned, state), this.usdPerTb),
      }
      this.queries.push(stats)
      if (state === 'CANCELLED' && this.stoppedByUs.has(queryId)) throw this.interrupted(label, queryId, undefined)
      if (state !== 'SUCCEEDED') throw this.unsuccessful(execution, stats, settings)
      const {columns, rows} = await this.results(queryId, label, execution, signal)
      return {columns, rows, stats}
    } catch (error) {
      if (signal?.aborted || this.closed) {
        // Said stopped only once Athena has been asked to stop it (an abort's stop may still be on its way).
        if (queryId !== undefined) await this.stop(queryId)
        throw this.interrupted(label, queryId, error)
      }
      throw error
    } finally {
      if (queryId !== undefined) this.running.delete(queryId)
      this.slots.release()
    }
  }

  /**
   * The catalog's description of a table of the database (GetTableMetadata): its columns and
   * parameters (`location` among them). Undefined where it cannot be asked (no permission, an
   * endpoint without the call); a table that does not exist rejects with one line.
   */
  async tableMetadata(table: string): Promise<TableMetadata | undefined> {
    try {
      return (await this.client.send(new GetTableMetadataCommand({CatalogName: this.catalog, DatabaseName: this.database, TableName: table}))).TableMetadata
    } catch (error) {
      const e = error as {name?: string; message?: string}
      if (e.name === 'MetadataException' && /not found|does not exist/i.test(e.message ?? '')) {
        throw new AthenaUnreachableError(
          `Athena table ${this.database}.${table} does not exist: check --database and --table (the stack's AthenaDatabase and AthenaRawTable outputs)`,
          {cause: error},
        )
      }
      return undefined
    }
  }

  /** Stops every query still running (StopQueryExecution), and refuses new ones. */
  async close(): Promise<void> {
    this.closed = true
    await this.stopRunning()
    this.client.destroy()
  }

  /** Stops every query still running, as Ctrl-C does; the client stays usable. */
  async stopRunning(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)))
  }

  /** Asks Athena to stop a query, once; every caller waits for that one request's answer. */
  private stop(queryId: string): Promise<void> {
    let request = this.stoppedByUs.get(queryId)
    if (request === undefined) {
      request = this.client.send(new StopQueryExecutionCommand({QueryExecutionId: queryId})).then(
        () => {},
        // Already finished, or unreachable: nothing more can be done for it here.
        () => {},
      )
      this.stoppedByUs.set(queryId, request)
    }
    return request
  }

  private async start(sql: string, label: string, settings: WorkgroupSettings, signal?: AbortSignal): Promise<string> {
    // One token for every try: a start that reached Athena before its answer was lost is not run twice.
    const token = randomUUID()
    // An enforcing workgroup ignores (or refuses) a location of the client's; one with its own uses it.
    const location = settings.enforced || settings.outputLocation ? undefined : this.options.outputLocation
    const resultConfiguration: ResultConfiguration | undefined = location ? {OutputLocation: location} : undefined
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await this.client.send(
          new StartQueryExecutionCommand({
            QueryString: sql,
            ClientRequestToken: token,
            WorkGroup: this.workgroup,
            QueryExecutionContext: {Database: this.database, Catalog: this.catalog},
            ResultConfiguration: resultConfiguration,
          }),
          // No abortSignal: a start cut off mid-flight may still run, unseen; let it answer, then stop it.
        )
        const id = answer.QueryExecutionId!
        this.running.set(id, label)
        // Aborted while the answer was on its way: stop it now, it would run on otherwise.
        if (signal?.aborted) await this.stop(id)
        return id
      } catch (error) {
        if (signal?.aborted) throw error
        if (isThrottle(error) && attempt + 1 < this.startAttempts) {
          await sleep(backoffDelay(this.startBackoff, attempt), signal)
          continue
        }
        if (isThrottle(error)) {
          throw new AthenaUnreachableError(
            `cannot start query ${label}: Athena answered TooManyRequestsException ${this.startAttempts} times (the account's active-query quota counts queued queries too): lower --athena-concurrency, or wait for other queries in this account to finish`,
            {cause: error},
          )
        }
        if ((error as {name?: string}).name === 'InvalidRequestException' && /output location/i.test((error as Error).message)) {
          throw new AthenaUnreachableError(
            `cannot start query ${label}: workgroup ${this.workgroup} has no query result location: set one on the workgroup (the stack's workgroup has one)`,
            {cause: error},
          )
        }
        throw explain(error, `start query ${label} in workgroup ${this.workgroup}`)
      }
    }
  }

  private async waitFor(queryId: string, label: string, signal?: AbortSignal): Promise<QueryExecution> {
    const onAbort = () => void this.stop(queryId)
    signal?.addEventListener('abort', onAbort, {once: true})
    try {
      let lastState: string | undefined
      for (let attempt = 0; ; attempt++) {
        let execution: QueryExecution | undefined
        try {
          execution = (await this.client.send(new GetQueryExecutionCommand({QueryExecutionId: queryId}))).QueryExecution
        } catch (error) {
          throw explain(error, `follow query ${label} (${queryId})`)
        }
        const state = execution?.Status?.State ?? 'UNKNOWN'
        if (state !== lastState) {
          lastState = state
          this.options.onState?.({label, queryId, state})
        }
        if (TERMINAL.has(state)) return execution!
        if (signal?.aborted) await this.stop(queryId)
        // After a stop, look again soon: Athena settles a cancel within a poll or two.
        await sleep(this.stoppedByUs.has(queryId) ? this.poll.initialMs : backoffDelay(this.poll, attempt))
      }
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  private async results(queryId: string, label: string, execution: QueryExecution, signal?: AbortSignal): Promise<{columns: string[]; rows: (string | null)[][]}> {
    let columns: string[] = []
    const rows: (string | null)[][] = []
    let token: string | undefined
    let first = true
    do {
      let page
      try {
        page = await this.client.send(new GetQueryResultsCommand({QueryExecutionId: queryId, MaxResults: RESULT_PAGE_SIZE, NextToken: token}), {abortSignal: signal})
      } catch (error) {
        throw explain(error, `read the results of query ${label} (${queryId})`)
      }
      const set = page.ResultSet
      let pageRows = (set?.Rows ?? []).map((row) => (row.Data ?? []).map((datum) => datum.VarCharValue ?? null))
      if (first) {
        columns = (set?.ResultSetMetadata?.ColumnInfo ?? []).map((column) => column.Name ?? '')
        // The first row of a SELECT's first page is its header, not data.
        const header = pageRows[0]
        if (execution.StatementType === 'DML' && header && header.length === columns.length && header.every((value, i) => value === columns[i])) {
          pageRows = pageRows.slice(1)
        }
        first = false
      }
      for (const row of pageRows) rows.push(row)
      token = page.NextToken
    } while (token)
    return {columns, rows}
  }

  private unsuccessful(execution: QueryExecution, stats: AthenaQueryStats, settings: WorkgroupSettings): AthenaError {
    const reason = (execution.Status?.StateChangeReason ?? '').split('\n')[0].trim()
    const error = execution.Status?.AthenaError
    const where = `query ${stats.label} (${stats.queryId})`
    if (stats.state === 'FAILED') {
      const kind = error?.ErrorType !== undefined ? ` [${error.ErrorCategory === 1 ? 'system' : error.ErrorCategory === 2 ? 'user' : 'error'} ${error.ErrorType}]` : ''
      const hint = /HIVE_BAD_DATA|HIVE_CURSOR_ERROR|Unexpected end of input|incorrect header check|not in gzip format/i.test(reason) ? ': an object of the scope may be corrupt' : ''
      return new AthenaQueryFailedError(stats.queryId, `Athena ${where} failed${kind}: ${reason || 'no reason given'}${hint}`, {path: /s3:\/\/[^\s'"()]+/.exec(reason)?.[0]})
    }
    const cutoff = settings.bytesScannedCutoff
    const byLimit = /bytes scanned limit|data scanned limit|BytesScannedCutoff/i.test(reason) || (cutoff !== undefined && stats.bytesScanned >= cutoff)
    if (byLimit) {
      const limit = cutoff === undefined ? 'its limit' : `its limit of ${formatScanBytes(cutoff)}`
      return new AthenaScanLimitError(
        stats.queryId,
        `Athena cancelled ${where} after it scanned ${formatScanBytes(stats.bytesScanned)}: more than workgroup ${settings.name} allows per query (BytesScannedCutoffPerQuery, ${limit}); check a shorter scope, or raise the limit (the stack's athenaBytesScannedCutoff prop)`,
      )
    }
    const maybe = cutoff === undefined ? '' : `; if no one stopped it, the workgroup's limit of ${formatScanBytes(cutoff)} per query may have`
    return new AthenaQueryCancelledError(stats.queryId, `Athena ${where} was cancelled, not by pixel: ${reason || 'no reason given'}${maybe}; run the check again`)
  }

  private interrupted(label: string, queryId: string | undefined, cause: unknown): AthenaError {
    const what = queryId === undefined ? `query ${label} was not started` : `query ${label} (${queryId}) was stopped`
    return new AthenaInterruptedError(`interrupted: ${what}`, {cause})
  }
}
