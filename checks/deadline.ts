import {formatDuration} from '../lake/scope.js'
import {CheckTimeoutError} from './errors.js'

/**
 * A limit on how long a whole check may take. Every wait of the check is raced against it, so
 * when it passes the check stops at once with one line naming what it was still waiting for (the
 * listing, or the object whose turn it was), however the endpoint behaves.
 *
 * @example
 * const deadline = new Deadline(30 * 60_000)
 * const bytes = await deadline.race(lake.read(key), `${lake.url}${key}`)
 */
export class Deadline {
  private readonly at: number

  constructor(private readonly ms: number) {
    this.at = Date.now() + ms
  }

  /** Settles as `work` does, unless the deadline passes first: then a CheckTimeoutError. */
  async race<T>(work: Promise<T>, waitingFor: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const limit = this.ms < 60_000 ? `${Math.round(this.ms / 100) / 10} s` : formatDuration(this.ms)
        reject(new CheckTimeoutError(`the check did not finish within --timeout ${limit}: still waiting for ${waitingFor} (a stalled endpoint?)`))
      }, Math.max(0, this.at - Date.now()))
    })
    try {
      return await Promise.race([work, expired])
    } finally {
      clearTimeout(timer)
    }
  }
}
