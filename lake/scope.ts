import {InvalidOptionError} from './errors.js'
import {utcDate} from './utc-date.js'

/** One hour in ms. */
export const HOUR_MS = 3_600_000

/**
 * A span in whole minutes, as reports print it: `45m`, `1h05m` (the sign is dropped).
 *
 * @example formatDuration(90 * 60_000) // '1h30m'
 */
export function formatDuration(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000)
  return minutes >= 60 ? `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m` : `${minutes}m`
}

/** The hours a check covers, in UTC. `from` is inclusive, `to` exclusive. */
export interface Scope {
  kind: 'day' | 'hour' | 'range'
  from: Date
  to: Date
  /** Every hour of the scope as `YYYY-MM-DDTHH`, in order. */
  hours: string[]
}

/** Formats a UTC instant as the hour label used everywhere in reports: `2026-02-10T05`. */
export function hourLabel(at: Date | number): string {
  return new Date(at).toISOString().slice(0, 13)
}

/** The start of the hour named by a label such as `2026-02-10T05`, in ms since the epoch. */
export function hourStart(label: string): number {
  return Date.parse(`${label}:00:00.000Z`)
}

/**
 * Whether the hour named by a label has ended at `now`: an hour under way, or yet to come, has
 * not (its data may still be on its way).
 *
 * @example hourEnded('2026-02-10T05', new Date('2026-02-10T06:00:00Z')) // true
 */
export function hourEnded(label: string, now: Date): boolean {
  return hourStart(label) + HOUR_MS <= now.getTime()
}

function parseCalendarDay(text: string, what: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  const at = match ? utcDate(+match[1], +match[2], +match[3]) : undefined
  if (!at) {
    throw new InvalidOptionError(`${what} "${text}" is not a day: use YYYY-MM-DD (UTC), yesterday or today`)
  }
  return at
}

function scopeOf(kind: Scope['kind'], from: Date, hourCount: number): Scope {
  const hours = Array.from({length: hourCount}, (_, i) => hourLabel(from.getTime() + i * HOUR_MS))
  return {kind, from, to: new Date(from.getTime() + hourCount * HOUR_MS), hours}
}

/**
 * Resolves `--day` (YYYY-MM-DD, `yesterday`, `today`, all UTC) to the 24 hours of that day.
 *
 * @example dayScope('2026-02-10').hours[5] // '2026-02-10T05'
 */
export function dayScope(day: string, now: Date = new Date()): Scope {
  return scopeOf('day', dayStart(day, '--day', now), 24)
}

function dayStart(day: string, flag: string, now: Date): Date {
  const today = new Date(Math.floor(now.getTime() / (24 * HOUR_MS)) * 24 * HOUR_MS)
  if (day === 'today') return today
  if (day === 'yesterday') return new Date(today.getTime() - 24 * HOUR_MS)
  return parseCalendarDay(day, flag)
}

/**
 * Resolves `--hour YYYY-MM-DDTHH` (UTC) to a one-hour scope.
 *
 * @example hourScope('2026-02-10T05').to.toISOString() // '2026-02-10T06:00:00.000Z'
 */
export function hourScope(hour: string): Scope {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2})$/.exec(hour)
  if (!match || +match[2] > 23) {
    throw new InvalidOptionError(`--hour "${hour}" is not an hour: use YYYY-MM-DDTHH (UTC), e.g. 2026-02-10T05`)
  }
  const day = parseCalendarDay(match[1], '--hour')
  return scopeOf('hour', new Date(day.getTime() + +match[2] * HOUR_MS), 1)
}

/** The longest `--from`/`--to` range: a year and a day, so a typo in a year cannot read a decade. */
export const MAX_RANGE_DAYS = 366

/**
 * Resolves `--from YYYY-MM-DD --to YYYY-MM-DD` (UTC, both days included) to every hour of the
 * range. A reversed range, or one with an end missing, is an InvalidOptionError.
 *
 * @example rangeScope('2026-02-01', '2026-02-28').hours.length // 672
 */
export function rangeScope(from: string | undefined, to: string | undefined, now: Date = new Date()): Scope {
  if (from === undefined || to === undefined) {
    throw new InvalidOptionError(`${from === undefined ? '--to' : '--from'} needs ${from === undefined ? '--from' : '--to'}: a range is --from YYYY-MM-DD --to YYYY-MM-DD, both days included`)
  }
  const start = dayStart(from, '--from', now)
  const end = dayStart(to, '--to', now)
  if (end < start) throw new InvalidOptionError(`--from ${from} is after --to ${to}: give the earlier day first`)
  const days = Math.round((end.getTime() - start.getTime()) / (24 * HOUR_MS)) + 1
  if (days > MAX_RANGE_DAYS) throw new InvalidOptionError(`--from ${from} --to ${to} spans ${days} days: check at most ${MAX_RANGE_DAYS} at once`)
  return scopeOf('range', start, days * 24)
}

/**
 * The UTC days a scope touches, `YYYY-MM-DD`, in order.
 *
 * @example scopeDays(dayScope('2026-02-10')) // ['2026-02-10']
 */
export function scopeDays(scope: Scope): string[] {
  return [...new Set(scope.hours.map((h) => h.slice(0, 10)))]
}
