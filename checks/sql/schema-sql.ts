import {type DialectOps, pointerToken} from './sql-dialect.js'
import {formatPredicate} from './format-sql.js'
import {translateRegex} from './regex-translate.js'

/** One rule of the schema as SQL: when `fails` is true for a record, it breaks the rule at `pointer`. */
export interface SchemaRule {
  keyword: string
  /** SQL text expression: the JSON pointer of the offending value, as ajv's instancePath. */
  pointer: string
  /** SQL text expression: ajv's message for the rule, with the detail pixel adds (allowed values, the extra property). */
  message: string
  /** SQL boolean, never NULL. */
  fails: string
}

/** A keyword of the schema this engine does not check, with where it is and why. Never silently passed: the report lists it. */
export interface NotChecked {
  /** The keyword's place in the schema, as a JSON pointer (`/properties/ts/format`). */
  pointer: string
  keyword: string
  reason: string
}

export interface CompiledSchema {
  rules: SchemaRule[]
  notChecked: NotChecked[]
}

/** How deep nested objects and arrays are compiled; deeper subschemas are reported as not checked. */
export const MAX_SCHEMA_DEPTH = 8

/** Keywords that never judge a value (annotations, and containers read where they are referenced). */
const ANNOTATIONS = new Set([
  '$schema', '$id', 'id', '$comment', '$anchor', '$vocabulary', 'title', 'description', 'default', 'examples', 'readOnly', 'writeOnly', 'deprecated',
  'definitions', '$defs', 'contentMediaType', 'contentEncoding', 'contentSchema', 'then', 'else', 'format', 'additionalItems',
])

/** Why not, oneOf and an if condition are not compiled when a keyword inside them is not: judged leniently there, they would reject what ajv accepts. */
const UNCERTAIN = 'holds a keyword not checked on this engine, whose result it depends on'

/** Keywords ajv knows that this compiler does not express in SQL. */
const NOT_EXPRESSED: Record<string, string> = {
  unevaluatedProperties: 'depends on which properties other subschemas evaluated',
  unevaluatedItems: 'depends on which items other subschemas evaluated',
  prefixItems: 'tuple items are not compiled',
  minContains: 'not compiled',
  maxContains: 'not compiled',
  dependentSchemas: 'not compiled',
  $dynamicRef: 'dynamic references are not compiled',
  $recursiveRef: 'recursive references are not compiled',
  discriminator: 'not compiled',
}

interface Context {
  ops: DialectOps
  root: Record<string, unknown>
  notChecked: NotChecked[]
  vars: number
}

interface Pointer {
  /** SQL text expression. */
  sql: string
  /** Whether it depends on no lambda variable (so it can be used outside one). */
  fixed: boolean
}

const json = (v: unknown) => JSON.stringify(v)
const fmt = (n: number) => String(n)

/**
 * Compiles a JSON Schema into SQL rules over a record `record` (a JSON value expression), in a
 * dialect. What SQL cannot express (or this compiler does not) is returned in `notChecked`.
 *
 * @example compileSchemaSql(schema, DUCKDB, 'r').rules.map((r) => r.fails)
 */
export function compileSchemaSql(schema: Record<string, unknown> | boolean, ops: DialectOps, record: string): CompiledSchema {
  const ctx: Context = {ops, root: typeof schema === 'object' ? schema : {}, notChecked: [], vars: 0}
  const rules = checks(schema, record, {sql: "''", fixed: true}, '', ctx, 0)
  return {rules, notChecked: ctx.notChecked}
}

/** Whether the schema is read as 2020-12 (prefixItems, then items for the rest), as record-validator.ts picks ajv's dialect. */
const is2020 = (ctx: Context) => typeof ctx.root.$schema === 'string' && ctx.root.$schema.includes('2020-12')

/** The SQL boolean "value satisfies schema" (true for an absent value). */
function passes(schema: unknown, v: string, at: string, ctx: Context, depth: number): string {
  const rules = checks(schema, v, {sql: "''", fixed: true}, at, ctx, depth)
  if (rules.length === 0) return 'true'
  return `NOT (${rules.map((r) => r.fails).join(' OR ')})`
}

function resolveRef(ref: string, ctx: Context): unknown {
  if (!ref.startsWith('#')) return undefined
  const tokens = ref.slice(1).split('/').slice(1).map((t) => decodeURIComponent(t).replaceAll('~1', '/').replaceAll('~0', '~'))
  let node: unknown = ctx.root
  for (const t of tokens) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<string, unknown>)[t]
  }
  return node
}

function appendPointer(p: Pointer, token: string | {index: string}, ops: DialectOps): Pointer {
  if (typeof token === 'string') return {sql: p.sql === "''" ? ops.lit(`/${pointerToken(token)}`) : `${p.sql} || ${ops.lit(`/${pointerToken(token)}`)}`, fixed: p.fixed}
  return {sql: `${p.sql} || '/' || CAST(${token.index} AS VARCHAR)`, fixed: p.fixed}
}

function checks(schema: unknown, v: string, ptr: Pointer, at: string, ctx: Context, depth: number): SchemaRule[] {
  const {ops} = ctx
  const rule = (keyword: string, fails: string, message: string, pointer: Pointer = ptr): SchemaRule => ({keyword, pointer: pointer.sql, message: ops.lit(message), fails: `coalesce(${fails}, false)`})
  if (schema === true || schema === undefined) return []
  if (schema === false) return [rule('false schema', `${v} IS NOT NULL`, 'boolean schema is false')]
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return []
  if (depth > MAX_SCHEMA_DEPTH) {
    ctx.notChecked.push({pointer: at || '/', keyword: '*', reason: `nested deeper than ${MAX_SCHEMA_DEPTH} levels`})
    return []
  }
  const s = schema as Record<string, unknown>
  const kind = ops.kind(v)
  const isKind = (k: string) => `${kind} = '${k}'`
  const out: SchemaRule[] = []
  const skip = (keyword: string, reason: string) => ctx.notChecked.push({pointer: `${at}/${pointerToken(keyword)}`, keyword, reason})
  const str = ops.str(v)
  const num = ops.num(v)

  for (const [keyword, value] of Object.entries(s)) {
    if (ANNOTATIONS.has(keyword)) continue
    if (keyword in NOT_EXPRESSED) {
      skip(keyword, NOT_EXPRESSED[keyword])
      continue
    }
    switch (keyword) {
      case '$ref': {
        const target = typeof value === 'string' ? resolveRef(value, ctx) : undefined
        if (target === undefined) skip(keyword, `${json(value)} is not a reference inside the schema`)
        else out.push(...checks(target, v, ptr, typeof value === 'string' ? value.slice(1) : at, ctx, depth + 1))
        break
      }
      case 'type': {
        const types = (Array.isArray(value) ? value : [value]) as string[]
        const conds = types.map((t) => (t === 'integer' ? `(${isKind('number')} AND ${num} = floor(${num}))` : isKind(t)))
        out.push(rule('type', `${v} IS NOT NULL AND NOT (${conds.join(' OR ')})`, `must be ${types.join(',')}`))
        break
      }
      case 'enum':
      case 'const': {
        const values = keyword === 'enum' ? (Array.isArray(value) ? value : []) : [value]
        const conds = values.map((x) => equals(v, x, ops))
        if (conds.some((c) => c === undefined)) {
          skip(keyword, 'compares objects or arrays, which SQL does not compare as JSON values')
          break
        }
        const message = keyword === 'enum' ? `must be equal to one of the allowed values (${values.map(json).join(', ')})` : `must be equal to constant (${json(value)})`
        out.push(rule(keyword, `${v} IS NOT NULL AND NOT (${conds.length === 0 ? 'false' : conds.join(' OR ')})`, message))
        break
      }
      case 'required':
        for (const name of (value as string[]) ?? []) {
          const member = ops.member(v, name)
          if (member === undefined) skip(keyword, `the property name ${json(name)} cannot be written in this dialect's JSON path`)
          else out.push(rule('required', `${isKind('object')} AND ${member} IS NULL`, `must have required property '${name}'`))
        }
        break
      case 'dependentRequired':
      case 'dependencies':
        for (const [name, need] of Object.entries((value as Record<string, unknown>) ?? {})) {
          const member = ops.member(v, name)
          if (member === undefined) {
            skip(keyword, `the property name ${json(name)} cannot be written in this dialect's JSON path`)
            continue
          }
          if (Array.isArray(need)) {
            for (const dep of need as string[]) {
              const other = ops.member(v, dep)
              if (other === undefined) skip(keyword, `the property name ${json(dep)} cannot be written in this dialect's JSON path`)
              else out.push(rule(keyword, `${isKind('object')} AND ${member} IS NOT NULL AND ${other} IS NULL`, `must have property ${dep} when property ${name} is present`))
            }
          } else if (keyword === 'dependencies') {
            out.push(rule(keyword, `${isKind('object')} AND ${member} IS NOT NULL AND NOT (${passes(need, v, `${at}/${keyword}/${pointerToken(name)}`, ctx, depth + 1)})`, `must match the schema of dependencies/${name}`))
          }
        }
        break
      case 'properties':
        for (const [name, sub] of Object.entries((value as Record<string, unknown>) ?? {})) {
          const member = ops.member(v, name)
          if (member === undefined) skip(keyword, `the property name ${json(name)} cannot be written in this dialect's JSON path`)
          else out.push(...checks(sub, member, appendPointer(ptr, name, ops), `${at}/properties/${pointerToken(name)}`, ctx, depth + 1))
        }
        break
      case 'patternProperties':
      case 'additionalProperties': {
        if (keyword === 'patternProperties') {
          for (const [pattern, sub] of Object.entries((value as Record<string, unknown>) ?? {})) {
            const re = translateRegex(pattern, 'u')
            if ('reason' in re) {
              skip(keyword, `the pattern ${json(pattern)}: ${re.reason}`)
              continue
            }
            const k = `k${ctx.vars++}`
            out.push(...overMembers(v, k, ops.matches(k, re.pattern), sub, `${at}/patternProperties/${pointerToken(pattern)}`))
          }
          break
        }
        const named = Object.keys((s.properties as Record<string, unknown>) ?? {})
        const patterns = Object.keys((s.patternProperties as Record<string, unknown>) ?? {}).map((p) => translateRegex(p, 'u'))
        if (patterns.some((p) => 'reason' in p)) {
          skip(keyword, 'a patternProperties pattern cannot be translated, so which properties are additional is unknown')
          break
        }
        const k = `k${ctx.vars++}`
        const extra = [
          ...(named.length > 0 ? [`NOT (${k} IN (${named.map(ops.lit).join(', ')}))`] : []),
          ...patterns.map((p) => `NOT ${ops.matches(k, (p as {pattern: string}).pattern)}`),
        ].join(' AND ') || 'true'
        if (value === false) {
          const first = ops.firstOf(ops.keys(v), k, extra)
          out.push({keyword, pointer: ptr.sql, message: `'must NOT have additional properties (' || ${first} || ')'`, fails: `coalesce(${isKind('object')} AND ${ops.countWhere(ops.keys(v), k, extra)} > 0, false)`})
        } else if (typeof value === 'object' && value !== null) {
          out.push(...overMembers(v, k, extra, value, `${at}/additionalProperties`))
        }
        break
      }
      case 'propertyNames': {
        const k = `k${ctx.vars++}`
        const names = value as Record<string, unknown>
        if (typeof names !== 'object' || names === null) break
        for (const [kw, limit] of Object.entries(names)) {
          if (ANNOTATIONS.has(kw)) continue
          let bad: string | undefined
          if (kw === 'maxLength') bad = `length(${k}) > ${fmt(limit as number)}`
          else if (kw === 'minLength') bad = `length(${k}) < ${fmt(limit as number)}`
          else if (kw === 'pattern') {
            const re = translateRegex(String(limit), 'u')
            if ('reason' in re) {
              skip('propertyNames', `the pattern ${json(limit)}: ${re.reason}`)
              continue
            }
            bad = `NOT ${ops.matches(k, re.pattern)}`
          } else {
            skip('propertyNames', `propertyNames/${kw} is not compiled`)
            continue
          }
          out.push(rule('propertyNames', `${isKind('object')} AND ${ops.countWhere(ops.keys(v), k, bad)} > 0`, 'property name must be valid'))
        }
        break
      }
      case 'minProperties':
      case 'maxProperties':
        out.push(rule(keyword, `${isKind('object')} AND ${ops.len(ops.keys(v))} ${keyword === 'minProperties' ? '<' : '>'} ${fmt(value as number)}`, `must NOT have ${keyword === 'minProperties' ? 'fewer' : 'more'} than ${fmt(value as number)} properties`))
        break
      case 'items': {
        // Tuples: items as an array (draft-07, then additionalItems judges the rest), or prefixItems (2020-12, then items judges the rest).
        const prefix = Array.isArray(value) ? value : is2020(ctx) && Array.isArray(s.prefixItems) ? s.prefixItems : undefined
        const rest = Array.isArray(value) ? s.additionalItems : value
        const restKeyword = Array.isArray(value) ? 'additionalItems' : 'items'
        if (Array.isArray(value)) skip(keyword, 'tuple items (an array of schemas) are not compiled')
        if (prefix !== undefined) {
          if (rest === false) out.push(rule(restKeyword, `${isKind('array')} AND ${ops.len(ops.elements(v))} > ${prefix.length}`, `must NOT have more than ${prefix.length} items`))
          else if (rest !== undefined && rest !== true) skip(restKeyword, `applies to the items after the first ${prefix.length}, which is not compiled`)
          break
        }
        const x = `x${ctx.vars++}`
        const elements = ops.elements(v)
        for (const inner of checks(value, x, {sql: "''", fixed: true}, `${at}/items`, ctx, depth + 1)) {
          const index = ops.firstWhere(elements, x, inner.fails)
          // A pointer below the element that depends on the element itself (an array in an array) stops at the element.
          const below = inner.pointer.includes(x) || inner.pointer === "''" ? '' : ` || ${inner.pointer}`
          const message = inner.message.includes(x) ? ops.lit('is invalid') : inner.message
          out.push({keyword: inner.keyword, pointer: `${appendPointer(ptr, {index}, ops).sql}${below}`, message, fails: `coalesce(${isKind('array')} AND ${ops.countWhere(elements, x, inner.fails)} > 0, false)`})
        }
        break
      }
      case 'contains': {
        const x = `x${ctx.vars++}`
        out.push(rule('contains', `${isKind('array')} AND ${ops.countWhere(ops.elements(v), x, `${x} IS NOT NULL AND ${passes(value, x, `${at}/contains`, ctx, depth + 1)}`)} = 0`, 'must contain at least 1 valid item(s)'))
        break
      }
      case 'minItems':
      case 'maxItems':
        out.push(rule(keyword, `${isKind('array')} AND ${ops.len(ops.elements(v))} ${keyword === 'minItems' ? '<' : '>'} ${fmt(value as number)}`, `must NOT have ${keyword === 'minItems' ? 'fewer' : 'more'} than ${fmt(value as number)} items`))
        break
      case 'uniqueItems':
        if (value === true) out.push(rule('uniqueItems', `${isKind('array')} AND ${ops.distinctCount(ops.elements(v))} < ${ops.len(ops.elements(v))}`, 'must NOT have duplicate items'))
        break
      case 'minLength':
      case 'maxLength':
        out.push(rule(keyword, `${isKind('string')} AND length(${str}) ${keyword === 'minLength' ? '<' : '>'} ${fmt(value as number)}`, `must NOT have ${keyword === 'minLength' ? 'fewer' : 'more'} than ${fmt(value as number)} characters`))
        break
      case 'pattern': {
        const re = translateRegex(String(value), 'u')
        if ('reason' in re) skip(keyword, re.reason)
        else out.push(rule('pattern', `${isKind('string')} AND NOT ${ops.matches(str, re.pattern)}`, `must match pattern "${String(value)}"`))
        break
      }
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        if (typeof value !== 'number') break
        const op = {minimum: '<', maximum: '>', exclusiveMinimum: '<=', exclusiveMaximum: '>='}[keyword]
        const says = {minimum: '>=', maximum: '<=', exclusiveMinimum: '>', exclusiveMaximum: '<'}[keyword]
        out.push(rule(keyword, `${isKind('number')} AND ${num} ${op} ${fmt(value)}`, `must be ${says} ${fmt(value)}`))
        break
      }
      case 'multipleOf':
        // As ajv tests it (quotient !== parseInt(quotient)): a quotient of 1e21 or more prints in exponent form, so it always fails.
        if (typeof value === 'number' && value > 0) out.push(rule('multipleOf', `${isKind('number')} AND (${num} / ${fmt(value)} <> ${ops.trunc(`${num} / ${fmt(value)}`)} OR abs(${num} / ${fmt(value)}) >= 1e21)`, `must be multiple of ${fmt(value)}`))
        break
      case 'allOf':
        for (const [i, sub] of ((value as unknown[]) ?? []).entries()) out.push(...checks(sub, v, ptr, `${at}/allOf/${i}`, ctx, depth + 1))
        break
      case 'anyOf':
      case 'oneOf': {
        const before = ctx.notChecked.length
        const branches = ((value as unknown[]) ?? []).map((sub, i) => passes(sub, v, `${at}/${keyword}/${i}`, ctx, depth + 1))
        // A branch SQL judges more leniently than ajv makes anyOf lenient too, but oneOf could then see two matches where ajv sees one: a wrong rejection.
        if (keyword === 'oneOf' && ctx.notChecked.length > before) skip(keyword, UNCERTAIN)
        else if (keyword === 'anyOf') out.push(rule('anyOf', `${v} IS NOT NULL AND NOT (${branches.map((b) => `(${b})`).join(' OR ') || 'false'})`, 'must match a schema in anyOf'))
        else out.push(rule('oneOf', `${v} IS NOT NULL AND (${branches.map((b) => `CASE WHEN ${b} THEN 1 ELSE 0 END`).join(' + ') || '0'}) <> 1`, 'must match exactly one schema in oneOf'))
        break
      }
      case 'not': {
        const before = ctx.notChecked.length
        const inner = passes(value, v, `${at}/not`, ctx, depth + 1)
        if (ctx.notChecked.length > before) skip(keyword, UNCERTAIN)
        else out.push(rule('not', `${v} IS NOT NULL AND ${inner}`, 'must NOT be valid'))
        break
      }
      case 'if': {
        const before = ctx.notChecked.length
        const cond = passes(value, v, `${at}/if`, ctx, depth + 1)
        if (ctx.notChecked.length > before) {
          skip(keyword, `${UNCERTAIN}, so which of then and else applies is unknown`)
          break
        }
        if (s.then !== undefined) out.push(rule('if', `${v} IS NOT NULL AND (${cond}) AND NOT (${passes(s.then, v, `${at}/then`, ctx, depth + 1)})`, 'must match "then" schema'))
        if (s.else !== undefined) out.push(rule('if', `${v} IS NOT NULL AND NOT (${cond}) AND NOT (${passes(s.else, v, `${at}/else`, ctx, depth + 1)})`, 'must match "else" schema'))
        break
      }
      default:
        // A keyword ajv does not know is ignored by ajv too (and warned about once at load).
        break
    }
  }
  if (typeof s.format === 'string') {
    const predicate = formatPredicate(s.format, str, num, ops)
    if (predicate === undefined) {
      // Unknown to ajv: it passes every value (warned at load); known but not expressed: say so.
      if (KNOWN_FORMATS.has(s.format)) skip('format', `the format "${s.format}" is not compiled to SQL`)
    } else if (predicate.type === 'number') out.push(rule('format', `${isKind('number')} AND NOT (${predicate.sql})`, `must match format "${s.format}"`))
    else out.push(rule('format', `${isKind('string')} AND NOT (${predicate.sql})`, `must match format "${s.format}"`))
  }
  return out

  function overMembers(object: string, k: string, pred: string, sub: unknown, where: string): SchemaRule[] {
    const x = `x${ctx.vars++}`
    const values = ops.memberValues(object, k, pred)
    return checks(sub, x, {sql: "''", fixed: true}, where, ctx, depth + 1).map((inner) => ({
      keyword: inner.keyword,
      // Which member failed is not named: the pointer stops at the object.
      pointer: ptr.sql,
      message: inner.message.includes(x) ? ops.lit('a property is invalid') : `'a property ' || ${inner.message}`,
      fails: `coalesce(${isKind('object')} AND ${ops.countWhere(values, x, inner.fails)} > 0, false)`,
    }))
  }
}

/** The formats ajv-formats defines (full mode, as pixel loads it). */
const KNOWN_FORMATS = new Set([
  'date', 'time', 'date-time', 'iso-time', 'iso-date-time', 'duration', 'uri', 'uri-reference', 'uri-template', 'url', 'email', 'hostname', 'ipv4', 'ipv6',
  'regex', 'uuid', 'json-pointer', 'json-pointer-uri-fragment', 'relative-json-pointer', 'byte', 'int32', 'int64', 'float', 'double', 'password', 'binary',
])

/** SQL for "v equals the JSON scalar x"; undefined for objects and arrays. */
function equals(v: string, x: unknown, ops: DialectOps): string | undefined {
  const kind = ops.kind(v)
  if (x === null) return `${kind} = 'null'`
  if (typeof x === 'string') return `(${kind} = 'string' AND ${ops.str(v)} = ${ops.lit(x)})`
  if (typeof x === 'number') return `(${kind} = 'number' AND ${ops.num(v)} = ${fmt(x)})`
  if (typeof x === 'boolean') return `(${kind} = 'boolean' AND ${ops.str(v)} = '${x}')`
  return undefined
}
