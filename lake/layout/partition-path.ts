import {utcDate} from '../utc-date.js'

/**
 * The partition folders of the lake, `year=YYYY/month=MM/day=DD/hour=HH/`: how to build them
 * for a day or an hour, and how to read them back leniently (a writer may leave out the zero
 * padding, so `hour=5/` and `hour=05/` are the same hour).
 */

/** The partition fields, outermost first, as Firehose's prefix and Athena's projection name them. */
export const PARTITION_FIELDS = ['year', 'month', 'day', 'hour'] as const

export type PartitionField = (typeof PARTITION_FIELDS)[number]

const LENIENT_HOUR = /^year=(\d+)\/month=(\d+)\/day=(\d+)\/hour=(\d+)\//

/**
 * An hour's partition folders exactly as Firehose writes them and the tables' projection reads
 * them (zero-padded), at the start of a key; the four fields are its groups.
 *
 * @example CANONICAL_HOUR_FOLDERS.test('year=2026/month=02/day=10/hour=05/x.gz') // true; 'hour=5/' is not
 */
export const CANONICAL_HOUR_FOLDERS = /^year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/hour=(\d{2})\//

/**
 * The partition folders as a regular expression's source for SQL engines (RE2 in Trino, DuckDB's
 * regexp_extract): a writer may leave out the zero padding; the four fields are its groups, and
 * the key's name follows the last slash.
 */
export const PARTITION_FOLDERS_SQL_PATTERN = 'year=(\\d{4})/month=(\\d{1,2})/day=(\\d{1,2})/hour=(\\d{1,2})/'
const YEAR_FOLDER = /^year=\d+$/

/**
 * The canonical folder of a UTC day, `YYYY-MM-DD`.
 *
 * @example dayFolder('2026-02-10') // 'year=2026/month=02/day=10/'
 */
export function dayFolder(day: string): string {
  return `year=${day.slice(0, 4)}/month=${day.slice(5, 7)}/day=${day.slice(8, 10)}/`
}

/**
 * The canonical folder of a UTC hour, `YYYY-MM-DDTHH`.
 *
 * @example hourFolder('2026-02-10T05') // 'year=2026/month=02/day=10/hour=05/'
 */
export function hourFolder(hour: string): string {
  return `${dayFolder(hour)}hour=${hour.slice(11, 13)}/`
}

/**
 * A glob for every object of a day's hours, as DuckDB's `read_json` takes it.
 *
 * @example dayObjectsGlob('2026-02-10') // 'year=2026/month=02/day=10/hour=*\/*.gz'
 */
export function dayObjectsGlob(day: string): string {
  return `${dayFolder(day)}hour=*/*.gz`
}

/** Whether a top-level folder name is a year partition, `year=2026`. */
export function isYearFolder(name: string): boolean {
  return YEAR_FOLDER.test(name)
}

/**
 * The folder above the partitions when `path` (a lake URL or folder) ends inside them, at a
 * `year=` folder or deeper, with a trailing `/`; null when it does not.
 *
 * @example partitionRootAbove('s3://bucket/events/year=2026/') // 's3://bucket/events/'
 * @example partitionRootAbove('/data/lake/year=2026/month=02') // '/data/lake/'
 */
export function partitionRootAbove(path: string): string | null {
  const segments = path.replace(/\/+$/, '').split('/')
  for (let depth = Math.min(PARTITION_FIELDS.length, segments.length - 1); depth >= 1; depth--) {
    const tail = segments.slice(segments.length - depth)
    if (tail.every((segment, i) => new RegExp(`^${PARTITION_FIELDS[i]}=\\d+$`).test(segment))) {
      return `${segments.slice(0, segments.length - depth).join('/')}/`
    }
  }
  return null
}

/**
 * The folder names among `names` that hold `field`'s partition `value`, whatever their padding.
 *
 * @example partitionFolders(['hour=5', 'hour=05', 'hour=6'], 'hour', 5) // ['hour=5', 'hour=05']
 */
export function partitionFolders(names: string[], field: PartitionField, value: number): string[] {
  const pattern = new RegExp(`^${field}=(\\d+)$`)
  return names.filter((name) => {
    const match = pattern.exec(name)
    return match !== null && Number(match[1]) === value
  })
}

/**
 * The hour a key's partition folders name, read leniently; null when they name none.
 *
 * @example hourOfFolders('year=2026/month=2/day=10/hour=20/README.txt') // '2026-02-10T20'
 */
export function hourOfFolders(key: string): string | null {
  const m = LENIENT_HOUR.exec(key)
  if (!m) return null
  // An out-of-range value (hour=24, day=32, month=13) names no hour: never roll it over.
  const at = utcDate(+m[1], +m[2], +m[3], +m[4])
  return at === undefined ? null : at.toISOString().slice(0, 13)
}

/** The layout of an object key, as a message shows it. */
export const KEY_LAYOUT = 'year=YYYY/month=MM/day=DD/hour=HH/ with <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>[.gz] (Firehose) or <stream>-<shardId>-<firstSequence>-<lastSequence>[.gz] (the Kinesis consumer)'
