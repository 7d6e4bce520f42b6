import {Worker} from 'node:worker_threads'

// From the sources (tests, bin/dev.js) the worker is TypeScript too, and needs tsx to load.
const fromSources = import.meta.url.endsWith('.ts')
/** The scan worker's module, compiled or from the sources. */
export const SCAN_WORKER_URL = new URL(fromSources ? './scan-worker-from-sources.mjs' : './scan-worker.js', import.meta.url)

interface WarmWorker {
  worker: Worker
  /** Set when it failed or stopped before it was taken: such a worker is never handed out. */
  broken: boolean
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
    const entry: WarmWorker = {worker: new Worker(SCAN_WORKER_URL), broken: false}
    // A failure before a pool takes it is the fresh worker's to report: this one is just dropped.
    entry.worker.on('error', () => void (entry.broken = true))
    entry.worker.on('exit', () => void (entry.broken = true))
    entry.worker.unref()
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

/** Stops the started workers no pool took (fewer objects than workers, or no pool at all). */
export function discardWarmScanWorkers(): void {
  for (const entry of warm.splice(0)) void entry.worker.terminate()
}

/** How many started workers wait to be taken (for the tests). */
export function warmScanWorkers(): number {
  return warm.length
}
