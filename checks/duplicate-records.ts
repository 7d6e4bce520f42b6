import {HourTally} from './hour-tally.js'
import {IdTable} from './id-table.js'
import {type Finding, type Sample, finding} from './report.js'

/**
 * Counts records whose id was seen before in the scope. Objects must be shown in (partition hour,
 * key) order, so the original of each id is the earliest copy and only the later ones count.
 *
 * @example const dupes = new DuplicateRecords('event_id', 5); dupes.see(scan, 0); dupes.findings()
 */
export class DuplicateRecords {
  private readonly ids: IdTable
  private readonly keys: string[] = []
  private readonly tally: HourTally
  private readonly perHour = new Map<string, number>()

  /** @param expectedIds an estimate of the ids to come, so the table is sized once */
  constructor(private readonly idField: string, maxSamples: number, expectedIds?: number) {
    this.tally = new HourTally(maxSamples)
    this.ids = new IdTable(expectedIds)
  }

  /** Adds an object's ids; returns how many of them are copies. */
  see(object: {key: string; hour: string; ids: Uint8Array; idIndexes: Uint32Array}): number {
    const ordinal = this.keys.push(object.key) - 1
    let copies = 0
    const samples: Sample[] = []
    for (let i = 0; i < object.idIndexes.length; i++) {
      const owner = this.ids.add(object.ids, i * 16, ordinal)
      if (owner < 0) continue
      copies++
      if (samples.length < 5) {
        const where = owner === ordinal ? 'earlier in this object' : `in ${this.keys[owner]}`
        samples.push({key: object.key, index: object.idIndexes[i], pointer: `/${this.idField}`, message: `${this.idField} first seen ${where}`})
      }
    }
    this.tally.add(object.hour, copies, samples)
    this.perHour.set(object.hour, (this.perHour.get(object.hour) ?? 0) + copies)
    return copies
  }

  /** How many copies each hour holds. */
  countFor(hour: string): number {
    return this.perHour.get(hour) ?? 0
  }

  findings(): Finding[] {
    return this.tally.entries().map(({hour, count, samples}) =>
      finding('duplicate-record', {hour, key: null, count, message: `hour ${hour} holds ${count} extra ${count === 1 ? 'copy' : 'copies'} of records already seen`, samples}),
    )
  }
}
