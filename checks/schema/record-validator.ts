import {readFile} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import type {Ajv, AnySchema, ErrorObject, ValidateFunction} from 'ajv'
import type {Ajv2019} from 'ajv/dist/2019.js'
import type {Ajv2020} from 'ajv/dist/2020.js'
import {SchemaLoadError} from '../errors.js'
import {PACKAGE_ROOT} from '../../lake/package-root.js'

interface AjvModules {
  Ajv: typeof Ajv
  Ajv2019: typeof Ajv2019
  Ajv2020: typeof Ajv2020
  addFormats: (ajv: Ajv) => Ajv
}

// ajv is loaded (it is CommonJS: synchronously) at the first compile, not with this module: a scan
// worker imports this module and, on a lake the fast path decides, never compiles; ajv was 60 of
// its 100 ms start.
const require = createRequire(import.meta.url)
let modules: AjvModules | undefined
const ajvModules = (): AjvModules =>
  (modules ??= {
    Ajv: (require('ajv') as {Ajv: typeof Ajv}).Ajv,
    Ajv2019: (require('ajv/dist/2019.js') as {Ajv2019: typeof Ajv2019}).Ajv2019,
    Ajv2020: (require('ajv/dist/2020.js') as {Ajv2020: typeof Ajv2020}).Ajv2020,
    addFormats: require('ajv-formats') as (ajv: Ajv) => Ajv,
  })

/** The path of the pixel event schema shipped with pixel, which the pipeline writes under. */
export const PIXEL_EVENT_SCHEMA_PATH = join(PACKAGE_ROOT, 'lake/schema/pixel-event.schema.json')

/** One schema violation of one record. */
export interface SchemaViolation {
  /** JSON pointer to the offending value, `''` for the record itself. */
  pointer: string
  message: string
}

/** A schema compiled once: a fast yes/no for every record, every error for the failing ones. */
export interface RecordValidator {
  /** The schema it was compiled from (the fast path compiles it again, its own way). */
  readonly schema: Record<string, unknown>
  isValid(record: unknown): boolean
  explain(record: unknown): SchemaViolation[]
}

function describe(error: ErrorObject): SchemaViolation {
  const params = error.params as Record<string, unknown>
  let message = error.message ?? 'is invalid'
  if (error.keyword === 'additionalProperties') message += ` (${String(params.additionalProperty)})`
  else if (error.keyword === 'enum') message += ` (${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`
  else if (error.keyword === 'const') message += ` (${JSON.stringify(params.allowedValue)})`
  return {pointer: error.instancePath, message}
}

/** Where ajv's messages go: nowhere, unless a caller collects them (see schemaWarnings). */
const SILENT = {log() {}, warn() {}, error() {}}

interface AjvExtras {
  /** Report ignored keywords to `logger.warn` instead of ignoring them quietly. */
  strictSchema?: 'log'
  logger?: typeof SILENT
  /** Formats to accept as "anything passes", as ajv does for a format it does not know. */
  anyFormats?: string[]
}

function ajvFor(schema: Record<string, unknown>, allErrors: boolean, extras: AjvExtras = {}): Ajv {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : ''
  // Quiet by default: ajv would print the same warning once per compile, and there are several.
  const options = {allErrors, strict: false, validateFormats: true, logger: extras.logger ?? SILENT, ...(extras.strictSchema ? {strictSchema: extras.strictSchema} : {})}
  const {Ajv, Ajv2019, Ajv2020, addFormats} = ajvModules()
  let ajv: Ajv
  if (dialect.includes('2020-12')) ajv = new Ajv2020(options)
  else if (dialect.includes('2019-09')) ajv = new Ajv2019(options)
  else if (dialect === '' || dialect.includes('draft-07') || dialect.includes('draft-06')) ajv = new Ajv(options)
  else throw new SchemaLoadError(`schema dialect ${dialect} is not supported: use draft-07 or 2020-12`)
  addFormats(ajv)
  for (const name of extras.anyFormats ?? []) ajv.addFormat(name, true)
  return ajv
}

/** How ajv reads a schema, for the fast path to decide records exactly as ajv does. */
export interface SchemaDialect {
  /** The JSON Schema draft the validator compiles the schema under. */
  draft: '07' | '2019-09' | '2020-12'
  /** Whether ajv knows the keyword (an unknown one, strict mode off, is ignored). */
  isKeyword(name: string): boolean
  /** The format as ajv checks it (ajv-formats' full mode), or undefined when ajv does not know it. */
  format(name: string): unknown
}

/**
 * The dialect ajv uses for a schema: its draft, its keywords and its formats.
 *
 * @example schemaDialect(schema).format('email') // ajv-formats' own regex
 */
export function schemaDialect(schema: Record<string, unknown>): SchemaDialect {
  const ajv = ajvFor(schema, false)
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : ''
  return {
    draft: dialect.includes('2020-12') ? '2020-12' : dialect.includes('2019-09') ? '2019-09' : '07',
    isKeyword: (name) => ajv.getKeyword(name) !== false,
    format: (name) => (ajv.formats as Record<string, unknown>)[name],
  }
}

/**
 * What makes a schema too big for ajv, in words: the longest list of properties and the deepest
 * nesting, found without recursion (the schema may nest deeper than the stack).
 */
function describeSize(schema: Record<string, unknown>): string {
  let widest = {count: 0, pointer: ''}
  let deepest = 0
  const stack: [unknown, string, number][] = [[schema, '', 0]]
  while (stack.length > 0) {
    const [node, pointer, depth] = stack.pop()!
    if (typeof node !== 'object' || node === null) continue
    deepest = Math.max(deepest, depth)
    const properties = (node as Record<string, unknown>).properties
    if (!Array.isArray(node) && typeof properties === 'object' && properties !== null) {
      const count = Object.keys(properties).length
      if (count > widest.count) widest = {count, pointer: `${pointer}/properties`}
    }
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'object' && value !== null) stack.push([value, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1])
    }
  }
  return `its largest "properties" (${widest.pointer || '/'}) lists ${widest.count} properties and it nests ${deepest} levels deep`
}

function compile(schema: Record<string, unknown>, allErrors: boolean, source: string): ValidateFunction {
  try {
    return ajvFor(schema, allErrors).compile(schema as AnySchema)
  } catch (error) {
    if (error instanceof SchemaLoadError) throw error
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      // ajv nests the code for each property inside the previous one's: thousands overflow the stack.
      throw new SchemaLoadError(
        `schema ${source} is too large for ajv to compile: ${describeSize(schema)}; split it, or describe open-ended keys with additionalProperties or patternProperties`,
        {cause: error},
      )
    }
    throw new SchemaLoadError(`schema ${source} does not compile: ${(error as Error).message}`, {cause: error})
  }
}

const MAX_UNKNOWN_FORMATS = 20

/** A logger that keeps ajv's warnings, one string each. */
function keeping(logged: string[]): typeof SILENT {
  return {...SILENT, warn: (...args: unknown[]) => void logged.push(args.map(String).join(' '))}
}

/** schemaWarnings' lines for the strict-mode messages ajv logged while compiling. */
function warningLines(logged: string[], source: string, lines: string[]): string[] {
  for (const message of logged) {
    const keyword = /^strict mode: unknown keyword: "(.*)"$/.exec(message)
    const line = keyword ? `schema ${source}: unknown keyword "${keyword[1]}" is ignored` : `schema ${source}: ${message.replace(/^strict mode: /, '')}`
    if (!lines.includes(line)) lines.push(line)
  }
  return lines
}

// What ajv logged while compiling a schema's validator (see compileValidator), for schemaWarnings
// to read instead of compiling the schema once more.
const loggedWhileCompiling = new WeakMap<Record<string, unknown>, string[]>()

/**
 * What ajv ignores in a schema, one line each, each named once: unknown keywords and unknown
 * formats (a record passes them whatever it holds), and keywords ignored where they stand. ajv's
 * strict mode in its logging form finds them; an unknown format stops that compile, so each one
 * found is accepted as "anything passes" and the schema compiled again.
 *
 * @example schemaWarnings({type: 'object', propertise: {}}, 'my.json') // ['schema my.json: unknown keyword "propertise" is ignored']
 */
export function schemaWarnings(schema: Record<string, unknown>, source = 'schema'): string[] {
  const lines: string[] = []
  const known = loggedWhileCompiling.get(schema)
  if (known) return warningLines(known, source, lines)
  const formats: string[] = []
  for (;;) {
    const logged: string[] = []
    try {
      ajvFor(schema, false, {strictSchema: 'log', logger: keeping(logged), anyFormats: formats}).compile(schema as AnySchema)
    } catch (error) {
      const format = /^unknown format "(.*)" ignored in schema at path "(.*)"$/.exec((error as Error).message)
      // Anything else is not a warning: compileValidator reports it.
      if (!format || formats.includes(format[1])) return lines
      formats.push(format[1])
      lines.push(`schema ${source}: unknown format "${format[1]}" (first at ${format[2]}) is ignored: every value passes it`)
      if (formats.length < MAX_UNKNOWN_FORMATS) continue
      lines.push(`schema ${source}: more unknown formats may follow; only the first ${MAX_UNKNOWN_FORMATS} are named`)
      return lines
    }
    return warningLines(logged, source, lines)
  }
}

/**
 * The hot path's validator, compiled with strict mode in its logging form where that compiles:
 * the code ajv generates is the same (strict mode only reports what it ignores), and what it
 * logged is schemaWarnings' answer, so pixel check compiles its schema once instead of twice
 * (about 20 ms of its start). An unknown format stops that compile: then it compiles as before.
 */
function compileLogging(schema: Record<string, unknown>, source: string): ValidateFunction {
  const logged: string[] = []
  let validate: ValidateFunction
  try {
    validate = ajvFor(schema, false, {strictSchema: 'log', logger: keeping(logged)}).compile(schema as AnySchema)
  } catch {
    return compile(schema, false, source)
  }
  loggedWhileCompiling.set(schema, logged)
  return validate
}

// pixel check compiles its schema where it is loaded (to fail before the lake is read) and again
// where it is used; one compile of the same schema object serves both.
const compiled = new WeakMap<Record<string, unknown>, RecordValidator>()

/**
 * Compiles a JSON Schema (draft-07, 2019-09 or 2020-12) into a record validator. The hot path stops
 * at the first error; only failing records are validated again for every error, for the report.
 * The same schema object compiles once: a second call returns the first validator.
 *
 * @example const v = compileValidator(schema); v.isValid(record) || v.explain(record)
 */
export function compileValidator(schema: Record<string, unknown>, source = 'schema'): RecordValidator {
  const known = compiled.get(schema)
  if (known) return known
  const fast = compileLogging(schema, source)
  let full: ValidateFunction | undefined
  const validator: RecordValidator = {
    schema,
    isValid: (record) => fast(record) as boolean,
    explain(record) {
      full ??= compile(schema, true, source)
      return full(record) ? [] : (full.errors ?? []).map(describe)
    },
  }
  compiled.set(schema, validator)
  return validator
}

/**
 * A validator for a schema already compiled once elsewhere (a scan worker's copy of the main
 * thread's), compiled when a record first needs it: where the fast path decides every record,
 * never. Compiling a schema that fails to compile throws at that first use.
 *
 * @example const v = deferredValidator(setup.schema) // no ajv work until v.isValid(record)
 */
export function deferredValidator(schema: Record<string, unknown>, source = 'schema'): RecordValidator {
  let validator: RecordValidator | undefined
  const get = () => (validator ??= compileValidator(schema, source))
  return {
    schema,
    isValid: (record) => get().isValid(record),
    explain: (record) => get().explain(record),
  }
}

/**
 * Reads a schema file (the shipped pixel event schema when no path is given).
 *
 * @example const schema = await loadSchema('my-event.schema.json')
 */
export async function loadSchema(path: string = PIXEL_EVENT_SCHEMA_PATH): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new SchemaLoadError(`cannot read schema ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}: pass --schema with a JSON Schema file`, {cause: error})
  }
  let schema: unknown
  try {
    schema = JSON.parse(text)
  } catch (error) {
    throw new SchemaLoadError(`schema ${path} is not JSON: ${(error as Error).message}`, {cause: error})
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new SchemaLoadError(`schema ${path} is not a JSON Schema object`)
  }
  // Compile now, so a broken schema fails before the lake is read.
  compileValidator(schema as Record<string, unknown>, path)
  return schema as Record<string, unknown>
}
