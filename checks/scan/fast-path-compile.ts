import {schemaDialect} from '../schema/record-validator.js'
import {type FastPath, fastPathOf} from './fast-path.js'
import {compileSimplePattern} from './simple-pattern.js'
import {ALL_KINDS, ANY_NODE, type FastPathProgram, KIND, NEVER_NODE, type ProgramNode} from './fast-path-program.js'

type Schema = Record<string, unknown>

// Keywords that never change a verdict.
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly', 'definitions', '$defs', 'contentMediaType', 'contentEncoding', '$anchor'])

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'))

function blankNode(): ProgramNode {
  return {
    types: ALL_KINDS, undecided: false, minLength: 0, maxLength: Infinity, minimum: -Infinity, maximum: Infinity, exclusiveMinimum: -Infinity, exclusiveMaximum: Infinity, multipleOf: 0,
    properties: [], requiredMask: 0, additional: ANY_NODE, propertyNames: -1, minProperties: 0, maxProperties: Infinity,
    prefixItems: [], items: ANY_NODE, minItems: 0, maxItems: Infinity, uniqueItems: false, contains: -1, allOf: [], anyOf: [], oneOf: [],
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** JSON pointer `#/a/b~1c` to the schema it names in `root`, or undefined. */
function resolvePointer(root: Schema, ref: string): unknown {
  if (ref === '#') return root
  if (!ref.startsWith('#/')) return undefined
  let at: unknown = root
  for (const raw of ref.slice(2).split('/')) {
    let part: string
    try {
      part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~')
    } catch {
      return undefined
    }
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, part)) return undefined
    at = (at as Schema)[part]
  }
  return at
}

/**
 * Compiles a schema into the fast path's program: one node per subschema. A subschema using a
 * keyword outside the subset becomes an undecided node, so only the records that reach it go to
 * ajv; undefined when the root itself is undecided.
 *
 * @example compileProgram(schema, 'event_id', 'ts')?.nodes.length
 */
export function compileProgram(schema: Schema, idField: string, timeField: string, fields: string[] = []): FastPathProgram | undefined {
  const dialect = schemaDialect(schema)
  const nodes: ProgramNode[] = [blankNode(), {...blankNode(), types: 0}]
  const compiled = new Map<unknown, number>()

  const fail = (node: ProgramNode) => {
    node.undecided = true
    return node
  }

  function compile(s: unknown, isRoot = false): number {
    if (s === true) return ANY_NODE
    if (s === false) return NEVER_NODE
    const known = compiled.get(s)
    if (known !== undefined) return known
    const index = nodes.length
    const node = blankNode()
    nodes.push(node)
    compiled.set(s, index)
    if (typeof s !== 'object' || s === null || Array.isArray(s)) fail(node)
    else fill(node, s as Schema, isRoot)
    return index
  }

  function fill(node: ProgramNode, s: Schema, isRoot: boolean): void {
    const keys = Object.keys(s).filter((k) => !ANNOTATIONS.has(k) && dialect.isKeyword(k))
    // A nested $id moves the base of every $ref under it; ajv's resolution is not repeated here.
    if (!isRoot && typeof s.$id === 'string') return void fail(node)
    if ('$ref' in s && keys.length > 1) return void fail(node)
    const has = (k: string) => keys.includes(k)
    for (const key of keys) {
      const v = s[key]
      switch (key) {
        case 'type': {
          const list = Array.isArray(v) ? v : [v]
          let bits = 0
          for (const t of list) {
            if (typeof t !== 'string' || !(t in KIND)) return void fail(node)
            bits |= KIND[t as keyof typeof KIND]
          }
          node.types &= bits
          break
        }
        case 'enum':
        case 'const': {
          const list = key === 'const' ? [v] : v
          if (!Array.isArray(list)) return void fail(node)
          const values = {strings: [] as Uint8Array[], numbers: [] as number[], literals: 0, complex: false}
          for (const item of list) {
            if (typeof item === 'string') values.strings.push(utf8(item))
            else if (typeof item === 'number') values.numbers.push(item)
            else if (item === null) values.literals |= 1
            else if (item === true) values.literals |= 2
            else if (item === false) values.literals |= 4
            else values.complex = true
          }
          if (node.values) return void fail(node) // both: rare, and the intersection is not worth it
          node.values = values
          break
        }
        case 'minLength':
        case 'maxLength':
        case 'minProperties':
        case 'maxProperties':
        case 'minItems':
        case 'maxItems':
          if (!isCount(v)) return void fail(node)
          node[key] = v
          break
        case 'minimum':
        case 'maximum':
        case 'exclusiveMinimum':
        case 'exclusiveMaximum':
          if (!isNumber(v)) return void fail(node)
          node[key] = v
          break
        case 'multipleOf':
          if (!isNumber(v) || v <= 0) return void fail(node)
          node.multipleOf = v
          break
        case 'pattern':
          if (typeof v !== 'string') return void fail(node)
          try {
            new RegExp(v, 'u')
          } catch {
            return void fail(node)
          }
          node.pattern = v
          node.patternProgram = compileSimplePattern(v)
          break
        case 'format': {
          const format = typeof v === 'string' ? dialect.format(v) : undefined
          // Only string formats, sync, checked by ajv-formats' own regex or function.
          if (format === undefined) return void fail(node)
          if (format === true) break
          if (typeof format === 'object' && !(format instanceof RegExp)) {
            const def = format as {type?: string; async?: boolean}
            if (def.async || (def.type !== undefined && def.type !== 'string')) return void fail(node)
          }
          node.format = v as string
          break
        }
        case 'properties':
        case 'required':
        case 'additionalProperties':
          break // below, together
        case 'propertyNames':
          node.propertyNames = compile(v)
          break
        case 'items':
          if (Array.isArray(v)) {
            if (dialect.draft === '2020-12') return void fail(node)
            node.prefixItems = v.map((item) => compile(item))
            node.items = has('additionalItems') ? compile(s.additionalItems) : ANY_NODE
          } else {
            node.items = compile(v)
          }
          break
        case 'prefixItems':
          if (!Array.isArray(v)) return void fail(node)
          node.prefixItems = v.map((item) => compile(item))
          break
        case 'additionalItems':
          break // with an array of items (an object `items` makes it moot)
        case 'uniqueItems':
          if (typeof v !== 'boolean') return void fail(node)
          node.uniqueItems = v
          break
        case 'contains':
          if (has('minContains') || has('maxContains')) return void fail(node)
          node.contains = compile(v)
          break
        case 'allOf':
        case 'anyOf':
        case 'oneOf':
          if (!Array.isArray(v) || v.length === 0) return void fail(node)
          node[key] = v.map((item) => compile(item))
          break
        case '$ref': {
          const target = typeof v === 'string' ? resolvePointer(schema, v) : undefined
          if (target === undefined) return void fail(node)
          node.allOf = [compile(target)]
          break
        }
        default:
          // A keyword ajv applies that the fast path does not: if/then/else, not, patternProperties,
          // dependencies, unevaluated*, formatMinimum...
          return void fail(node)
      }
    }
    if (has('properties') || has('required') || has('additionalProperties')) {
      const properties = s.properties ?? {}
      const required = s.required ?? []
      if (typeof properties !== 'object' || properties === null || Array.isArray(properties) || !Array.isArray(required)) return void fail(node)
      if (!required.every((r) => typeof r === 'string')) return void fail(node)
      node.additional = has('additionalProperties') ? compile(s.additionalProperties) : ANY_NODE
      const names = [...new Set([...Object.keys(properties), ...(required as string[])])]
      // Names are matched against raw key bytes: one that JSON would escape is left to ajv.
      if (names.length > 31 || names.some((name) => name === '__proto__' || /["\\\x00-\x1f]/.test(name))) return void fail(node)
      node.properties = names.map((name) => ({name: utf8(name), node: Object.hasOwn(properties, name) ? compile((properties as Schema)[name]) : node.additional}))
      node.requiredMask = names.reduce((mask, name, k) => ((required as string[]).includes(name) ? mask | (1 << k) : mask), 0)
    }
  }

  const root = compile(schema, true)
  if (nodes[root].undecided) return undefined
  return {nodes, root, idField: utf8(idField), timeField: utf8(timeField), fields: fields.map(utf8)}
}

/**
 * Compiles the fast path for a schema, or undefined when the schema's root is outside the subset
 * it can decide exactly (then every record goes to ajv).
 *
 * @example const fast = compileFastPath(schema, 'event_id', 'ts'); fast?.scan(bytes, 0, n, out, plain)
 */
export function compileFastPath(schema: Schema, idField: string, timeField: string, options: {native?: boolean; fields?: string[]} = {}): FastPath | undefined {
  const program = compileProgram(schema, idField, timeField, options.fields)
  return program && fastPathOf(program, {native: options.native})
}
