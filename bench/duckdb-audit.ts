import {DuckDBInstance} from '@duckdb/node-api'
import {dayObjectsGlob} from '../lake/layout/partition-path.js'

/** What DuckDB finds in one day of the lake: the same questions pixel check answers. */
export interface DuckdbAudit {
  records: number
  /** Records per partition hour, `YYYY-MM-DDTHH`, for the hours that hold any. */
  hours: {hour: string; records: number}[]
  /** Records whose event_id was seen before in the day. */
  duplicateIds: number
  /** Records without a badge, or with an empty one. */
  missingBadge: number
  /** Records whose source is not pixel, canary or replay. */
  badSource: number
  /** Records whose ts is not a time, or lies more than 15 minutes outside its partition hour. */
  badTime: number
}

/** The SQL: one scan of the day's objects, hive partitions read from the paths, explicit columns so nothing is sampled. */
export function auditSql(lake: string, day: string): string {
  const [year, month, date] = day.split('-')
  const glob = `${lake.replace(/\/$/, '')}/${dayObjectsGlob(day)}`.replaceAll("'", "''")
  return `
    WITH events AS (
      SELECT event_id, ts, source, badge, hour,
             make_timestamp(${Number(year)}, ${Number(month)}, ${Number(date)}, hour, 0, 0) AS hour_start
      FROM read_json('${glob}', format = 'newline_delimited', hive_partitioning = true, hive_types = {'hour': 'INTEGER'},
                     columns = {event_id: 'VARCHAR', ts: 'VARCHAR', source: 'VARCHAR', badge: 'VARCHAR'})
    )
    SELECT hour,
           count(*) AS records,
           count(DISTINCT event_id) AS ids,
           count(*) FILTER (badge IS NULL OR badge = '') AS missing_badge,
           count(*) FILTER (source IS NULL OR source NOT IN ('pixel', 'canary', 'replay')) AS bad_source,
           count(*) FILTER (try_cast(ts AS TIMESTAMP) IS NULL
                            OR try_cast(ts AS TIMESTAMP) < hour_start - INTERVAL 15 MINUTE
                            OR try_cast(ts AS TIMESTAMP) >= hour_start + INTERVAL 75 MINUTE) AS bad_time
    FROM events
    GROUP BY GROUPING SETS ((hour), ())
    ORDER BY hour NULLS LAST`
}

/** What DuckDB finds in one day of the team schema's lake (bench's second day). */
export interface DuckdbTeamAudit {
  records: number
  hours: {hour: string; records: number}[]
  duplicateIds: number
  /** Records a field check fails: the team schema's patterns, enums and ranges as SQL. */
  failing: number
}

/**
 * The team day's SQL: every field parsed into typed columns (nested structs and lists), counts per
 * hour, duplicate ids, and the schema's field rules as SQL so that no column is skipped.
 */
export function teamAuditSql(lake: string, day: string): string {
  const glob = `${lake.replace(/\/$/, '')}/${dayObjectsGlob(day)}`.replaceAll("'", "''")
  return `
    WITH events AS (
      SELECT * FROM read_json('${glob}', format = 'newline_delimited', hive_partitioning = true, hive_types = {'hour': 'INTEGER'},
        columns = {event_id: 'VARCHAR', ts: 'VARCHAR', event: 'VARCHAR',
                   app: 'STRUCT(id VARCHAR, version VARCHAR)', "user": 'STRUCT(id VARCHAR, plan VARCHAR)',
                   page: 'STRUCT(url VARCHAR, referrer VARCHAR, title VARCHAR)',
                   client: 'STRUCT(ip VARCHAR, user_agent VARCHAR, screen INTEGER[])',
                   metrics: 'STRUCT(load_ms INTEGER, ttfb_ms INTEGER, cls DOUBLE)',
                   items: 'STRUCT(sku VARCHAR, qty INTEGER, price DOUBLE)[]', tags: 'VARCHAR[]'})
    )
    SELECT hour,
           count(*) AS records,
           count(DISTINCT event_id) AS ids,
           count(*) FILTER (try_cast(ts AS TIMESTAMP) IS NULL
                            OR event NOT IN ('page_view', 'click', 'scroll', 'add_to_cart', 'purchase')
                            OR NOT regexp_full_match(app.id, '[a-z][a-z0-9-]{2,30}')
                            OR NOT regexp_full_match(app.version, '[0-9]+[.][0-9]+[.][0-9]+')
                            OR ("user" IS NOT NULL AND NOT regexp_full_match("user".id, 'u_[0-9]{4,10}'))
                            OR page.url IS NULL OR length(page.title) > 200
                            OR client.ip IS NULL OR length(client.user_agent) > 512 OR len(client.screen) <> 2
                            OR metrics.load_ms NOT BETWEEN 0 AND 600000 OR metrics.cls NOT BETWEEN 0 AND 10
                            OR len(list_filter(items, x -> NOT regexp_full_match(x.sku, '[A-Z]{3}-[0-9]{4}') OR x.qty NOT BETWEEN 1 AND 999 OR x.price <= 0)) > 0
                            OR len(tags) > 10) AS failing
    FROM events
    GROUP BY GROUPING SETS ((hour), ())
    ORDER BY hour NULLS LAST`
}

/**
 * Audits one day of a team-schema lake with DuckDB on `threads` threads (bench's second day).
 *
 * @example const audit = await duckdbTeamAudit('bench/.lake/team-lake', '2026-02-10', 2)
 */
export async function duckdbTeamAudit(lake: string, day: string, threads = 2): Promise<DuckdbTeamAudit> {
  const instance = await DuckDBInstance.create(':memory:', {threads: String(threads)})
  const connection = await instance.connect()
  try {
    const rows = (await connection.runAndReadAll(teamAuditSql(lake, day))).getRowObjectsJS() as Record<string, number | bigint | null>[]
    const total = rows.find((r) => r.hour === null)
    const n = (v: number | bigint | null | undefined) => Number(v ?? 0)
    return {
      records: n(total?.records),
      hours: rows.filter((r) => r.hour !== null).map((r) => ({hour: `${day}T${String(r.hour).padStart(2, '0')}`, records: n(r.records)})),
      duplicateIds: n(total?.records) - n(total?.ids),
      failing: n(total?.failing),
    }
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

/**
 * Audits one day of a local lake with DuckDB on `threads` threads: per-hour counts, duplicate ids
 * and a few field checks, in one query over the same files pixel check reads.
 *
 * @example const audit = await duckdbAudit('bench/.lake/lake', '2026-02-10', 2)
 */
export async function duckdbAudit(lake: string, day: string, threads = 2): Promise<DuckdbAudit> {
  const instance = await DuckDBInstance.create(':memory:', {threads: String(threads)})
  const connection = await instance.connect()
  try {
    const rows = (await connection.runAndReadAll(auditSql(lake, day))).getRowObjectsJS() as Record<string, number | bigint | null>[]
    const total = rows.find((r) => r.hour === null)
    const n = (v: number | bigint | null | undefined) => Number(v ?? 0)
    return {
      records: n(total?.records),
      hours: rows.filter((r) => r.hour !== null).map((r) => ({hour: `${day}T${String(r.hour).padStart(2, '0')}`, records: n(r.records)})),
      duplicateIds: n(total?.records) - n(total?.ids),
      missingBadge: n(total?.missing_badge),
      badSource: n(total?.bad_source),
      badTime: n(total?.bad_time),
    }
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}
