/**
 * The program both fast paths run: the schema compiled by compileProgram (fast-path-compile.ts)
 * into a flat list of typed nodes, read by the JavaScript scanner (fast-path.ts) and by the C++
 * one (native/fast_scan.cc, loaded by native-scan.ts). It lives apart from both so that neither
 * imports the other.
 */

/** The JSON kinds a node accepts, as bits of `ProgramNode.types`. */
export const KIND = {null: 1, boolean: 2, integer: 4, number: 8, string: 16, object: 32, array: 64} as const
export const ALL_KINDS = 127

/** Nodes every program starts with: the `true` schema and the `false` schema. */
export const ANY_NODE = 0
export const NEVER_NODE = 1


export interface PropertyEntry {
  /** The property's name as UTF-8 bytes. */
  name: Uint8Array
  /** The node its value must meet (`additional` for a required name that `properties` leaves out). */
  node: number
}

/** One schema (or subschema) in a form both scanners read; unset limits are the widest. */
export interface ProgramNode {
  /** The kinds of value the node accepts (KIND bits; `number` takes integers too). */
  types: number
  /** A keyword the fast path cannot decide: a value reaching this node leaves its record undecided. */
  undecided: boolean
  /** `enum` / `const`: the allowed strings (UTF-8), numbers and literals (KIND.null / boolean bits: 1 null, 2 true, 4 false). */
  values?: {strings: Uint8Array[]; numbers: number[]; literals: number; complex: boolean}
  /** String lengths in code points, as ajv counts them (a surrogate pair is one). */
  minLength: number
  maxLength: number
  /** An ajv-formats format name. */
  format?: string
  /** The ECMAScript source of `pattern` (compiled with the `u` flag, as ajv does). */
  pattern?: string
  /** `pattern` as an automaton (simple-pattern.ts) the native scanner runs; absent when outside its subset. */
  patternProgram?: Int32Array
  minimum: number
  maximum: number
  exclusiveMinimum: number
  exclusiveMaximum: number
  /** 0 when there is none. */
  multipleOf: number
  properties: PropertyEntry[]
  /** Bit k set: properties[k] is required (at most 31 named properties). */
  requiredMask: number
  /** The node for keys outside `properties` (ANY_NODE when allowed, NEVER_NODE when not). */
  additional: number
  /** The node every key must meet as a string, or -1. */
  propertyNames: number
  minProperties: number
  maxProperties: number
  prefixItems: number[]
  /** The node for items after the prefix. */
  items: number
  minItems: number
  maxItems: number
  uniqueItems: boolean
  /** At least one item must meet this node, or -1. */
  contains: number
  allOf: number[]
  anyOf: number[]
  oneOf: number[]
}

/** The compiled schema, as both scanners take it. */
export interface FastPathProgram {
  nodes: ProgramNode[]
  root: number
  /** The record field holding its id and its time (read from the root object only). */
  idField: Uint8Array
  timeField: Uint8Array
  /** Other root fields whose values the scanners locate in each proven-valid line (the canary's, the address). */
  fields: Uint8Array[]
}

/** One line the scanner looked at: where it is, and for a proven-valid line its id and time. */
export interface ScannedLine {
  start: number
  end: number
  valid: boolean
  idStart: number
  idEnd: number
  time: number
  /**
   * For a proven-valid line, per field of `FastPathProgram.fields`, where its value sits: two
   * ints, its first byte and the byte after it (a string's quotes included); -1, -1 when the
   * line's root object lacks it.
   */
  fields: Int32Array
  /**
   * What the native scanner read off a proven-valid line (FACT bits, factOfField), so that
   * scanObject need not read its bytes again; 0 when nothing was read (the JavaScript scanner,
   * a line it finished): scanObject then reads them itself.
   */
  facts: number
  /** With FACT.ID_UUID set: the id's 16 bytes, as idBytesAt writes them, sit in `idBytes` from `idOffset`. */
  idBytes: Uint8Array
  idOffset: number
  /**
   * Where the native scanner, absorbing plain lines (LineAbsorber), already added this line's id
   * to the id list: its place there; -1 when it did not, and the visitor adds the id itself.
   */
  idSlot: number
}

/** Bits of ScannedLine.facts. */
export const FACT = {
  /** The facts were read: a clear field bit means no. */
  KNOWN: 1,
  /** The id is a UUID, its bytes in ScannedLine.idBytes. */
  ID_UUID: 2,
} as const

/** Located fields past this many have no fact bits (pixel check locates two). */
export const MAX_FACT_FIELDS = 14

/**
 * The fact bit of located field k (its index in FastPathProgram.fields): `escaped`, its value is a
 * string holding a backslash; `anonymisedIp`, an unescaped string that ipv4KindAt, or else
 * ipv6KindAt, calls 'anonymised'.
 *
 * @example if (line.facts & factOfField(1, 'anonymisedIp')) ipSeen++
 */
export function factOfField(k: number, fact: 'escaped' | 'anonymisedIp'): number {
  return k < 0 || k >= MAX_FACT_FIELDS ? 0 : 1 << (2 + 2 * k + (fact === 'anonymisedIp' ? 1 : 0))
}
