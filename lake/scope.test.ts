import {describe, expect, it} from 'vitest'
import {InvalidOptionError} from './errors.js'
import {dayScope, hourEnded, hourScope, rangeScope, scopeDays} from './scope.js'

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

  it.each([
    ['0099-01-01', '0099-01-01T00'],
    ['0000-02-29', '0000-02-29T00'],
    ['0999-12-31', '0999-12-31T00'],
  ])('audits %s itself, not a day 1900 years later', (day, first) => {
    const scope = dayScope(day)
    expect(scope.hours[0]).toBe(first)
    expect(scope.hours).toHaveLength(24)
    expect(scope.from.getUTCFullYear()).toBe(Number(day.slice(0, 4)))
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

  it('covers an hour of a year below 1000 as that year', () => {
    expect(hourScope('0099-01-01T05').hours).toEqual(['0099-01-01T05'])
  })

  it.each(['2026-02-10T24', '2026-02-10', '2026-02-10T5', '2026-02-29T01'])('rejects %j with a message naming --hour', (hour) => {
    expect(() => hourScope(hour)).toThrow(/--hour/)
  })
})

describe('rangeScope', () => {
  it('covers every hour of both days and those between, in order', () => {
    const scope = rangeScope('2026-02-27', '2026-03-01')
    expect(scope.kind).toBe('range')
    expect(scope.hours).toHaveLength(72)
    expect(scope.hours[0]).toBe('2026-02-27T00')
    expect(scope.hours[71]).toBe('2026-03-01T23')
    expect(scopeDays(scope)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01'])
  })

  it('is one day when both ends are the same day', () => {
    expect(rangeScope('2026-02-10', '2026-02-10').hours).toEqual(dayScope('2026-02-10').hours)
  })

  it.each([
    ['a reversed range', '2026-02-10', '2026-02-09', /--from 2026-02-10 is after --to 2026-02-09/],
    ['no end', '2026-02-10', undefined, /--from needs --to/],
    ['no start', undefined, '2026-02-10', /--to needs --from/],
    ['an impossible day', '2026-02-30', '2026-03-02', /--from "2026-02-30" is not a day/],
    ['more than a year', '2020-01-01', '2026-01-01', /spans 2193 days/],
  ])('rejects %s', (_, from, to, message) => {
    expect(() => rangeScope(from, to)).toThrow(InvalidOptionError)
    expect(() => rangeScope(from, to)).toThrow(message)
  })
})

describe('hourEnded', () => {
  it.each([
    ['an hour under way', '2026-02-10T05:59:59.999Z', false],
    ['an hour that has just ended', '2026-02-10T06:00:00Z', true],
    ['an hour yet to come', '2026-02-10T04:00:00Z', false],
    ['an hour long past', '2026-03-01T00:00:00Z', true],
  ])('says whether the hour has ended: %s', (_, now, ended) => {
    expect(hourEnded('2026-02-10T05', new Date(now))).toBe(ended)
  })
})
