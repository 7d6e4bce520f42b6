import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {loadAddon} from '../../lake/native-addon.js'
import {PACKAGE_ROOT} from '../../lake/package-root.js'
import type {FastPathProgram, ScannedLine} from './fast-path-program.js'

interface Binding {
  /** Bumped with the program's shape, so a stale build is not fed a program it cannot read. */
  programVersion: number
  compile(nodes: FastPathProgram['nodes'], root: number, idField: Uint8Array, timeField: Uint8Array, fields: Uint8Array[]): object
  scan(program: object, text: Uint8Array, lines: Int32Array, times: Float64Array, checks: Int32Array, ids: Uint8Array, from: number, state: Float64Array, canary: Uint8Array, idList: Uint8Array, idIndexes: Uint32Array, lag: Uint32Array): number
  testPattern(code: Int32Array, text: Uint8Array): boolean
}

const PROGRAM_VERSION = 6

// The slots of scan's `state`, as fast_scan.cc's StateSlot names them.
const S_ABSORB = 0
const S_PIECE_BASE = 1
const S_FROM_MS = 2
const S_TO_MS = 3
const S_ARRIVAL_MS = 4
const S_CANARY_FIELD = 5
const S_IP_FIELD = 6
const S_IP_FACT = 7
const S_ID_COUNT = 8
const S_LAG_MAX = 9
const S_ABSORBED = 10
const S_IP_SEEN = 11
const S_TAIL = 12
const S_NEXT = 13
const S_DONE = 14
const STATE_SLOTS = 15

/**
 * What scanObject hands the native scanner so that it counts plain lines itself, as scanObject's
 * visit would, instead of visiting each: a line proven valid whose id is a UUID (or absent), not
 * the canary's, whose address is anonymised (or absent), not sampled (sampledRecord), and whose
 * time lies in its hour (or cannot be read). Such a line adds its id to `ids` and its lag to
 * `lag`; every other line is visited, with `idSlot` set where the scanner added its id already.
 */
export interface LineAbsorber {
  /** The located field (FastPath.fieldIndex) holding the canary's mark, or -1 without a canary rule. */
  canaryField: number
  /** The mark, as UTF-8: a string value of exactly these bytes is the canary's. */
  canaryValue: Uint8Array
  /** The located field holding the address the check reads, or -1 when it reads none. */
  ipField: number
  /** The fact bit (factOfField) of an anonymised address in that field, or 0 when none passes unread. */
  ipFact: number
  /** A time in [fromMs, toMs) is in its partition hour. */
  fromMs: number
  toMs: number
  /** The object's arrival, which a record's lag is measured to. */
  arrivalMs: number
  /** The object's id list: 16 bytes an id and its record's index; `room()` grows it when full. */
  ids: {ids: Uint8Array; indexes: Uint32Array; count: number; room(): number}
  /** The lag histogram of the lake's own records (not the canary's). */
  lag: {counts: Uint32Array; maxMs: number}
  /** The record index of the next line. */
  index(): number
  /** `lines` lines were absorbed, before the next line visited (or the end of the text). */
  skip(lines: number): void
  /** Of the lines one call absorbed, `lines` in all, `ipSeen` held an anonymised address. */
  counted(lines: number, ipSeen: number): void
}

const NO_BYTES = new Uint8Array(0)
const NO_INDEXES = new Uint32Array(0)
const NO_LAG = new Uint32Array(0)

/** Where `npm ci` (the build:native script) puts the compiled scanner. */
export const NATIVE_SCANNER_PATH = join(PACKAGE_ROOT, 'checks/scan/native/build/Release/fast_scan.node')

// A machine that could not build it (no compiler) keeps the JavaScript fast path: same verdicts.
const binding = loadAddon<Binding>(NATIVE_SCANNER_PATH, (b) => b.programVersion === PROGRAM_VERSION)

/** Whether the native scanner is built and loaded here. */
export const nativeScannerLoaded = binding !== undefined

/**
 * One line saying why the native scanner is not in use, with what the build script found
 * (checks/scan/native/build-native.mjs keeps it, since npm hides install output); undefined when
 * it is loaded or PIXEL_NATIVE=0 turned it off on purpose.
 *
 * @example if (nativeScannerNote()) warn(nativeScannerNote())
 */
export function nativeScannerNote(): string | undefined {
  if (binding || process.env.PIXEL_NATIVE === '0') return undefined
  let why = 'not built'
  try {
    why = readFileSync(join(PACKAGE_ROOT, 'checks/scan/native/build/not-built.txt'), 'utf8').trim() || why
  } catch {
    // No reason kept: the build never ran here.
  }
  return `the native scanner is not in use (${why}): checking with the JavaScript fast path, same verdicts at about half the speed; npm rebuild pixel --foreground-scripts retries the build`
}

/**
 * The native matcher's answer for a pattern automaton (simple-pattern.ts) on well-formed UTF-8
 * text, or undefined where the scanner is not built: for the tests holding it equal to
 * matchSimplePattern and to the RegExp.
 *
 * @example nativePatternTest(compileSimplePattern('^[a-z]+$')!, Buffer.from('abc')) // true
 */
export function nativePatternTest(code: Int32Array, text: Uint8Array): boolean | undefined {
  return binding?.testPattern(code, text)
}

const LINES_PER_CALL = 4096
const CHECKS_PER_CALL = 3 * 16384

// A line's status, as fast_scan.cc writes it.
const VALID = 1
const VALID_IF_CHECKED = 2
const ASK_JAVASCRIPT = 3

/** What the JavaScript scanner does for the lines (and strings) the native one leaves to it. */
export interface JavaScriptCompletion {
  /** The JavaScript fast path's verdict on a whole line (its id and time in `line`). */
  line(text: Uint8Array, line: ScannedLine): void
  /** Whether the string whose text sits between quotes at [start, end) meets node `node`'s string keywords. */
  string(text: Uint8Array, node: number, start: number, end: number): boolean
}

/**
 * The fast path in C++ (checks/scan/native/fast_scan.cc): the same verdicts as the JavaScript
 * scanner, for every line of a text in a few calls instead of one call per line. What it cannot
 * decide cheaply (a `pattern`, most formats, a `oneOf` over them) it hands back: a string to test
 * in JavaScript, or the whole line for the JavaScript scanner.
 *
 * @example const scanner = nativeScanner(fast.program, completion); scanner?.scan(text, (line) => …)
 */
export function nativeScanner(program: FastPathProgram, completion: JavaScriptCompletion): {scan(text: Uint8Array, visit: (line: ScannedLine) => void, absorber?: LineAbsorber): void} | undefined {
  if (!binding) return undefined
  const compiled = binding.compile(program.nodes, program.root, program.idField, program.timeField, program.fields)
  // Per line: start, end, status, idStart, idEnd, facts, lines absorbed before it, its id's slot,
  // then each located field's start and end.
  const fieldInts = 2 * program.fields.length
  const INTS_PER_LINE = 8 + fieldInts
  const lines = new Int32Array(LINES_PER_CALL * INTS_PER_LINE)
  const times = new Float64Array(LINES_PER_CALL)
  const checks = new Int32Array(CHECKS_PER_CALL + 1)
  const state = new Float64Array(STATE_SLOTS)
  // Per line, 16 bytes: a UUID id's own (ScannedLine.idBytes).
  const ids = new Uint8Array(LINES_PER_CALL * 16)
  const line: ScannedLine = {start: 0, end: 0, valid: false, idStart: -1, idEnd: -1, time: Number.NaN, fields: new Int32Array(fieldInts), facts: 0, idBytes: ids, idOffset: 0, idSlot: -1}
  return {
    scan(text, visit, absorber) {
      state[S_ABSORB] = absorber ? 1 : 0
      if (absorber) {
        state[S_FROM_MS] = absorber.fromMs
        state[S_TO_MS] = absorber.toMs
        state[S_ARRIVAL_MS] = absorber.arrivalMs
        state[S_CANARY_FIELD] = absorber.canaryField
        state[S_IP_FIELD] = absorber.ipField
        state[S_IP_FACT] = absorber.ipFact
      }
      for (let from = 0; ; ) {
        let count: number
        if (absorber) {
          const list = absorber.ids
          list.room() // a full list grows here: the scanner stops where it fills up
          state[S_PIECE_BASE] = absorber.index()
          state[S_ID_COUNT] = list.count
          state[S_LAG_MAX] = absorber.lag.maxMs
          count = binding.scan(compiled, text, lines, times, checks, ids, from, state, absorber.canaryValue, list.ids, list.indexes, absorber.lag.counts)
          list.count = state[S_ID_COUNT]
          absorber.lag.maxMs = state[S_LAG_MAX]
          absorber.counted(state[S_ABSORBED], state[S_IP_SEEN])
        } else {
          count = binding.scan(compiled, text, lines, times, checks, ids, from, state, NO_BYTES, NO_BYTES, NO_INDEXES, NO_LAG)
        }
        let check = 0
        for (let k = 0; k < count; k++) {
          const at = k * INTS_PER_LINE
          const status = lines[at + 2]
          line.start = lines[at]
          line.end = lines[at + 1]
          line.idStart = lines[at + 3]
          line.idEnd = lines[at + 4]
          line.time = times[k]
          line.facts = lines[at + 5]
          line.idSlot = lines[at + 7]
          line.idOffset = k * 16
          for (let f = 0; f < fieldInts; f++) line.fields[f] = lines[at + 8 + f]
          if (absorber && lines[at + 6] > 0) absorber.skip(lines[at + 6])
          if (status === ASK_JAVASCRIPT) {
            line.facts = 0
            completion.line(text, line)
          }
          else if (status === VALID_IF_CHECKED) {
            // checks: per line, a count then (node, start, end) triples, in line order.
            const n = checks[check++]
            let valid = true
            for (let c = 0; c < n; c++, check += 3) if (valid && !completion.string(text, checks[check], checks[check + 1], checks[check + 2])) valid = false
            line.valid = valid
            if (!valid) {
              line.idStart = line.idEnd = -1
              line.facts = 0
              line.fields.fill(-1)
            }
          } else line.valid = status === VALID
          visit(line)
        }
        if (absorber && state[S_TAIL] > 0) absorber.skip(state[S_TAIL])
        if (state[S_DONE] === 1) return
        from = state[S_NEXT]
      }
    },
  }
}
