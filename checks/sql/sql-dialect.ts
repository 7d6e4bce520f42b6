import type {SqlDialect} from './sql-executor.js'

/**
 * The few SQL forms that differ between Trino (Athena engine version 3) and DuckDB, so the query
 * builder and the schema compiler write each check once. Every value expression `v` is of the
 * engine's JSON type; SQL NULL means "absent".
 */
export interface DialectOps {
  readonly dialect: SqlDialect
  /** A string literal. */
  lit(text: string): string
  /** Parses a piece of text into the engine's JSON type (the piece is known to be valid JSON). */
  parse(text: string): string
  /** Whether a text is one JSON value (NULL-safe: false for NULL). */
  isJson(text: string): string
  /** The member `name` of `v`, or NULL when `v` is no object or has no such member; undefined when the dialect cannot name it. */
  member(v: string, name: string): string | undefined
  /** One of 'object', 'array', 'string', 'number', 'boolean', 'null', or NULL when `v` is NULL. */
  kind(v: string): string
  /** A JSON number as DOUBLE. */
  num(v: string): string
  /** A JSON string's value as text. */
  str(v: string): string
  /** A JSON array's elements, as an array of JSON. */
  elements(v: string): string
  /** An object's member names, as an array of text. */
  keys(v: string): string
  /** The length of an array. */
  len(list: string): string
  /** How many elements of `list` satisfy `pred` (written over the lambda variable `x`). */
  countWhere(list: string, x: string, pred: string): string
  /** The 0-based index of the first element satisfying `pred`, -1 when none. */
  firstWhere(list: string, x: string, pred: string): string
  /** The elements of a text array that are not NULL. */
  compact(list: string): string
  /** An array literal of text expressions. */
  array(items: string[]): string
  /** Whether `text` holds a match of an RE2/Java-compatible regular expression (a search, as RegExp.test). */
  matches(text: string, pattern: string): string
  /** A capture group of the first match, NULL when there is none. */
  capture(text: string, pattern: string, group: number): string
  /** The MD5 of a text's UTF-8 bytes, as 32 lowercase hex digits. */
  md5(text: string): string
  /** A DOUBLE or integer as text (for ids that are numbers). */
  numText(value: string): string
  /** Milliseconds since the epoch of an ISO-8601 time text, NULL when it is none. */
  epochMs(text: string): string
  /** Splits a text at a literal separator. */
  split(text: string, separator: string): string
  /** A 64-bit integer type name. */
  readonly bigint: string
  /** Truncation toward zero of a DOUBLE. */
  trunc(x: string): string
  /** The first element of `list` satisfying `pred`, NULL when none. */
  firstOf(list: string, x: string, pred: string): string
  /** The values of the members of object `v` whose name (the lambda variable `k`) satisfies `pred`, as an array of JSON. */
  memberValues(v: string, k: string, pred: string): string
  /** The distinct count of a JSON array's elements by their JSON text. */
  distinctCount(list: string): string
  /** Replaces every match of a regular expression. */
  replaceAll(text: string, pattern: string, replacement: string): string
  /** `FROM <relation> CROSS JOIN UNNEST(list) AS t(x)`: the join clause after a relation. */
  unnest(list: string, alias: string, column: string): string
  /** A histogram of non-NULL values as JSON text `{"value": count}`. */
  histogramJson(expr: string): string
  /** Milliseconds since the epoch of a UTC civil time given as integer expressions. */
  civilMs(y: string, m: string, d: string, h: string, mi: string, s: string): string
  /** A JSON value as its JSON text. */
  jsonText(v: string): string
  /** The first `n` values of `expr` in the group by `order`, joined with `separator`. */
  firstValues(expr: string, order: string, n: number, separator: string): string
  /** An array of text joined with a separator expression. */
  join(list: string, separator: string): string
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`

/** A JSON pointer token (RFC 6901). */
export const pointerToken = (name: string) => name.replaceAll('~', '~0').replaceAll('/', '~1')

export const DUCKDB: DialectOps = {
  dialect: 'duckdb',
  lit: quote,
  parse: (t) => `json(${t})`,
  isJson: (t) => `coalesce(json_valid(${t}), false)`,
  member: (v, name) => `json_extract(${v}, ${quote(`/${pointerToken(name)}`)})`,
  kind: (v) => `CASE json_type(${v}) WHEN 'OBJECT' THEN 'object' WHEN 'ARRAY' THEN 'array' WHEN 'VARCHAR' THEN 'string' WHEN 'BOOLEAN' THEN 'boolean' WHEN 'NULL' THEN 'null' WHEN 'BIGINT' THEN 'number' WHEN 'UBIGINT' THEN 'number' WHEN 'DOUBLE' THEN 'number' WHEN 'HUGEINT' THEN 'number' END`,
  num: (v) => `TRY_CAST(json_extract_string(${v}, '$') AS DOUBLE)`,
  str: (v) => `json_extract_string(${v}, '$')`,
  // The cast makes a null element SQL NULL, which every rule reads as absent: it must stay JSON null.
  elements: (v) => `list_transform(TRY_CAST(${v} AS JSON[]), lambda je: coalesce(je, json('null')))`,
  keys: (v) => `json_keys(CASE WHEN json_type(${v}) = 'OBJECT' THEN ${v} END)`,
  len: (list) => `len(${list})`,
  countWhere: (list, x, pred) => `len(list_filter(${list}, lambda ${x}: coalesce(${pred}, false)))`,
  firstWhere: (list, x, pred) => `(coalesce(list_position(list_transform(${list}, lambda ${x}: coalesce(${pred}, false)), true), 0) - 1)`,
  compact: (list) => `list_filter(${list}, lambda e: e IS NOT NULL)`,
  array: (items) => (items.length === 0 ? `CAST([] AS VARCHAR[])` : `[${items.join(', ')}]`),
  matches: (t, p) => `regexp_matches(${t}, ${quote(p)})`,
  capture: (t, p, g) => `nullif(regexp_extract(${t}, ${quote(p)}, ${g}), '')`,
  md5: (t) => `md5(${t})`,
  numText: (v) => `CAST(${v} AS VARCHAR)`,
  epochMs: (t) => `epoch_ms(TRY_CAST(${t} AS TIMESTAMPTZ))`,
  split: (t, s) => `string_split(${t}, ${quote(s)})`,
  bigint: 'BIGINT',
  trunc: (x) => `trunc(${x})`,
  firstOf: (list, x, pred) => `list_filter(${list}, lambda ${x}: coalesce(${pred}, false))[1]`,
  memberValues: (v, k, pred) => `list_transform(list_filter(json_keys(CASE WHEN json_type(${v}) = 'OBJECT' THEN ${v} END), lambda ${k}: coalesce(${pred}, false)), lambda ${k}: json_extract(${v}, '/' || replace(replace(${k}, '~', '~0'), '/', '~1')))`,
  distinctCount: (list) => `len(list_distinct(list_transform(${list}, lambda u: CAST(u AS VARCHAR))))`,
  replaceAll: (t, p, r) => `regexp_replace(${t}, ${quote(p)}, ${r}, 'g')`,
  unnest: (list, alias, column) => `CROSS JOIN UNNEST(${list}) AS ${alias}(${column})`,
  histogramJson: (e) => `CAST(CAST(histogram(${e}) AS JSON) AS VARCHAR)`,
  civilMs: (y, m, d, h, mi, s) => `epoch_ms(make_timestamp(${y}, ${m}, ${d}, ${h}, ${mi}, ${s}))`,
  jsonText: (v) => `CAST(${v} AS VARCHAR)`,
  firstValues: (e, o, n, sep) => `array_to_string(list(${e} ORDER BY ${o})[1:${n}], ${sep})`,
  join: (list, sep) => `array_to_string(${list}, ${sep})`,
}

/** Trino's legacy JSON path names a member in brackets; a name holding a quote or backslash cannot be written there safely. */
const trinoPathName = (name: string) => (/["\\]/.test(name) ? undefined : `$["${name}"]`)

export const TRINO: DialectOps = {
  dialect: 'trino',
  lit: quote,
  parse: (t) => `json_parse(${t})`,
  isJson: (t) => `(try(json_parse(${t})) IS NOT NULL)`,
  member: (v, name) => {
    const path = trinoPathName(name)
    return path === undefined ? undefined : `json_extract(${v}, ${quote(path)})`
  },
  kind: (v) => `CASE WHEN ${v} IS NULL THEN NULL ELSE CASE substr(json_format(${v}), 1, 1) WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN '"' THEN 'string' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' WHEN 'n' THEN 'null' ELSE 'number' END END`,
  num: (v) => `try_cast(${v} AS DOUBLE)`,
  str: (v) => `try_cast(${v} AS VARCHAR)`,
  // As in DuckDB: a null element must stay JSON null, never SQL NULL (absent).
  elements: (v) => `transform(try_cast(${v} AS ARRAY(JSON)), je -> coalesce(je, json_parse('null')))`,
  keys: (v) => `map_keys(try_cast(${v} AS MAP(VARCHAR, JSON)))`,
  len: (list) => `cardinality(${list})`,
  countWhere: (list, x, pred) => `cardinality(filter(${list}, ${x} -> coalesce(${pred}, false)))`,
  firstWhere: (list, x, pred) => `(array_position(transform(${list}, ${x} -> coalesce(${pred}, false)), true) - 1)`,
  compact: (list) => `filter(${list}, e -> e IS NOT NULL)`,
  array: (items) => (items.length === 0 ? `CAST(ARRAY[] AS ARRAY(VARCHAR))` : `ARRAY[${items.join(', ')}]`),
  matches: (t, p) => `regexp_like(${t}, ${quote(p)})`,
  capture: (t, p, g) => `regexp_extract(${t}, ${quote(p)}, ${g})`,
  md5: (t) => `lower(to_hex(md5(to_utf8(${t}))))`,
  numText: (v) => `CAST(${v} AS VARCHAR)`,
  epochMs: (t) => `CAST(to_unixtime(try(from_iso8601_timestamp(${t}))) * 1000 AS BIGINT)`,
  split: (t, s) => `split(${t}, ${quote(s)})`,
  bigint: 'BIGINT',
  trunc: (x) => `truncate(${x})`,
  firstOf: (list, x, pred) => `element_at(filter(${list}, ${x} -> coalesce(${pred}, false)), 1)`,
  memberValues: (v, k, pred) => `map_values(map_filter(try_cast(${v} AS MAP(VARCHAR, JSON)), (${k}, ${k}_value) -> coalesce(${pred}, false)))`,
  distinctCount: (list) => `cardinality(array_distinct(transform(${list}, u -> json_format(u))))`,
  replaceAll: (t, p, r) => `regexp_replace(${t}, ${quote(p)}, ${r})`,
  unnest: (list, alias, column) => `CROSS JOIN UNNEST(${list}) AS ${alias}(${column})`,
  histogramJson: (e) => `json_format(CAST(histogram(${e}) AS JSON))`,
  civilMs: (y, m, d, h, mi, s) => `CAST(to_unixtime(from_iso8601_timestamp(format('%04d-%02d-%02dT%02d:%02d:%02dZ', ${y}, ${m}, ${d}, ${h}, ${mi}, ${s}))) * 1000 AS BIGINT)`,
  jsonText: (v) => `json_format(${v})`,
  firstValues: (e, o, n, sep) => `array_join(slice(array_agg(${e} ORDER BY ${o}), 1, ${n}), ${sep})`,
  join: (list, sep) => `array_join(${list}, ${sep})`,
}

export function dialectOps(dialect: SqlDialect): DialectOps {
  return dialect === 'trino' ? TRINO : DUCKDB
}
