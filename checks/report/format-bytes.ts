/**
 * Byte counts as people read them, in decimal units (1 MB = 1,000,000 bytes): one formatter for
 * the progress line and the report's summary, so the last progress figure and the summary agree.
 */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const

// The unit a count rounds into: 999,600 bytes read as "1.0 MB", never "1000 kB".
function unitOf(n: number): number {
  let unit = 0
  while (unit < UNITS.length - 1 && Math.round(Math.abs(n) / 1000 ** unit) >= 1000) unit++
  return unit
}

// One decimal while the figure (rounded so) stays below 10, none from there on.
function decimalsOf(n: number, unit: number): number {
  return unit > 0 && Math.abs(Number((n / 1000 ** unit).toFixed(1))) < 10 ? 1 : 0
}

function inUnit(n: number, unit: number, decimals: number): string {
  return (n / 1000 ** unit).toFixed(decimals)
}

/**
 * A byte count with one decimal below 10 of its unit, none above.
 *
 * @example formatBytes(2_411_724) // '2.4 MB'
 */
export function formatBytes(n: number): string {
  const unit = unitOf(n)
  return `${inUnit(n, unit, decimalsOf(n, unit))} ${UNITS[unit]}`
}

/**
 * Progress through `total` bytes: both figures in the total's unit and rounding, so the last one
 * reads exactly as formatBytes(total) does.
 *
 * @example formatBytesOf(1_200_000, 2_411_724) // '1.2 of 2.4 MB'
 */
export function formatBytesOf(done: number, total: number): string {
  const unit = unitOf(total)
  const decimals = decimalsOf(total, unit)
  return `${inUnit(done, unit, decimals)} of ${inUnit(total, unit, decimals)} ${UNITS[unit]}`
}
