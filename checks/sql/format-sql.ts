import {fullFormats as ajvFullFormats} from 'ajv-formats/dist/formats.js'
import type {DialectOps} from './sql-dialect.js'
import {translateRegex} from './regex-translate.js'

const fullFormats = ajvFullFormats as unknown as Record<string, unknown>

/** A format as SQL over a string value (or a number, for the numeric formats). */
export interface FormatPredicate {
  type: 'string' | 'number'
  sql: string
}

const DATE = '^(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)\\z'
const TIME = '(?i)^(\\d\\d):(\\d\\d):(\\d\\d(?:\\.\\d+)?)(z|([+-])(\\d\\d)(?::?(\\d\\d))?)?\\z'
// JavaScript's \s, as ajv-formats splits a date-time with /t|\s/i.
const SEPARATOR = '[tT\\t\\n\\x{B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]'

/** ajv-formats' `date`: the shape, then a real day of its month (leap years included). */
function dateSql(s: string, ops: DialectOps): string {
  const part = (g: number) => `CAST(${ops.capture(s, DATE, g)} AS INTEGER)`
  const [y, m, d] = [part(1), part(2), part(3)]
  const leap = `(${y} % 4 = 0 AND (${y} % 100 <> 0 OR ${y} % 400 = 0))`
  const days = `CASE ${m} WHEN 2 THEN CASE WHEN ${leap} THEN 29 ELSE 28 END WHEN 4 THEN 30 WHEN 6 THEN 30 WHEN 9 THEN 30 WHEN 11 THEN 30 ELSE 31 END`
  return `(${ops.matches(s, DATE)} AND ${m} >= 1 AND ${m} <= 12 AND ${d} >= 1 AND ${d} <= ${days})`
}

/** ajv-formats' `time` (strictTimeZone: a zone is required), leap seconds as it allows them. */
function timeSql(s: string, ops: DialectOps, strictZone: boolean): string {
  const g = (n: number) => ops.capture(s, TIME, n)
  const int = (n: number) => `coalesce(CAST(${g(n)} AS INTEGER), 0)`
  const [hr, min] = [int(1), int(2)]
  const sec = `CAST(${g(3)} AS DOUBLE)`
  const sign = `(CASE WHEN ${g(5)} = '-' THEN -1 ELSE 1 END)`
  const [tzH, tzM] = [int(6), int(7)]
  const utcMin = `(${min} - ${tzM} * ${sign})`
  const utcHr = `(${hr} - ${tzH} * ${sign} - CASE WHEN ${utcMin} < 0 THEN 1 ELSE 0 END)`
  return `(${ops.matches(s, TIME)} AND ${tzH} <= 23 AND ${tzM} <= 59${strictZone ? ` AND ${g(4)} IS NOT NULL` : ''} AND ((${hr} <= 23 AND ${min} <= 59 AND ${sec} < 60) OR (${utcHr} IN (23, -1) AND ${utcMin} IN (59, -1) AND ${sec} < 61)))`
}

function dateTimeSql(s: string, ops: DialectOps, strictZone: boolean): string {
  // Exactly two parts around one separator, each judged as ajv-formats judges it.
  const shape = `^([^tT\\s\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}\\x{B}]*)${SEPARATOR}([^tT\\s\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}\\x{B}]*)\\z`
  const date = ops.capture(s, shape, 1)
  const time = ops.capture(s, shape, 2)
  return `(${ops.matches(s, shape)} AND ${dateSql(date, ops)} AND ${timeSql(time, ops, strictZone)})`
}

/**
 * The SQL of an ajv-formats format (full mode, the one pixel loads) over the string `s` (or the
 * number `n`): ajv-formats' own regular expressions, translated where they mean the same in RE2
 * and Java, and its date and time functions written out. Undefined when it cannot be expressed
 * (lookarounds in `duration` and `url`, `regex`, `byte`) or ajv does not know the format.
 *
 * @example formatPredicate('uuid', "json_extract_string(v, '$')", 'n', DUCKDB)
 */
export function formatPredicate(name: string, s: string, n: string, ops: DialectOps): FormatPredicate | undefined {
  switch (name) {
    case 'date':
      return {type: 'string', sql: dateSql(s, ops)}
    case 'time':
      return {type: 'string', sql: timeSql(s, ops, true)}
    case 'iso-time':
      return {type: 'string', sql: timeSql(s, ops, false)}
    case 'date-time':
      return {type: 'string', sql: dateTimeSql(s, ops, true)}
    case 'iso-date-time':
      return {type: 'string', sql: dateTimeSql(s, ops, false)}
    case 'int32':
      return {type: 'number', sql: `${n} = floor(${n}) AND ${n} <= 2147483647 AND ${n} >= -2147483648`}
    case 'int64':
      return {type: 'number', sql: `${n} = floor(${n})`}
    case 'float':
    case 'double':
    case 'password':
    case 'binary':
      return {type: name === 'float' || name === 'double' ? 'number' : 'string', sql: 'true'}
    case 'uri': {
      // ajv-formats: NOT_URI_FRAGMENT (a / or :) and its URI expression.
      const re = regexOf(fullFormats.uri === undefined ? undefined : URI_SOURCE)
      return re === undefined ? undefined : {type: 'string', sql: `(${ops.matches(s, '[/:]')} AND ${ops.matches(s, re)})`}
    }
    case 'hostname': {
      // The lookahead (?=.{1,253}\.?$) written as a length test beside the rest of the expression.
      const format = fullFormats.hostname as RegExp
      const rest = translateRegex(format.source.replace('(?=.{1,253}\\.?$)', ''), format.flags)
      const length = translateRegex('^.{1,253}\\.?$', '')
      if ('reason' in rest || 'reason' in length) return undefined
      return {type: 'string', sql: `(${ops.matches(s, length.pattern)} AND ${ops.matches(s, rest.pattern)})`}
    }
    default: {
      const format = fullFormats[name]
      if (!(format instanceof RegExp) || format.flags.includes('g') || format.flags.includes('m')) return undefined
      const re = translateRegex(format.source, format.flags)
      return 'reason' in re ? undefined : {type: 'string', sql: ops.matches(s, re.pattern)}
    }
  }
}

/** ajv-formats keeps its full `uri` expression private; this is its source, as ajv-formats 3 ships it (held equal by a test). */
export const URI_SOURCE =
  "^(?:[a-z][a-z0-9+\\-.]*:)(?:\\/?\\/(?:(?:[a-z0-9\\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:\\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|(?:(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:){0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)(?:[0-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)\\.){3}(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|(?:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\\.[a-z0-9\\-._~!$&'()*+,;=:]+)\\]|(?:(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)\\.){3}(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)|(?:[a-z0-9\\-._~!$&'()*+,;=]|%[0-9a-f]{2})*)(?::\\d*)?(?:\\/(?:[a-z0-9\\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*|\\/(?:(?:[a-z0-9\\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\\/(?:[a-z0-9\\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\\/(?:[a-z0-9\\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)(?:\\?(?:[a-z0-9\\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?$"

function regexOf(source: string | undefined): string | undefined {
  if (source === undefined) return undefined
  const re = translateRegex(source, 'i')
  return 'reason' in re ? undefined : re.pattern
}
