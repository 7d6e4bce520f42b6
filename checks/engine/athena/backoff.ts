/** How long to wait between tries: doubling from `initialMs`, capped at `maxMs`. */
export interface Backoff {
  readonly initialMs: number
  readonly maxMs: number
  /** The growth per try. @default 2 */
  readonly factor?: number
}

/**
 * The delay before try `attempt` (0-based): exponential, capped, with "equal jitter" (half fixed,
 * half random), so that many clients polling at once spread out but none polls at once.
 *
 * @example backoffDelay({initialMs: 200, maxMs: 5000}, 3) // between 800 and 1600
 */
export function backoffDelay(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * (backoff.factor ?? 2) ** attempt)
  return ceiling / 2 + (random() * ceiling) / 2
}

/**
 * Waits `ms`, or less when `signal` aborts (then it rejects with the signal's reason).
 *
 * @example await sleep(250, controller.signal)
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}
