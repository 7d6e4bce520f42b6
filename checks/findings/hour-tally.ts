import type {Sample} from '../report/report.js'

/** What one hour gathered for a record-level check: a count, some samples, and message counts. */
export interface HourTallyEntry {
  hour: string
  count: number
  samples: Sample[]
  messages: Record<string, number>
}

/**
 * Adds up a record-level problem per hour across objects, keeping at most `maxSamples` samples,
 * so that a check reports one finding per hour however many objects the hour holds.
 *
 * @example tally.add(scan.hour, scan.unparseable, scan.unparseableSamples); tally.entries()
 */
export class HourTally {
  private readonly byHour = new Map<string, HourTallyEntry>()

  constructor(private readonly maxSamples: number) {}

  add(hour: string, count: number, samples: Sample[], messages: Record<string, number> = {}): void {
    if (count === 0) return
    let entry = this.byHour.get(hour)
    if (!entry) this.byHour.set(hour, (entry = {hour, count: 0, samples: [], messages: {}}))
    entry.count += count
    for (const sample of samples) if (entry.samples.length < this.maxSamples) entry.samples.push(sample)
    for (const [message, n] of Object.entries(messages)) entry.messages[message] = (entry.messages[message] ?? 0) + n
  }

  /** The hours with a non-zero count, in hour order. */
  entries(): HourTallyEntry[] {
    return [...this.byHour.values()].sort((a, b) => (a.hour < b.hour ? -1 : 1))
  }
}

/** `n thing` or `n things`. */
export function plural(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? '' : 's'}`
}
