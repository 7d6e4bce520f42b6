import {Worker} from 'node:worker_threads'
import type {ObjectKey} from '../../lake/layout/object-key.js'
import type {ObjectScan} from './scan-object.js'
import type {WorkerAnswer, WorkerRequest, WorkerSetup} from './scan-worker.js'
import {SCAN_WORKER_URL, discardWarmScanWorkers, takeWarmScanWorker} from './warm-scan-workers.js'

interface Pending {
  resolve: (scan: ObjectScan) => void
  reject: (error: Error) => void
  worker: Worker
}

/**
 * A view that owns its whole buffer can be moved to a worker; anything else is copied first, into
 * a Uint8Array of its own: a Buffer's slice() shares memory, and moving a shared buffer would
 * detach the caller's other bytes (or, for Node's Buffer pool, throw a DataCloneError on Node 22+).
 */
function transferable(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes)
}

/**
 * Worker threads that decode and judge objects in parallel, each with the schema compiled once.
 * Objects go to the least busy worker; their bytes move, not copy, and so do the ids coming back.
 * It takes the workers prestartScanWorkers started, if any, and stops the ones it does not need.
 *
 * @example const pool = new ScanPool(2, setup); const scan = await pool.scan(object, bytes); await pool.close()
 */
export class ScanPool {
  private readonly workers: Worker[]
  private readonly load = new Map<Worker, number>()
  private readonly pending = new Map<number, Pending>()
  private readonly exited = new Set<Worker>()
  private nextId = 0
  private failure: Error | undefined

  constructor(size: number, setup: WorkerSetup) {
    this.workers = Array.from({length: size}, () => {
      const worker = takeWarmScanWorker() ?? new Worker(SCAN_WORKER_URL)
      worker.postMessage({setup})
      worker.on('message', (answer: WorkerAnswer) => this.settle(worker, answer))
      worker.on('error', (error) => this.fail(error))
      worker.on('exit', (code) => {
        this.exited.add(worker)
        if (code !== 0) this.fail(new Error(`a scan worker stopped with exit code ${code}`))
      })
      this.load.set(worker, 0)
      return worker
    })
    void discardWarmScanWorkers()
  }

  /** Scans one object in the least busy worker; `digest: false` leaves its bytes unhashed (ScanOptions' `digest`). */
  scan(object: ObjectKey, bytes: Uint8Array, {digest = true}: {digest?: boolean} = {}): Promise<ObjectScan> {
    if (this.failure) return Promise.reject(this.failure)
    const worker = this.workers.reduce((a, b) => (this.load.get(b)! < this.load.get(a)! ? b : a))
    const id = this.nextId++
    const body = transferable(bytes)
    this.load.set(worker, this.load.get(worker)! + 1)
    return new Promise((resolve, reject) => {
      this.pending.set(id, {resolve, reject, worker})
      worker.postMessage({id, object, bytes: body, digest} satisfies WorkerRequest, [body.buffer as ArrayBuffer])
    })
  }

  /**
   * Stops the workers. An idle one is asked to end and ends on its own, as a thread that runs out
   * of work does: terminating it could catch V8 still compiling its hot code on a helper thread,
   * and on Node 20 that race aborted the whole process once in about thirty busy runs
   * (NodePlatform::ForIsolate's assertion). A busy one (a check stopped half-way) is terminated.
   */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => {
      if (this.exited.has(worker)) return undefined
      if (this.failure || this.load.get(worker)! > 0) return worker.terminate()
      return new Promise<void>((resolve) => {
        worker.once('exit', () => resolve())
        worker.postMessage({close: true})
      })
    }))
  }

  private settle(worker: Worker, answer: WorkerAnswer): void {
    const pending = this.pending.get(answer.id)
    if (!pending) return
    this.pending.delete(answer.id)
    this.load.set(worker, this.load.get(worker)! - 1)
    if ('error' in answer) {
      const error = new Error(`scanning failed in a worker: ${answer.error}`)
      if (answer.stack) error.stack = `${error.message}\n    in the worker: ${answer.stack}`
      pending.reject(error)
    }
    else pending.resolve(answer.scan)
  }

  private fail(error: Error): void {
    this.failure ??= error
    for (const [id, pending] of this.pending) {
      this.pending.delete(id)
      pending.reject(error)
    }
  }
}
