import {randomUUID} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {IdTable} from './id-table.js'
import {idBytes} from './record-id.js'

function id(value: string): Buffer {
  const out = Buffer.alloc(16)
  expect(idBytes(value, out, 0)).toBe(true)
  return out
}

describe('IdTable', () => {
  it('answers -1 for a new id and the first owner for each later copy', () => {
    const table = new IdTable()
    const a = id(randomUUID())
    expect(table.add(a, 0, 3)).toBe(-1)
    expect(table.add(a, 0, 9)).toBe(3)
    expect(table.add(a, 0, 12)).toBe(3)
    expect(table.size).toBe(1)
  })

  it('keeps every id and owner while it grows far past its first capacity', () => {
    const table = new IdTable(4)
    const ids = Array.from({length: 5000}, () => id(randomUUID()))
    ids.forEach((b, owner) => expect(table.add(b, 0, owner)).toBe(-1))
    ids.forEach((b, owner) => expect(table.add(b, 0, 99_999)).toBe(owner))
    expect(table.size).toBe(5000)
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
