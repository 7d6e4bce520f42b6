import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {dayFolder} from '../lake/layout/partition-path.js'

/**
 * The `.gz` files of one day of a local lake, under every hour folder whatever its padding, in
 * path order.
 *
 * @example dayObjectFiles('bench/.lake/lake', '2026-02-10').length // 288
 */
export function dayObjectFiles(lake: string, day: string): string[] {
  const dayDir = join(lake, dayFolder(day))
  return readdirSync(dayDir, {recursive: true, encoding: 'utf8'})
    .filter((f) => f.endsWith('.gz'))
    .sort()
    .map((f) => join(dayDir, f))
}
