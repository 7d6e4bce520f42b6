/**
 * The UTC instant named by calendar parts (month 1-12), or undefined when any part is out of
 * range: month 13, day 32, February 30th, hour 24, minute 60, or a year the layout cannot spell
 * in four digits. Unlike `Date.UTC`, years 0 to 99 are those years, not 1900 to 1999.
 *
 * @example utcDate(99, 1, 1)?.toISOString() // '0099-01-01T00:00:00.000Z'
 * @example utcDate(2026, 2, 10, 24) // undefined
 */
export function utcDate(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): Date | undefined {
  if (![year, month, day, hour, minute, second].every(Number.isInteger) || year < 0 || year > 9999) return undefined
  const at = new Date(0)
  // setUTCFullYear takes the year as given; Date.UTC maps 0-99 to 1900-1999.
  at.setUTCFullYear(year, month - 1, day)
  at.setUTCHours(hour, minute, second, 0)
  const fits =
    at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === day &&
    at.getUTCHours() === hour && at.getUTCMinutes() === minute && at.getUTCSeconds() === second
  return fits ? at : undefined
}
