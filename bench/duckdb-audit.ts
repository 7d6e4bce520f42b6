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
