import {createRequire} from 'node:module'
import {join} from 'node:path'
import {PACKAGE_ROOT} from '../../lake/package-root.js'
import type {FastPathProgram, ScannedLine} from './fast-path-program.js'

interface Binding {
  compile(rules: FastPathProgram['rules'], requiredMask: number, idRule: number, timeRule: number): object
  scan(program: object, text: Uint8Array, lines: Int32Array, times: Float64Array, from: number): number
}

/** Where `npm ci` (the build:native script) puts the compiled scanner. */
export const NATIVE_SCANNER_PATH = join(PACKAGE_ROOT, 'checks/scan/native/build/Release/fast_scan.node')

function load(): Binding | undefined {
  // A machine that could not build it (no compiler) keeps the JavaScript fast path: same verdicts.
  if (process.env.PIXEL_NATIVE === '0') return undefined
  try {
    return createRequire(import.meta.url)(NATIVE_SCANNER_PATH) as Binding
  } catch {
    return undefined
  }
}

const binding = load()

/** Whether the native scanner is built and loaded here. */
export const nativeScannerLoaded = binding !== undefined

const LINES_PER_CALL = 4096

/**
 * The fast path in C++ (checks/scan/native/fast_scan.cc): the same verdicts as FastPath.scan, for
 * every line of a text in a few calls instead of one call per line.
 *
 * @example const scanner = nativeScanner(fast.program); scanner?.scan(text, (line) => …)
 */
export function nativeScanner(program: FastPathProgram): {scan(text: Uint8Array, visit: (line: ScannedLine) => void): void} | undefined {
  if (!binding) return undefined
  const compiled = binding.compile(program.rules, program.requiredMask, program.idRule, program.timeRule)
  const lines = new Int32Array(LINES_PER_CALL * 5)
  const times = new Float64Array(LINES_PER_CALL)
  const line: ScannedLine = {start: 0, end: 0, valid: false, idStart: -1, idEnd: -1, time: Number.NaN}
  return {
    scan(text, visit) {
      for (let from = 0; ; ) {
        const count = binding.scan(compiled, text, lines, times, from)
        for (let k = 0; k < count; k++) {
          line.start = lines[k * 5]
          line.end = lines[k * 5 + 1]
          line.valid = lines[k * 5 + 2] === 1
          line.idStart = lines[k * 5 + 3]
          line.idEnd = lines[k * 5 + 4]
          line.time = times[k]
          visit(line)
        }
        if (count < LINES_PER_CALL) return
        from = lines[(count - 1) * 5 + 1] + 1
      }
    },
  }
}
