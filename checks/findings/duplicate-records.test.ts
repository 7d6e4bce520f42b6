import {randomUUID} from 'node:crypto'
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {DuplicateRecords, idBudget} from './duplicate-records.js'
import {idBytes} from '../../lake/ids/record-id.js'
import {ID_TABLES} from '../../fixtures/test-support/id-tables.js'

interface TestObject {
  key: string
  hour: string
  ids: Uint8Array
  idIndexes: Uint32Array
}

/** An object holding the given ids, in order, at record indexes 0, 1, 2… */
function object(key: string, hour: string, ids: string[]): TestObject {
  const bytes = Buffer.alloc(ids.length * 16)
  ids.forEach((id, i) => idBytes(id, bytes, i * 16))
  return {key, hour, ids: bytes, idIndexes: Uint32Array.from(ids.keys())}
}

/** A day of objects where later hours resend some ids of earlier ones. */
function day(): {objects: TestObject[]; copiesPerHour: Map<string, number>} {
  const objects: TestObject[] = []
  const copiesPerHour = new Map<string, number>()
  const seen: string[] = []
  for (let h = 0; h < 6; h++) {
    const hour = `2026-02-10T0${h}`
    for (let o = 0; o < 3; o++) {
      const fresh = Array.from({length: 400}, () => randomUUID())
      const resent = seen.slice(h * 37, h * 37 + h * 11 + o) // h*11+o copies, chosen by hand
      copiesPerHour.set(hour, (copiesPerHour.get(hour) ?? 0) + resent.length)
      objects.push(object(`${hour}/object-${o}`, hour, [...fresh, ...resent]))
      seen.push(...fresh)
    }
  }
  return {objects, copiesPerHour}
}

const spillDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('pixel-ids-')).length

/** Runs `body` with the temporary folder a fresh one of its own, so other tests' spills do not count. */
function inOwnTmpdir(body: () => void): void {
  const previous = process.env.TMPDIR
  const own = mkdtempSync(join(tmpdir(), 'pixel-spill-count-'))
  process.env.TMPDIR = own
  try {
    body()
  } finally {
    if (previous === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previous
    rmSync(own, {recursive: true, force: true})
  }
}

describe.each(ID_TABLES)('DuplicateRecords with %s', (_, makeTable) => {
  describe.each([
    ['in memory', idBudget(400)],
    ['spilling to disk past a budget of 1,000 ids', 1000],
  ])('%s', (mode, budget) => {
    it('counts every later copy in the hour of the copy', () => {
      const {objects, copiesPerHour} = day()
      const dupes = new DuplicateRecords('event_id', 5, 100, budget, makeTable)
      for (const o of objects) dupes.see(o)
      dupes.finish()
      expect(dupes.spilled).toBe(mode !== 'in memory')
      for (const [hour, copies] of copiesPerHour) expect(dupes.countFor(hour)).toBe(copies)
      expect(dupes.findings().map((f) => [f.hour, f.count])).toEqual([...copiesPerHour].filter(([, n]) => n > 0))
    })

    it('names the earliest object as the original', () => {
      const id = randomUUID()
      const dupes = new DuplicateRecords('event_id', 5, 100, budget, makeTable)
      dupes.see(object('a', '2026-02-10T01', [randomUUID(), id, ...Array.from({length: 1500}, () => randomUUID())]))
      dupes.see(object('b', '2026-02-10T02', [id]))
      dupes.see(object('c', '2026-02-10T03', [id, id]))
      dupes.finish()
      const samples = dupes.findings().flatMap((f) => f.samples.map((s) => [s.key, s.index, s.message]))
      expect(samples).toEqual([
        ['b', 0, 'event_id first seen in a'],
        ['c', 0, 'event_id first seen in a'],
        ['c', 1, 'event_id first seen in a'],
      ])
    })
  })

  it('names a copy inside its own object by the record index it has in that object', () => {
    const [x, y] = [randomUUID(), randomUUID()]
    const dupes = new DuplicateRecords('event_id', 5, 100, idBudget(400), makeTable)
    // Records 1, 3 and 4 had no id: the ids sit at records 0, 2, 5 and 6.
    dupes.see({...object('a', '2026-02-10T01', [x, y, x, x]), idIndexes: Uint32Array.of(0, 2, 5, 6)})
    const samples = dupes.findings().flatMap((f) => f.samples.map((s) => [s.key, s.index, s.message]))
    expect(samples).toEqual([
      ['a', 5, 'event_id first seen earlier in this object'],
      ['a', 6, 'event_id first seen earlier in this object'],
    ])
  })

  it('keeps the same samples spilled as in memory: the earliest copies of each hour, on every run', () => {
    const {objects} = day()
    const findingsWith = (budget: number) => {
      const dupes = new DuplicateRecords('event_id', 5, 100, budget, makeTable)
      for (const o of objects) dupes.see(o)
      dupes.finish()
      return dupes.findings()
    }
    const inMemory = findingsWith(idBudget(400))
    expect(inMemory.filter((f) => f.count > 5)).not.toHaveLength(0)
    // Each spill hashes with a seed of its own, so its partitions come back in another order each run.
    for (const budget of [1000, 1000, 1000, 3000]) expect(findingsWith(budget)).toEqual(inMemory)
  })

  it('deletes its spill files when it finishes, and when the check stops half-way', () => {
    inOwnTmpdir(() => {
      const finished = new DuplicateRecords('event_id', 5, 100, 10, makeTable)
      finished.see(object('a', '2026-02-10T01', Array.from({length: 50}, () => randomUUID())))
      expect(spillDirs()).toBe(1)
      finished.finish()
      expect(spillDirs()).toBe(0)
      const stopped = new DuplicateRecords('event_id', 5, 100, 10, makeTable)
      stopped.see(object('a', '2026-02-10T01', Array.from({length: 50}, () => randomUUID())))
      expect(spillDirs()).toBe(1)
      stopped.discard()
      expect(spillDirs()).toBe(0)
    })
  })
})

describe('idBudget', () => {
  it.each([
    [400, 12_582_912],
    [100, 3_145_728],
  ])('fits the id table for %i MB in that much memory', (mb, ids) => {
    expect(idBudget(mb)).toBe(ids)
    expect((ids / 0.75) * 20).toBeLessThanOrEqual(mb * 1024 * 1024)
  })
})
