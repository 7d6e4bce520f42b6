import {describe, expect, it} from 'vitest'
import {InvalidOptionError} from './errors.js'
import {dayScope, hourScope} from './scope.js'

describe('dayScope', () => {
  it('covers the 24 UTC hours of a calendar day', () => {
    const scope = dayScope('2026-02-10')
    expect(scope.hours).toHaveLength(24)
    expect(scope.hours[0]).toBe('2026-02-10T00')
    expect(scope.hours[23]).toBe('2026-02-10T23')
    expect(scope.to.toISOString()).toBe('2026-02-11T00:00:00.000Z')
  })

  it.each([
    ['yesterday', '2026-11-27T00'],
    ['today', '2026-11-28T00'],
  ])('resolves %s against the UTC clock', (day, first) => {
    expect(dayScope(day, new Date('2026-11-28T00:30:00Z')).hours[0]).toBe(first)
  })

  it.each(['2026-02-30', '2026-13-01', '10-02-2026', 'tomorrow', ''])('rejects %j with a message naming --day', (day) => {
    expect(() => dayScope(day)).toThrow(InvalidOptionError)
    expect(() => dayScope(day)).toThrow(/--day/)
  })
})

describe('hourScope', () => {
  it('covers exactly one hour', () => {
    const scope = hourScope('2026-02-10T05')
    expect(scope.hours).toEqual(['2026-02-10T05'])
    expect(scope.from.toISOString()).toBe('2026-02-10T05:00:00.000Z')
  })

  it.each(['2026-02-10T24', '2026-02-10', '2026-02-10T5', '2026-02-29T01'])('rejects %j with a message naming --hour', (hour) => {
    expect(() => hourScope(hour)).toThrow(/--hour/)
  })
})
