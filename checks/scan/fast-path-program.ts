/**
 * The program both fast paths run: the schema compiled into rules by compileFastPath
 * (fast-path.ts), read by the JavaScript scanner there and by the C++ one (native/fast_scan.cc,
 * loaded by native-scan.ts). It lives apart from both so that neither imports the other.
 */

export interface StringRule {
  minLength: number
  maxLength: number
  format: 'uuid' | 'date-time' | undefined
  /** Allowed values as ASCII bytes; undefined when any string is allowed. */
  values: Uint8Array[] | undefined
}

export interface MapRule {
  maxProperties: number
  maxNameLength: number
  value: StringRule
}

export interface PropertyRule {
  name: Uint8Array
  bit: number
  string?: StringRule
  nullable: boolean
  boolean: boolean
  /** A numeric const, matched only in its plain integer spelling. */
  constInteger?: Uint8Array
  map?: MapRule
}

/** The compiled rules, as the native scanner (checks/scan/native/fast_scan.cc) takes them. */
export interface FastPathProgram {
  rules: PropertyRule[]
  requiredMask: number
  /** The index of the id field's rule, or -1. */
  idRule: number
  /** The index of the time field's rule, or -1. */
  timeRule: number
}

/** One line the scanner looked at: where it is, and for a proven-valid line its id and time. */
export interface ScannedLine {
  start: number
  end: number
  valid: boolean
  idStart: number
  idEnd: number
  time: number
}

