import {Worker} from 'node:worker_threads'
import type {WorkerClose} from './scan-worker.js'

// From the sources (tests, bin/dev.js) the worker is TypeScript too, and needs tsx to load.
const fromSources = import.meta.url.endsWith('.ts')
/** The scan worker's module, compiled or from the sources. */
export const SCAN_WORKER_URL = new URL(fromSources ? './scan-worker-from-sources.mjs' : './scan-worker.js', import.meta.url)

interface WarmWorker {
  worker: Worker
  /** Set when it failed or stopped before it was taken: such a worker is never handed out. */
  broken: boolean
  /** Its exit code, once it has ended. */
  exited: Promise<number>
}

const warm: WarmWorker[] = []

/**
 * Starts scan workers before they are needed, so that their start (a worker thread loads the
 * scanner, ajv and the fast path, a quarter of a second) runs while the main thread is still
 * loading the command and listing the lake. They hold nothing until a ScanPool takes them, and
 * never keep the process alive; whatever no pool takes is stopped by discardWarmScanWorkers.
 *
 * @example prestartScanWorkers(availableParallelism()) // in pixel check's init hook
 */
export function prestartScanWorkers(count: number): void {
  for (let k = warm.length; k < count; k++) {
    const worker = new Worker(SCAN_WORKER_URL)
    const entry: WarmWorker = {worker, broken: false, exited: new Promise((resolve) => worker.once('exit', resolve))}
    // A failure before a pool takes it is the fresh worker's to report: this one is just dropped.
    worker.on('error', () => void (entry.broken = true))
    worker.on('exit', () => void (entry.broken = true))
    worker.unref()
    warm.push(entry)
  }
}

/** A started worker that is still sound, or undefined; the caller owns it (and refs it). */
export function takeWarmScanWorker(): Worker | undefined {
  for (let entry = warm.shift(); entry; entry = warm.shift()) {
    if (!entry.broken) {
      entry.worker.removeAllListeners()
      entry.worker.ref()
      return entry.worker
    }
    void entry.worker.terminate()
  }
  return undefined
}

/**
 * Stops the started workers no pool took (fewer objects than workers, or no pool at all): each is
 * asked to exit and ends on its own once it has loaded, as ScanPool.close ends an idle worker
 * (terminating one could catch V8 compiling on a helper thread, which aborted Node 20 once in CI).
 * Resolves to their exit codes, for the tests; callers need not wait.
 */
export function discardWarmScanWorkers(): Promise<number[]> {
  return Promise.all(warm.splice(0).map((entry) => {
    entry.worker.postMessage({close: true} satisfies WorkerClose)
    return entry.exited
  }))
}

/** How many started workers wait to be taken (for the tests). */
export function warmScanWorkers(): number {
  return warm.length
}
