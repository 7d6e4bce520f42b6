/** What the demo counts per minute. */
export type MinuteCounter = 'hits' | 'records' | 'refused'

/** One minute of the series: its start and its counts. */
export interface MinuteCount {
  /** The minute's start, ISO-8601. */
  readonly minute: string
  /** GIF answers the pixel served (GET /p.gif). */
  readonly hits: number
  /** Records the Firehose API took into its buffers, from the pixel or any other client. */
  readonly records: number
  /** Records refused by the Firehose API (throttled calls, failed batch records). */
  readonly refused: number
}

const MINUTE_MS = 60_000

/**
 * Counts per minute over a sliding window, in a fixed ring: adding is O(1) and allocates
 * nothing, so counting every hit costs the pipeline nothing it would notice.
 *
 * @example
 * const counts = new MinuteCounts(30)
 * counts.add('hits', 1)
 * counts.series() // the last 30 minutes, oldest first
 */
export class MinuteCounts {
  private readonly minutes: number
  private readonly starts: Float64Array
  private readonly counts: Record<MinuteCounter, Float64Array>
  private readonly now: () => number

  constructor(minutes: number, now: () => number = Date.now) {
    this.minutes = minutes
    this.starts = new Float64Array(minutes).fill(-1)
    this.counts = {hits: new Float64Array(minutes), records: new Float64Array(minutes), refused: new Float64Array(minutes)}
    this.now = now
  }

  add(counter: MinuteCounter, n: number): void {
    const start = Math.floor(this.now() / MINUTE_MS) * MINUTE_MS
    const slot = (start / MINUTE_MS) % this.minutes
    if (this.starts[slot] !== start) {
      this.starts[slot] = start
      this.counts.hits[slot] = 0
      this.counts.records[slot] = 0
      this.counts.refused[slot] = 0
    }
    this.counts[counter][slot] += n
  }

  /** Every minute of the window up to the current one, oldest first; minutes without counts are zeros. */
  series(): MinuteCount[] {
    const current = Math.floor(this.now() / MINUTE_MS) * MINUTE_MS
    const out: MinuteCount[] = []
    for (let i = this.minutes - 1; i >= 0; i--) {
      const start = current - i * MINUTE_MS
      const slot = (start / MINUTE_MS) % this.minutes
      const here = this.starts[slot] === start
      out.push({
        minute: new Date(start).toISOString(),
        hits: here ? this.counts.hits[slot] : 0,
        records: here ? this.counts.records[slot] : 0,
        refused: here ? this.counts.refused[slot] : 0,
      })
    }
    return out
  }
}
