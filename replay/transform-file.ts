import {readFile} from 'node:fs/promises'
import {resolve} from 'node:path'
import {pathToFileURL} from 'node:url'
import {isDeepStrictEqual} from 'node:util'
import {TransformFileError} from './errors.js'

/** A correction: the fixed record, or null to drop it. May be async (a JS module's function). */
export type Transform = (record: unknown) => unknown | null | Promise<unknown | null>

type Condition = {pointer: string; tokens: string[]} & ({equals: unknown} | {matches: RegExp} | {exists: boolean})
type Op =
  | {op: 'set'; tokens: string[]; value: unknown}
  | {op: 'replace'; tokens: string[]; regex: RegExp; with: string}
  | {op: 'remove'; tokens: string[]}
  | {op: 'cast'; tokens: string[]; to: CastType}
interface Flow {
  when: Condition[]
  ops: Op[]
}

const CAST_TYPES = ['string', 'integer', 'number', 'boolean', 'null'] as const
type CastType = (typeof CAST_TYPES)[number]

/**
 * Splits a JSON pointer (RFC 6901) into its reference tokens; '' is the record itself.
 *
 * @example pointerTokens('/params/a~1b') // ['params', 'a/b']
 */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) throw new Error(`"${pointer}" is not a JSON pointer: it must start with /`)
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function container(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function lookup(record: unknown, tokens: string[]): {found: boolean; value?: unknown} {
  let at: unknown = record
  for (const token of tokens) {
    if (!container(at) || !Object.hasOwn(at, token)) return {found: false}
    at = at[token]
  }
  return {found: true, value: at}
}

/** The object holding the last token, created on the way when `create`; undefined when absent. */
function parentOf(record: unknown, tokens: string[], create: boolean): Record<string, unknown> | undefined {
  let at: unknown = record
  for (const token of tokens.slice(0, -1)) {
    if (!container(at)) return undefined
    if (!Object.hasOwn(at, token) || !container(at[token])) {
      if (!create) return undefined
      at[token] = {}
    }
    at = at[token]
  }
  return container(at) ? at : undefined
}

function cast(value: unknown, to: CastType): unknown {
  switch (to) {
    case 'string':
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value
    case 'integer':
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'boolean' ? Number(value) : value
      if (typeof n !== 'number' || !Number.isFinite(n)) return value
      return to === 'integer' && !Number.isInteger(n) ? value : n
    }
    case 'boolean':
      if (value === 'true' || value === 1 || value === '1') return true
      if (value === 'false' || value === 0 || value === '0') return false
      return value
    case 'null':
      return value === '' || value === 'null' ? null : value
  }
}

function holds(record: unknown, c: Condition): boolean {
  const {found, value} = lookup(record, c.tokens)
  if ('exists' in c) return found === c.exists
  if (!found) return false
  if ('equals' in c) return isDeepStrictEqual(value, c.equals)
  return typeof value === 'string' && c.matches.test(value)
}

function apply(record: unknown, op: Op): void {
  const parent = parentOf(record, op.tokens, op.op === 'set')
  const last = op.tokens[op.tokens.length - 1]
  if (!parent) return
  if (op.op === 'set') parent[last] = structuredClone(op.value)
  else if (!Object.hasOwn(parent, last)) return
  else if (op.op === 'remove') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1)
    else delete parent[last]
  } else if (op.op === 'replace') {
    if (typeof parent[last] === 'string') parent[last] = (parent[last] as string).replace(op.regex, op.with)
  } else parent[last] = cast(parent[last], op.to)
}

/** Reads and checks one part of the file, naming where it is wrong. */
class Reader {
  constructor(private readonly path: string) {}

  fail(at: string, problem: string): never {
    throw new TransformFileError(`transform file ${this.path}: ${at}: ${problem}`)
  }

  object(value: unknown, at: string, allowed: readonly string[]): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(at, 'must be a JSON object')
    const unknown = Object.keys(value).filter((k) => !allowed.includes(k))
    if (unknown.length > 0) this.fail(at, `unknown field "${unknown[0]}" (allowed: ${allowed.join(', ')})`)
    return value as Record<string, unknown>
  }

  tokens(value: unknown, at: string, forWrite: boolean): string[] {
    if (typeof value !== 'string') this.fail(`${at}.pointer`, 'must be a JSON pointer string such as "/source"')
    let tokens: string[]
    try {
      tokens = pointerTokens(value)
    } catch (error) {
      this.fail(`${at}.pointer`, (error as Error).message)
    }
    if (forWrite && tokens.length === 0) this.fail(`${at}.pointer`, 'cannot change the whole record ("")')
    return tokens
  }

  regex(value: unknown, flags: unknown, at: string): RegExp {
    if (typeof value !== 'string') this.fail(at, 'must be a regular expression string')
    if (flags !== undefined && (typeof flags !== 'string' || !/^[imsu]*$/.test(flags))) this.fail(`${at} flags`, 'may only hold i, m, s and u')
    try {
      return new RegExp(value, `g${(flags as string | undefined) ?? ''}`)
    } catch (error) {
      this.fail(at, `is not a valid regular expression: ${(error as Error).message}`)
    }
  }

  condition(value: unknown, at: string): Condition {
    const c = this.object(value, at, ['pointer', 'equals', 'matches', 'exists', 'flags'])
    const tokens = this.tokens(c.pointer, at, false)
    const tests = ['equals', 'matches', 'exists'].filter((k) => k in c)
    if (tests.length !== 1) this.fail(at, 'needs exactly one of equals, matches, exists')
    if ('exists' in c) {
      if (typeof c.exists !== 'boolean') this.fail(`${at}.exists`, 'must be true or false')
      return {pointer: c.pointer as string, tokens, exists: c.exists}
    }
    if ('matches' in c) {
      const regex = this.regex(c.matches, c.flags, `${at}.matches`)
      return {pointer: c.pointer as string, tokens, matches: new RegExp(regex.source, regex.flags.replace('g', ''))}
    }
    return {pointer: c.pointer as string, tokens, equals: c.equals}
  }

  op(value: unknown, at: string): Op {
    const kind = (value as {op?: unknown} | null)?.op
    switch (kind) {
      case 'set': {
        const o = this.object(value, at, ['op', 'pointer', 'value'])
        if (!('value' in o)) this.fail(at, 'set needs a "value"')
        return {op: 'set', tokens: this.tokens(o.pointer, at, true), value: o.value}
      }
      case 'replace': {
        const o = this.object(value, at, ['op', 'pointer', 'regex', 'with', 'flags'])
        if (typeof o.with !== 'string') this.fail(`${at}.with`, 'must be the replacement string ($1 names a group)')
        return {op: 'replace', tokens: this.tokens(o.pointer, at, true), regex: this.regex(o.regex, o.flags, `${at}.regex`), with: o.with}
      }
      case 'remove':
        return {op: 'remove', tokens: this.tokens(this.object(value, at, ['op', 'pointer']).pointer, at, true)}
      case 'cast': {
        const o = this.object(value, at, ['op', 'pointer', 'to'])
        if (!CAST_TYPES.includes(o.to as CastType)) this.fail(`${at}.to`, `must be one of ${CAST_TYPES.join(', ')}`)
        return {op: 'cast', tokens: this.tokens(o.pointer, at, true), to: o.to as CastType}
      }
      default:
        this.fail(`${at}.op`, `unknown op ${JSON.stringify(kind)} (use set, replace, remove or cast)`)
    }
  }

  flows(spec: unknown): Flow[] {
    const top = this.object(spec, 'the file', ['flows', 'description'])
    if (!Array.isArray(top.flows) || top.flows.length === 0) this.fail('flows', 'must be a non-empty array of {when?, ops}')
    return top.flows.map((value, i) => {
      const at = `flows[${i}]`
      const flow = this.object(value, at, ['name', 'when', 'ops'])
      if (flow.when !== undefined && !Array.isArray(flow.when)) this.fail(`${at}.when`, 'must be an array of conditions')
      if (!Array.isArray(flow.ops)) this.fail(`${at}.ops`, 'must be an array of ops')
      return {
        when: ((flow.when as unknown[] | undefined) ?? []).map((c, j) => this.condition(c, `${at}.when[${j}]`)),
        ops: flow.ops.map((o, j) => this.op(o, `${at}.ops[${j}]`)),
      }
    })
  }
}

/**
 * Compiles a declarative fix-up file (already parsed): the first flow whose conditions all hold
 * applies its ops, in order, to a copy of the record; a record no flow matches passes unchanged.
 * Throws `TransformFileError` naming the first problem.
 *
 * @example compileTransform({flows: [{ops: [{op: 'cast', pointer: '/schema_version', to: 'integer'}]}]}, 'fix.json')({schema_version: '1'})
 * // {schema_version: 1}
 */
export function compileTransform(spec: unknown, path = 'transform'): Transform {
  const flows = new Reader(path).flows(spec)
  return (record) => {
    const flow = flows.find((f) => f.when.every((c) => holds(record, c)))
    if (!flow) return record
    const copy = structuredClone(record)
    for (const op of flow.ops) apply(copy, op)
    return copy
  }
}

/**
 * Loads `--transform FILE`: a JSON fix-up file (see compileTransform), or a JS module (`.js`,
 * `.mjs`, `.cjs`) whose default export is `(record) => record | null`.
 *
 * @example const fix = await loadTransform('fixes/2026-02-10.json')
 */
export async function loadTransform(path: string): Promise<Transform> {
  if (/\.(m|c)?js$/.test(path)) {
    let module: {default?: unknown}
    try {
      module = (await import(pathToFileURL(resolve(path)).href)) as {default?: unknown}
    } catch (error) {
      throw new TransformFileError(`cannot load transform module ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {cause: error})
    }
    if (typeof module.default !== 'function') throw new TransformFileError(`transform module ${path} has no default export (record) => record | null`)
    return module.default as Transform
  }
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new TransformFileError(`cannot read transform file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {cause: error})
  }
  let spec: unknown
  try {
    spec = JSON.parse(text)
  } catch (error) {
    throw new TransformFileError(`transform file ${path} is not JSON: ${(error as Error).message}`, {cause: error})
  }
  return compileTransform(spec, path)
}
