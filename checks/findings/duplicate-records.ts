import {HourTally} from './hour-tally.js'
import {IdSpill} from '../../lake/ids/id-spill.js'
import {type IdTable, SLOT_BYTES} from '../../lake/ids/id-table.js'
import {newIdTable} from '../../lake/ids/native-id-table.js'
import {type Finding, type Sample, finding} from '../report/report.js'

const MAX_LOAD = 0.75

/**
 * How many ids the in-memory table may hold within `megabytes`: the table doubles in powers of
 * two, so this is the largest such table that fits, three quarters full.
 *
 * @example idBudget(400) // 12,582,912 ids in a 335 MB table
 */
export function idBudget(megabytes: number): number {
  let slots = 16
  while (slots * 2 * SLOT_BYTES <= megabytes * 1024 * 1024) slots *= 2
  return Math.floor(slots * MAX_LOAD)
}

/**
 * Counts records whose id was seen before in the scope. Objects must be shown in (partition hour,
 * key) order, so the original of each id is the earliest copy and only the later ones count. Ids
 * live in memory up to `budget`; past it they spill to disk (see IdSpill) and are counted in
 * `finish()`, so memory stays bounded however many records a day holds.
 *
 * @example const dupes = new DuplicateRecords('event_id', 5); dupes.see(scan); dupes.finish(); dupes.findings()
 */
export class DuplicateRecords {
  private table: IdTable | undefined
  // The table is made at the first object, not here: a native table is populated as it is made
  // (168 MB for a day of 5 million ids), and pixel check builds this before its workers have
  // anything to scan, so making it then kept them waiting.
  private unmadeTable: (() => IdTable) | undefined
  private spill: IdSpill | undefined
  private readonly keys: string[] = []
  private readonly hours: string[] = []
  private readonly tally: HourTally
  private readonly perHour = new Map<string, number>()
  // Where the table reports an object's copies: [index in the object, first owner] pairs.
  private copies = new Int32Array(0)

  /**
   * @param expectedIds an estimate of the ids to come, so the table is sized once
   * @param budget the most ids kept in memory before spilling. @default idBudget(400)
   * @param makeTable the id table: native where it is built, else the JavaScript one (the same answers)
   */
  constructor(private readonly idField: string, private readonly maxSamples: number, expectedIds = 1 << 16, private readonly budget = idBudget(400), makeTable: (capacity: number) => IdTable = newIdTable) {
    this.tally = new HourTally(maxSamples)
    this.unmadeTable = () => makeTable(Math.min(expectedIds, budget))
  }

  /** Whether ids went to disk. */
  get spilled(): boolean {
    return this.spill !== undefined
  }

  /** Adds an object's ids: all in one batch, so the table's misses into memory overlap. */
  see(object: {key: string; hour: string; ids: Uint8Array; idIndexes: Uint32Array}): void {
    if (this.unmadeTable) {
      this.table = this.unmadeTable()
      this.unmadeTable = undefined
    }
    const ordinal = this.keys.push(object.key) - 1
    this.hours.push(object.hour)
    const n = object.idIndexes.length
    if (this.table && this.table.size + n > this.budget) this.startSpilling()
    if (this.spill) {
      for (let i = 0; i < n; i++) this.spill.append(object.ids, i * 16, ordinal, object.idIndexes[i])
      return
    }
    if (n === 0) return
    if (this.copies.length < 2 * n) this.copies = new Int32Array(2 * n)
    const copies = this.table!.addAll(object.ids, n, ordinal, this.copies)
    const samples: Sample[] = []
    for (let k = 0; k < Math.min(copies, this.maxSamples); k++) samples.push(this.sample(ordinal, object.idIndexes[this.copies[2 * k]], this.copies[2 * k + 1]))
    this.count(object.hour, copies, samples)
  }

  /**
   * Counts what went to disk; call once after the last object. The partitions come back in an
   * order of their own (a seeded hash), so each hour keeps its earliest copies by (object, record)
   * as samples: the ones an in-memory run keeps, whatever the budget.
   */
  finish(): void {
    if (!this.spill) return
    const byHour = new Map<string, {copies: number; earliest: number[][]}>()
    try {
      this.spill.findDuplicates((ordinal, index, original) => {
        const hour = this.hours[ordinal]
        let entry = byHour.get(hour)
        if (!entry) byHour.set(hour, (entry = {copies: 0, earliest: []}))
        entry.copies++
        keepEarliest(entry.earliest, [ordinal, index, original], this.maxSamples)
      })
    } finally {
      this.spill.close()
    }
    for (const [hour, {copies, earliest}] of [...byHour].sort(([a], [b]) => (a < b ? -1 : 1))) {
      this.count(hour, copies, earliest.map(([ordinal, index, original]) => this.sample(ordinal, index, original)))
    }
  }

  /** Deletes any spilled ids, also when the check stopped half-way. */
  discard(): void {
    this.spill?.close()
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

  private sample(ordinal: number, index: number, original: number): Sample {
    const where = original === ordinal ? 'earlier in this object' : `in ${this.keys[original]}`
    return {key: this.keys[ordinal], index, pointer: `/${this.idField}`, message: `${this.idField} first seen ${where}`}
  }

  private count(hour: string, copies: number, samples: Sample[]): void {
    if (copies === 0) return
    this.tally.add(hour, copies, samples)
    this.perHour.set(hour, (this.perHour.get(hour) ?? 0) + copies)
  }

  private startSpilling(): void {
    const spill = new IdSpill()
    // Every id so far is an original: it goes first into its partition, ahead of any later copy.
    this.table!.forEach((a, b, c, d, owner) => spill.appendWords(a, b, c, d, owner, 0))
    this.table = undefined
    this.spill = spill
  }
}

/** Keeps in `list` the `most` smallest [ordinal, index, …] entries, sorted. */
function keepEarliest(list: number[][], entry: number[], most: number): void {
  const before = (a: number[], b: number[]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])
  if (list.length === most && (most === 0 || !before(entry, list[most - 1]))) return
  let at = list.length
  while (at > 0 && before(entry, list[at - 1])) at--
  list.splice(at, 0, entry)
  if (list.length > most) list.pop()
}
