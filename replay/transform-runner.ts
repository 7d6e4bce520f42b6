import {Worker} from 'node:worker_threads'
import {TransformFileError, TransformTimeoutError} from './errors.js'
import type {Transform} from './transform-file.js'
import type {TransformAnswer, TransformRequest} from './transform-worker.js'

/** What the transform made of one record: the fixed record, null (dropped), or why it threw. */
export type TransformOutcome = {value: unknown} | {error: string}

/**
 * Applies a transform to records a batch at a time. `at` names the records in messages: the
 * record a transform timed out on is reported by it.
 */
export interface BatchTransform {
  apply(records: readonly unknown[], signal?: AbortSignal): Promise<TransformOutcome[]>
  close(): Promise<void>
}

/**
 * A transform function run in this thread, for tests and for code that already has the
 * function: nothing bounds its time.
 *
 * @example const transform = inThread((r) => ({...r, badge: 'fixed'}))
 */
export function inThread(transform: Transform): BatchTransform {
  return {
    async apply(records) {
      const outcomes: TransformOutcome[] = []
      for (const record of records) {
        try {
          outcomes.push({value: (await transform(record)) ?? null})
        } catch (error) {
          outcomes.push({error: (error as Error)?.message ?? String(error)})
        }
      }
      return outcomes
    },
    async close() {},
  }
}

// From the sources (tests, bin/dev.js) the worker is TypeScript too, and needs tsx to load.
const fromSources = import.meta.url.endsWith('.ts')
const WORKER_URL = new URL(fromSources ? './transform-worker-from-sources.mjs' : './transform-worker.js', import.meta.url)

// The worker thread itself starting (and tsx compiling, from the sources) is not the transform's time.
const NOT_STARTED = 0

/** Raised inside `apply` when the record at `offset` of the batch ran out of time; see runReplay. */
export class RecordTimedOut extends Error {
  constructor(readonly offset: number, readonly ms: number) {
    super(`the transform did not finish within ${ms / 1000}s`)
  }
}

/** The signal stopped the replay while a batch was in the transform. */
export class TransformInterrupted extends Error {}

/**
 * Runs `--transform FILE` (a JSON fix-up file or a JS module) in a worker thread, where a record
 * that takes longer than `timeoutMs` (a loop that never ends, a promise that never settles) can
 * be stopped: the worker is terminated and the batch rejects with RecordTimedOut naming the
 * record. The main thread stays free meanwhile, so SIGINT and SIGTERM are heard at once.
 * Records travel in batches; the worker marks the record it is on in shared memory, so each
 * record has its own time limit. A file that does not load is a TransformFileError.
 *
 * @example const transform = await startTransform('fix.mjs', {timeoutMs: 5000})
 */
export async function startTransform(path: string, options: {timeoutMs: number}): Promise<BatchTransform> {
  const progress = new Int32Array(new SharedArrayBuffer(4))
  const worker = new Worker(WORKER_URL, {workerData: {path, progress: progress.buffer}})
  worker.unref()
  let failed: Error | undefined
  let pending: {resolve: (answer: TransformAnswer) => void; reject: (error: Error) => void} | undefined
  worker.on('message', (answer: TransformAnswer) => pending?.resolve(answer))
  worker.on('error', (error) => {
    failed = error
    pending?.reject(new TransformFileError(`transform ${path} failed: ${error.message}`, {cause: error}))
  })
  worker.on('exit', () => {
    failed ??= new Error('the transform worker stopped')
    pending?.reject(failed)
  })

  /** Sends one request and waits for its answer, watching the record the worker is on. */
  const ask = (request: TransformRequest, signal?: AbortSignal): Promise<TransformAnswer> =>
    new Promise<TransformAnswer>((resolve, reject) => {
      if (failed) return reject(failed)
      let seen = Atomics.load(progress, 0)
      let since = Date.now()
      const tick = Math.max(10, Math.min(250, options.timeoutMs / 10))
      const stop = (error: Error) => {
        finish()
        void worker.terminate()
        reject(error)
      }
      const watchdog = setInterval(() => {
        const now = Atomics.load(progress, 0)
        if (now !== seen) {
          seen = now
          since = Date.now()
        } else if (now !== NOT_STARTED && Date.now() - since >= options.timeoutMs) stop(new RecordTimedOut(Math.max(0, now - request.first), options.timeoutMs))
      }, tick)
      const onAbort = () => stop(new TransformInterrupted('interrupted'))
      signal?.addEventListener('abort', onAbort, {once: true})
      function finish() {
        clearInterval(watchdog)
        signal?.removeEventListener('abort', onAbort)
        pending = undefined
      }
      pending = {
        resolve: (answer) => (finish(), resolve(answer)),
        reject: (error) => (finish(), reject(error)),
      }
      if (signal?.aborted) return onAbort()
      worker.postMessage(request)
    })

  let next = 1
  const ready = await ask({first: 0, records: []}).catch((error: Error) => {
    if (error instanceof RecordTimedOut) throw new TransformTimeoutError(`transform ${path} did not load within ${options.timeoutMs / 1000}s: raise --transform-timeout, or fix the module's top-level code`)
    throw error
  })
  if ('setupError' in ready) {
    await worker.terminate()
    throw new TransformFileError(ready.setupError)
  }
  return {
    async apply(records, signal) {
      const first = next
      next += records.length
      const answer = await ask({first, records}, signal)
      if ('setupError' in answer) throw new TransformFileError(answer.setupError)
      return answer.outcomes.map((o): TransformOutcome => ('error' in o ? {error: o.error} : {value: o.json === undefined ? null : JSON.parse(o.json)}))
    },
    async close() {
      await worker.terminate()
    },
  }
}
