// A worker thread of the scan pool: runs the fast path the main thread compiled, then scans
// objects as they come.
import {parentPort} from 'node:worker_threads'
import type {ObjectKey} from '../../lake/layout/object-key.js'
import {deferredValidator} from '../schema/record-validator.js'
import {type CanaryRule, type ObjectScan, type ScanOptions, scanObject} from './scan-object.js'
import type {IpPolicy} from './ip-address.js'
import {fastPathOf} from './fast-path.js'
import type {FastPathProgram} from './fast-path-program.js'

export interface WorkerSetup {
  schema: Record<string, unknown>
  /** The fast path's program, as the main thread compiled it from `schema`. */
  program?: FastPathProgram
  fastPath: boolean | 'javascript'
  idField: string
  timeField: string
  toleranceMs: number
  maxSamples: number
  quarantine?: boolean
  maxObjectBytes?: number
  canary?: CanaryRule
  ipField?: string
  ipPolicy?: IpPolicy
}

/** `digest: false` scans without hashing the bytes (ScanOptions' `digest`). */
export type WorkerRequest = {id: number; object: ObjectKey; bytes: Uint8Array; digest: boolean}
/** Sent by ScanPool.close: the worker stops listening, and its thread ends once idle. */
export type WorkerClose = {close: true}
export type WorkerAnswer = {id: number; scan: ObjectScan} | {id: number; error: string; stack?: string}

let options: ScanOptions | undefined
let unhashed: ScanOptions | undefined

parentPort!.on('message', (message: {setup: WorkerSetup} | WorkerRequest | WorkerClose) => {
  if ('close' in message) {
    parentPort!.close()
    return
  }
  if ('setup' in message) {
    const {schema, program, fastPath, ...rest} = message.setup
    options = {...rest, validator: deferredValidator(schema), fastPath: fastPath && program ? fastPathOf(program, {native: fastPath !== 'javascript'}) : undefined}
    unhashed = {...options, digest: false}
    return
  }
  try {
    const scan = scanObject(message.object, message.bytes, message.digest ? options! : unhashed!)
    parentPort!.postMessage({id: message.id, scan} satisfies WorkerAnswer, [scan.ids.buffer as ArrayBuffer, scan.idIndexes.buffer as ArrayBuffer, scan.canaryIds.buffer as ArrayBuffer, scan.canaryIdIndexes.buffer as ArrayBuffer])
  } catch (error) {
    // The message alone, for the one line a failure prints; the stack travels apart, for DEBUG.
    parentPort!.postMessage({id: message.id, error: (error as Error).message ?? String(error), stack: (error as Error).stack} satisfies WorkerAnswer)
  }
})
