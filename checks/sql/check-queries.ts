import type {CanaryRule} from '../scan/scan-object.js'
import type {IpPolicy} from '../scan/ip-address.js'
import {type DialectOps, dialectOps} from './sql-dialect.js'
import type {SqlDialect} from './sql-executor.js'
import {type NotChecked, compileSchemaSql} from './schema-sql.js'
import {PARTITION_FOLDERS_SQL_PATTERN} from '../../lake/layout/partition-path.js'

/** What `pixel check` asks of the records, as the query builder needs it. */
export interface CheckQueryOptions {
  schema: Record<string, unknown>
  idField: string
  timeField: string
  toleranceMs: number
  canary?: CanaryRule
  ipField: string
  ipPolicy: IpPolicy
  maxSamples: number
}

/** The queries of one group of objects (see CheckQueries). */
export interface GroupQueries {
  /** Per object: records, valid, canary, misplaced, raw-ip, lag histograms. */
  stats: string
  /** Per object: schema messages, samples, misplaced samples, IPv6 values to classify, lines SQL could not split. */
  details: string
}

export interface CheckQueries {
  /**
   * Builds the per-group queries over a relation of lines (path, line). `arrivals` gives, in ms,
   * the arrival of the objects whose name does not hold it (the Kinesis consumer's names).
   */
  group(relation: string, arrivals?: ReadonlyMap<string, number>): GroupQueries
  /** Duplicate ids across every object of the relation, with the original's key. */
  duplicates(relation: string): string
  /**
   * For a scope too large for one duplicates query: the ids found in both of two relations (two
   * groups of objects), one row per id and object holding it: `id, part (0 or 1), path, hs (the
   * partition hour in ms), nc (its canary records)`. The runner adds these to each group's own
   * duplicates (see runSqlCheck).
   */
  sharedIds(first: string, second: string): string
  /** Schema keywords this dialect does not check. */
  notChecked: NotChecked[]
}

/** Separates the fields SQL packs into one text value (a unit separator: never in a JSON pointer pixel writes). */
export const FIELD_SEPARATOR = '\u001f'
/** Separates the items of a packed list. */
export const ITEM_SEPARATOR = '\u001e'

const PARTITION = `${PARTITION_FOLDERS_SQL_PATTERN}[^/]+\\z`
const ARRIVAL = '-(\\d{4})-(\\d{2})-(\\d{2})-(\\d{2})-(\\d{2})-(\\d{2})-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(\\.[gG][zZ])?\\z'
const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\z'
const IPV4 = '^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\z'
const HOUR_MS = 3_600_000

/**
 * Compiles pixel check's record-level checks for a dialect: how lines become records (a line that
 * is one JSON value, or objects written back to back that each parse; any other line goes back to
 * pixel to be judged exactly as the local engine does), the schema rules, ids, canary, time, lag
 * and the client address, grouped per object so the runner adds them up per hour.
 *
 * @example const q = checkQueries('duckdb', options); await executor.query(q.group(relation).stats)
 */
export function checkQueries(dialect: SqlDialect, options: CheckQueryOptions): CheckQueries {
  const ops = dialectOps(dialect)
  const compiled = compileSchemaSql(options.schema, ops, 'r')
  const errors = compiled.rules.map((rule) => `CASE WHEN ${rule.fails} THEN ${rule.pointer} || chr(31) || ${rule.message} END`)
  const base = (relation: string, arrivals: ReadonlyMap<string, number> = new Map()) => judgedCtes(ops, relation, options, errors, arrivals)
  return {
    notChecked: compiled.notChecked,
    group: (relation, arrivals) => ({stats: statsQuery(ops, base(relation, arrivals)), details: detailsQuery(ops, base(relation, arrivals), options)}),
    // Duplicates need no schema rules: ids count whether their record is valid or not.
    duplicates: (relation) => duplicatesQuery(ops, judgedCtes(ops, relation, options, [], new Map()), options),
    sharedIds: (first, second) => sharedIdsQuery(judgedCtes(ops, `(SELECT 0 AS part, path, line FROM ${first} AS a UNION ALL SELECT 1 AS part, path, line FROM ${second} AS b)`, options, [], new Map(), true)),
  }
}

function canaryTest(ops: DialectOps, rule: CanaryRule | undefined): string {
  if (!rule) return 'false'
  const value = ops.member('r', rule.field)
  if (value === undefined) return 'false'
  const kind = ops.kind(value)
  const tests = [`(${kind} = 'string' AND ${ops.str(value)} = ${ops.lit(rule.value)})`]
  if (rule.value === 'null') tests.push(`${kind} = 'null'`)
  if (rule.value === 'true' || rule.value === 'false') tests.push(`(${kind} = 'boolean' AND ${ops.str(value)} = '${rule.value}')`)
  // A number matches when its JSON.stringify is the value: the value must be a number's canonical text.
  if (rule.value.trim() !== '' && Number.isFinite(Number(rule.value)) && JSON.stringify(Number(rule.value)) === rule.value) tests.push(`(${kind} = 'number' AND ${ops.num(value)} = ${rule.value})`)
  return `coalesce(${tests.join(' OR ')}, false)`
}

function judgedCtes(ops: DialectOps, relation: string, options: CheckQueryOptions, errors: string[], arrivals: ReadonlyMap<string, number>, withPart = false): string {
  // With two groups in one relation: which one a line came from (the relation's part column) goes along.
  const carried = withPart ? 'part, ' : ''
  const blank = `NOT ${ops.matches('line', '[^ \\t\\r\\n]')}`
  const cut = ops.split(ops.replaceAll('line', '\\}[ \\t\\r\\n]*\\{', `'}' || chr(30) || '{'`), '\u001e')
  const idValue = ops.member('r', options.idField)
  const id = idValue === undefined
    ? 'CAST(NULL AS VARCHAR)'
    : `CASE ${ops.kind(idValue)} WHEN 'string' THEN CASE WHEN ${ops.str(idValue)} = '' THEN NULL WHEN ${ops.matches(ops.str(idValue), UUID)} THEN 'u:' || lower(replace(${ops.str(idValue)}, '-', '')) ELSE 's:' || ${ops.str(idValue)} END WHEN 'number' THEN 's:#' || ${ops.numText(ops.num(idValue))} END`
  const timeValue = ops.member('r', options.timeField)
  const time = timeValue === undefined ? `CAST(NULL AS ${ops.bigint})` : `CASE WHEN ${ops.kind(timeValue)} = 'string' THEN ${ops.epochMs(ops.str(timeValue))} END`
  const part = (re: string, g: number) => `CAST(${ops.capture('path', re, g)} AS INTEGER)`
  const hourStart = ops.civilMs(part(PARTITION, 1), part(PARTITION, 2), part(PARTITION, 3), part(PARTITION, 4), '0', '0')
  const named = ops.civilMs(part(ARRIVAL, 1), part(ARRIVAL, 2), part(ARRIVAL, 3), part(ARRIVAL, 4), part(ARRIVAL, 5), part(ARRIVAL, 6))
  const arrival = arrivals.size === 0 ? named : `coalesce(${named}, CASE path ${[...arrivals].map(([key, ms]) => `WHEN ${ops.lit(key)} THEN ${ms}`).join(' ')} END)`
  const ipValue = ops.member('r', options.ipField)
  const ipSeen = ipValue === undefined ? 'false' : `coalesce(${ops.kind(ipValue)} <> 'null', false)`
  const ipText = ipValue === undefined ? 'CAST(NULL AS VARCHAR)' : `CASE WHEN ${ops.kind(ipValue)} = 'string' THEN ${ops.str(ipValue)} END`
  const octet = (g: number) => `CAST(${ops.capture('ip', IPV4, g)} AS INTEGER)`
  const rawIpV4 = `coalesce(${ops.matches('ip', IPV4)} AND ${octet(1)} <= 255 AND ${octet(2)} <= 255 AND ${octet(3)} <= 255 AND ${octet(4)} <= 255 AND ${octet(4)} <> 0, false)`
  const rawIp = options.ipPolicy === 'omit' ? 'ip_seen' : options.ipPolicy === 'full' ? 'false' : rawIpV4
  const judge = `${ops.compact(ops.array(errors.length === 0 ? ['CAST(NULL AS VARCHAR)'] : errors))} AS errs,
         ${canaryTest(ops, options.canary)} AS is_canary,
         ${id} AS id,
         ${time} AS t,`
  const {members, expressions} = ops.dialect === 'duckdb' ? rootMembers(judge, ipSeen, ipText) : {members: undefined, expressions: [judge, ipSeen, ipText]}
  return `WITH lines AS ${relation},
split AS (
  SELECT ${carried}path, line,
         CASE WHEN ${ops.isJson('line')} THEN ${ops.array(['line'])}
              WHEN ${ops.countWhere(cut, 'p', `NOT ${ops.isJson('p')}`)} = 0 THEN ${cut}
         END AS pieces
  FROM lines
  WHERE line IS NOT NULL AND NOT (${blank})
),
records AS (
  SELECT ${carried}path, ${ops.parse('piece')} AS r
  FROM split ${ops.unnest('pieces', 'cut', 'piece')}
  WHERE pieces IS NOT NULL
),
${members === undefined ? '' : `members AS (
  SELECT ${carried}path, r, ${members} AS m
  FROM records
),
`}fields AS (
  SELECT ${carried}path, r,
         ${expressions[0]}
         ${hourStart} AS hs,
         ${arrival} AS arrival,
         ${expressions[1]} AS ip_seen,
         ${expressions[2]} AS ip
  FROM ${members === undefined ? 'records' : 'members'}
),
judged AS (
  SELECT ${carried}path, r, errs, is_canary, id, t, hs, arrival, ip_seen, ip,
         ${ops.len('errs')} = 0 AS valid,
         ${rawIp} AS raw_ip,
         coalesce(${ops.len('errs')} = 0 AND t IS NOT NULL AND (t < hs - ${options.toleranceMs} OR t >= hs + ${HOUR_MS + options.toleranceMs}), false) AS misplaced,
         coalesce(${ops.len('errs')} = 0 AND t >= hs - ${options.toleranceMs} AND t < hs + ${HOUR_MS + options.toleranceMs}, false) AS placed
  FROM fields
)`
}

function statsQuery(ops: DialectOps, ctes: string): string {
  const lag = 'arrival - t'
  const minute = `CASE WHEN ${lag} <= 0 THEN 0 ELSE least(1440, CAST(floor((${lag}) / 60000.0) AS ${ops.bigint})) END`
  return `${ctes}
SELECT path,
       count(*) AS records,
       count_if(valid) AS valid,
       count_if(is_canary) AS canary,
       count_if(is_canary AND valid) AS canary_valid,
       count_if(misplaced) AS misplaced,
       count_if(raw_ip) AS raw_ip,
       count_if(ip_seen) AS ip_seen,
       ${ops.histogramJson(`CASE WHEN placed AND NOT is_canary THEN ${minute} END`)} AS lag_real,
       ${ops.histogramJson(`CASE WHEN placed AND is_canary THEN ${minute} END`)} AS lag_canary,
       max(CASE WHEN placed AND NOT is_canary THEN ${lag} END) AS lag_max_real,
       max(CASE WHEN placed AND is_canary THEN ${lag} END) AS lag_max_canary
FROM judged
GROUP BY path
ORDER BY path`
}

function detailsQuery(ops: DialectOps, ctes: string, options: CheckQueryOptions): string {
  const n = options.maxSamples
  const ipv6 = options.ipPolicy === 'anonymise' ? `
UNION ALL
SELECT 'ipv6' AS kind, path, ip AS a, CAST(count(*) AS VARCHAR) AS b
FROM judged
WHERE ip IS NOT NULL AND strpos(ip, ':') > 0
GROUP BY path, ip` : ''
  return `${ctes}
SELECT 'message' AS kind, path, e AS a, CAST(count(*) AS VARCHAR) AS b
FROM judged ${ops.unnest('errs', 'err', 'e')}
GROUP BY path, e
UNION ALL
SELECT 'invalid' AS kind, path, ${ops.firstValues(ops.join('errs', 'chr(30)'), ops.join('errs', 'chr(30)'), n, 'chr(29)')} AS a, NULL AS b
FROM judged
WHERE NOT valid
GROUP BY path
UNION ALL
SELECT 'misplaced' AS kind, path, ${ops.firstValues('CAST(t AS VARCHAR)', 't', n, 'chr(29)')} AS a, NULL AS b
FROM judged
WHERE misplaced
GROUP BY path${ipv6}
UNION ALL
SELECT 'rest' AS kind, path, line AS a, NULL AS b
FROM split
WHERE pieces IS NULL`
}

function duplicatesQuery(ops: DialectOps, ctes: string, options: CheckQueryOptions): string {
  return `${ctes},
ids AS (
  SELECT id, path, hs, count(*) AS n, count_if(is_canary) AS nc
  FROM judged
  WHERE id IS NOT NULL
  GROUP BY id, path, hs
),
ranked AS (
  SELECT id, path, n, nc,
         row_number() OVER (PARTITION BY id ORDER BY hs, path) AS rk,
         first_value(path) OVER (PARTITION BY id ORDER BY hs, path) AS original,
         row_number() OVER (PARTITION BY id ORDER BY CASE WHEN nc > 0 THEN 0 ELSE 1 END, hs, path) AS rk_canary,
         count(*) OVER (PARTITION BY id) AS paths
  FROM ids
)
SELECT path,
       sum(n - CASE WHEN rk = 1 THEN 1 ELSE 0 END) AS duplicates,
       sum(nc - CASE WHEN rk_canary = 1 AND nc > 0 THEN 1 ELSE 0 END) AS canary_duplicates,
       ${ops.firstValues(`CASE WHEN rk = 1 THEN '' ELSE original END`, `CASE WHEN rk = 1 THEN '' ELSE original END`, options.maxSamples, 'chr(29)')} AS originals
FROM ranked
WHERE paths > 1 OR n > 1
GROUP BY path
ORDER BY path`
}

function sharedIdsQuery(ctes: string): string {
  return `${ctes},
ids AS (
  SELECT id, part, path, hs, count_if(is_canary) AS nc
  FROM judged
  WHERE id IS NOT NULL
  GROUP BY id, part, path, hs
),
shared AS (
  SELECT id
  FROM ids
  GROUP BY id
  HAVING count(DISTINCT part) = 2
)
SELECT id, part, path, hs, nc
FROM ids
WHERE id IN (SELECT id FROM shared)
ORDER BY id, part, hs, path`
}

/**
 * DuckDB's JSON is text: every json_extract(r, …) parses the whole record again, once per rule
 * (0.25 ms a record on the shipped schema). The record's members the rules name are extracted in
 * one parse instead, as a list `m`, and each rule reads its element.
 */
function rootMembers(...sql: string[]): {members: string | undefined; expressions: string[]} {
  const paths: string[] = []
  const MEMBER = /json_extract\(r, ('(?:[^']|'')*')\)/g
  for (const text of sql) for (const match of text.matchAll(MEMBER)) if (!paths.includes(match[1])) paths.push(match[1])
  if (paths.length === 0) return {members: undefined, expressions: sql}
  return {members: `json_extract(r, [${paths.join(', ')}])`, expressions: sql.map((text) => text.replace(MEMBER, (_, path: string) => `m[${paths.indexOf(path) + 1}]`))}
}
