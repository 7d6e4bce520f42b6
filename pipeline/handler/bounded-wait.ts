/** How a bounded wait ended. */
export type BoundedOutcome<T> =
  | {readonly status: 'done'; readonly value: T}
  | {readonly status: 'failed'; readonly error: unknown}
  | {readonly status: 'timeout'}

/**
 * Runs `work` and waits for it at most `timeoutMs`; never rejects. On timeout the signal given
 * to `work` is aborted, so that a request the caller no longer waits for is cancelled rather
 * than left running into the next invocation.
 *
 * @example
 * const outcome = await withinBound((signal) => client.send(command, {abortSignal: signal}), 300)
 * if (outcome.status !== 'done') log(outcome)
 */
export async function withinBound<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<BoundedOutcome<T>> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<BoundedOutcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({status: 'timeout'}), timeoutMs)
  })
  const attempt = (async (): Promise<BoundedOutcome<T>> => {
    try {
      return {status: 'done', value: await work(controller.signal)}
    } catch (error) {
      return {status: 'failed', error}
    }
  })()
  try {
    const outcome = await Promise.race([attempt, timeout])
    if (outcome.status === 'timeout') controller.abort()
    return outcome
  } finally {
    clearTimeout(timer)
  }
}
