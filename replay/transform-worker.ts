import {parentPort, workerData} from 'node:worker_threads'
import {type Transform, loadTransform} from './transform-file.js'

/** A batch of records; `first` numbers its first record (records are numbered from 1). */
export type TransformRequest = {first: number; records: readonly unknown[]}
/** Per record: the fixed record as JSON (absent: dropped), or why there is none. */
export type TransformAnswer = {setupError: string} | {outcomes: ({json?: string} | {error: string})[]}

const {path, progress: shared} = workerData as {path: string; progress: SharedArrayBuffer}
// The record this worker is on, for the main thread's watchdog (see startTransform).
const progress = new Int32Array(shared)

let transform: Transform | undefined
let setupError: string | undefined
// Loading the transform (its top-level code) runs under the time limit from here on.
Atomics.store(progress, 0, -1)
try {
  transform = await loadTransform(path)
} catch (error) {
  setupError = (error as Error)?.message ?? String(error)
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

parentPort!.on('message', async (request: TransformRequest) => {
  if (!transform) return parentPort!.postMessage({setupError: setupError!} satisfies TransformAnswer)
  const outcomes: ({json?: string} | {error: string})[] = []
  for (let i = 0; i < request.records.length; i++) {
    Atomics.store(progress, 0, request.first + i)
    let value: unknown
    try {
      value = await transform(request.records[i])
    } catch (error) {
      outcomes.push({error: `the transform threw: ${message(error)}`})
      continue
    }
    if (value === null || value === undefined) {
      outcomes.push({})
      continue
    }
    try {
      const json = JSON.stringify(value)
      outcomes.push(json === undefined ? {error: `the transform returned a ${typeof value}, not a record`} : {json})
    } catch (error) {
      outcomes.push({error: `the transform returned a value that is not JSON: ${message(error)}`})
    }
  }
  parentPort!.postMessage({outcomes} satisfies TransformAnswer)
})
