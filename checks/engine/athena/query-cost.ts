/** Athena's list price in most regions: USD 5 per TB scanned (`--athena-usd-per-tb` overrides it). */
export const DEFAULT_USD_PER_TB = 5

const MB = 1_000_000
const TB = 1_000_000_000_000
/** Athena bills at least 10 MB per query, and rounds up to the next megabyte. */
const MINIMUM_BILLED_BYTES = 10 * MB

/**
 * The bytes Athena bills for one query that scanned `bytesScanned`: rounded up to the next MB,
 * at least 10 MB. A FAILED query is not billed; a cancelled one is, for what it had scanned.
 *
 * @example billedBytes(1) // 10_000_000
 */
export function billedBytes(bytesScanned: number, state: 'SUCCEEDED' | 'CANCELLED' | 'FAILED' = 'SUCCEEDED'): number {
  if (state === 'FAILED') return 0
  return Math.max(MINIMUM_BILLED_BYTES, Math.ceil(bytesScanned / MB) * MB)
}

/**
 * The estimated cost in USD of billed bytes at a price per TB (10^12 bytes: the larger of the two
 * readings of "TB", so the estimate errs high).
 *
 * @example costUsd(2_000_000_000_000) // 10
 */
export function costUsd(billed: number, usdPerTb: number = DEFAULT_USD_PER_TB): number {
  return (billed / TB) * usdPerTb
}

/**
 * A byte count as people read a limit: `1 TiB` for a whole number of binary units (as a CDK
 * `Size` gives it), else decimal, `164 MB`, `1.26 GB`.
 *
 * @example formatScanBytes(2 ** 40) // '1 TiB'
 */
export function formatScanBytes(bytes: number): string {
  const binary: [number, string][] = [
    [2 ** 40, 'TiB'],
    [2 ** 30, 'GiB'],
    [2 ** 20, 'MiB'],
  ]
  for (const [size, unit] of binary) if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`
  const units: [number, string][] = [
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'KB'],
  ]
  for (const [size, unit] of units) if (bytes >= size) return `${Number((bytes / size).toFixed(bytes % size === 0 ? 0 : 2))} ${unit}`
  return `${bytes} bytes`
}
