import {utcDate} from '../utc-date.js'
import {hourFolder} from './partition-path.js'

/**
 * Where an object sits in the lake, read from its key as Firehose writes it:
 * `year=YYYY/month=MM/day=DD/hour=HH/<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>[.gz]`.
 */
export interface ObjectKey {
  /** The key relative to the lake prefix. */
  key: string
  /** The canonical partition hour, `YYYY-MM-DDTHH`, whatever the padding in the path. */
  hour: string
  /** The partition directories exactly as written, e.g. `year=2026/month=02/day=10/hour=5`. */
  partitionPath: string
  stream: string
  version: number
  /** When the object arrived, from the timestamp Firehose puts in its name (UTC). */
  arrival: Date
  gzipSuffix: boolean
}

const PATH = /^year=(\d{4})\/month=(\d{1,2})\/day=(\d{1,2})\/hour=(\d{1,2})\/([^/]+)$/
const NAME =
  /^(.+)-(\d+)-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\.gz)?$/i

function utc(y: string, mo: string, d: string, h = '0', mi = '0', s = '0'): Date | undefined {
  return utcDate(+y, +mo, +d, +h, +mi, +s)
}

/**
 * Parses a key relative to the lake prefix; undefined when it does not fit the layout.
 *
 * @example
 * parseObjectKey('year=2026/month=02/day=10/hour=05/pixel-1-2026-02-10-05-14-03-<uuid>.gz')?.hour
 * // '2026-02-10T05'
 */
export function parseObjectKey(key: string): ObjectKey | undefined {
  const path = PATH.exec(key)
  if (!path) return undefined
  const [, year, month, day, hour, name] = path
  const start = utc(year, month, day, hour)
  const parts = NAME.exec(name)
  if (!start || !parts) return undefined
  const arrival = utc(parts[3], parts[4], parts[5], parts[6], parts[7], parts[8])
  if (!arrival) return undefined
  return {
    key,
    hour: start.toISOString().slice(0, 13),
    partitionPath: key.slice(0, key.length - name.length - 1),
    stream: parts[1],
    version: Number(parts[2]),
    arrival,
    gzipSuffix: parts[10] !== undefined,
  }
}

/**
 * Builds the canonical key Firehose would write for an object.
 *
 * @example objectKey({stream: 'pixel', version: 1, arrival, uuid}) // 'year=2026/.../pixel-1-2026-...-<uuid>.gz'
 */
export function objectKey(o: {stream: string; version: number; hour: Date; arrival: Date; uuid: string}): string {
  const a = o.arrival.toISOString()
  const stamp = `${a.slice(0, 10)}-${a.slice(11, 13)}-${a.slice(14, 16)}-${a.slice(17, 19)}`
  return `${hourFolder(o.hour.toISOString().slice(0, 13))}${o.stream}-${o.version}-${stamp}-${o.uuid}.gz`
}
