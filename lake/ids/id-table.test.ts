import {randomUUID} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import type {IdTable} from './id-table.js'
import {idBytes} from './record-id.js'
import {ID_TABLES} from '../../fixtures/test-support/id-tables.js'

function id(value: string): Buffer {
  const out = Buffer.alloc(16)
  expect(idBytes(value, out, 0)).toBe(true)
  return out
}

/** The ids of `values` back to back, as a scan hands them over. */
function batch(values: string[]): Buffer {
  return Buffer.concat(values.map(id))
}

/** addAll's answer as [index, first owner] pairs. */
function addAll(table: IdTable, ids: Uint8Array, owner: number): number[][] {
  const count = ids.length / 16
  const out = new Int32Array(2 * count)
  const copies = table.addAll(ids, count, owner, out)
  return Array.from({length: copies}, (_, k) => [out[2 * k], out[2 * k + 1]])
}

describe.each(ID_TABLES)('%s', (_, makeTable) => {
  it('answers -1 for a new id and the first owner for each later copy', () => {
    const table = makeTable()
    const a = id(randomUUID())
    expect(table.add(a, 0, 3)).toBe(-1)
    expect(table.add(a, 0, 9)).toBe(3)
    expect(table.add(a, 0, 12)).toBe(3)
    expect(table.size).toBe(1)
  })

  it('keeps every id and owner while it grows far past its first capacity', () => {
    const table = makeTable(4)
    const ids = Array.from({length: 5000}, () => id(randomUUID()))
    ids.forEach((b, owner) => expect(table.add(b, 0, owner)).toBe(-1))
    ids.forEach((b, owner) => expect(table.add(b, 0, 99_999)).toBe(owner))
    expect(table.size).toBe(5000)
  })

  it('reports the copies of a batch in order, with their index and first owner, copies inside the batch included', () => {
    const [a, b, c, d] = Array.from({length: 4}, () => randomUUID())
    const table = makeTable()
    expect(addAll(table, batch([a, b]), 0)).toEqual([])
    expect(addAll(table, batch([c, b, c, d, a, c]), 1)).toEqual([[1, 0], [2, 1], [4, 0], [5, 1]])
    expect(table.size).toBe(4)
  })

  it('grows before a batch that would fill it, keeping every earlier id', () => {
    const table = makeTable(4)
    const first = Array.from({length: 10}, () => randomUUID())
    const second = Array.from({length: 3000}, () => randomUUID())
    addAll(table, batch(first), 0)
    expect(addAll(table, batch([...second, ...first]), 1)).toEqual(first.map((_, i) => [second.length + i, 0]))
    expect(table.size).toBe(3010)
    expect(table.capacity * 0.75).toBeGreaterThanOrEqual(3010)
  })

  it('forgets every id on clear, keeping its capacity, and takes ids again after it', () => {
    const table = makeTable(4)
    const ids = Array.from({length: 100}, () => randomUUID())
    addAll(table, batch(ids), 0)
    const capacity = table.capacity
    table.clear()
    expect([table.size, table.capacity]).toEqual([0, capacity])
    expect(addAll(table, batch([ids[7], ids[7]]), 5)).toEqual([[1, 5]])
    expect(table.size).toBe(1)
  })

  it('reads ids at any byte offset, as a view into a larger buffer', () => {
    const values = Array.from({length: 50}, () => randomUUID())
    const padded = Buffer.concat([Buffer.alloc(3), batch(values)])
    const table = makeTable()
    expect(addAll(table, padded.subarray(3), 0)).toEqual([])
    values.forEach((v, i) => expect(table.add(id(v), 0, 1), `id ${i}`).toBe(0))
  })

  it('refuses a batch larger than its ids or its answer buffer', () => {
    const table = makeTable()
    expect(() => table.addAll(batch([randomUUID()]), 2, 0, new Int32Array(4))).toThrow(RangeError)
    expect(() => table.addAll(batch([randomUUID(), randomUUID()]), 2, 0, new Int32Array(3))).toThrow(RangeError)
    expect(table.size).toBe(0)
  })

  it('hands every id and its owner to forEach', () => {
    const table = makeTable(4)
    const values = Array.from({length: 100}, () => randomUUID())
    values.forEach((v, owner) => table.add(id(v), 0, owner))
    const seen = new Map<string, number>()
    table.forEach((...words) => {
      const bytes = Buffer.alloc(16)
      words.slice(0, 4).forEach((w, i) => bytes.writeUInt32LE(w, i * 4))
      seen.set(bytes.toString('hex'), words[4])
    })
    expect(seen).toEqual(new Map(values.map((v, owner) => [id(v).toString('hex'), owner])))
  })
})

describe('idBytes', () => {
  it('treats the same UUID in upper and lower case as one id', () => {
    const uuid = randomUUID()
    expect(id(uuid.toUpperCase())).toEqual(id(uuid))
  })

  it('gives different bytes to different ids that are not UUIDs', () => {
    expect(id('order-1')).not.toEqual(id('order-2'))
    expect(id('order-1')).toEqual(id('order-1'))
  })

  it('tells a number id from the same digits as a string', () => {
    const n = Buffer.alloc(16)
    idBytes(17, n, 0)
    expect(n).not.toEqual(id('17'))
  })

  it.each([[undefined], [null], [''], [{}], [Number.NaN]])('refuses %j as an id', (value) => {
    expect(idBytes(value, Buffer.alloc(16), 0)).toBe(false)
  })
})
