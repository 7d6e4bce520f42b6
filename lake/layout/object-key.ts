import {utcDate} from '../utc-date.js'
import {hourFolder} from './partition-path.js'

/**
 * Where an object sits in the lake, read from its key. Two names are read, under the same
 * partition folders `year=YYYY/month=MM/day=DD/hour=HH/`:
 * - Firehose's `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>[.gz]`, which names its arrival;
 * - the Kinesis consumer's `<stream>-<shardId>-<firstSequence>-<lastSequence>[.gz]`, which names
 *   the records it holds (a retried batch gets the same key), so its arrival is the store's
 *   last-modified time.
 */
export interface ObjectKey {
  /** The key relative to the lake prefix. */
  key: string
  /** The canonical partition hour, `YYYY-MM-DDTHH`, whatever the padding in the path. */
  hour: string
  /** The partition directories exactly as written, e.g. `year=2026/month=02/day=10/hour=5`. */
  partitionPath: string
  /** Which writer's name it carries. */
  form: 'firehose' | 'kinesis'
  stream: string
  /** Firehose's stream version (the `firehose` form only). */
  version?: number
  /** The Kinesis shard, e.g. `shardId-000000000000` (the `kinesis` form only). */
  shard?: string
  /** The sequence numbers of the first and last records it holds, as decimal strings without padding (the `kinesis` form only). */
  firstSequence?: string
  lastSequence?: string
  /**
   * When the object arrived (UTC): the timestamp Firehose puts in its name, or, for the
   * `kinesis` form, the store's last-modified time (the end of its hour when the store gives none).
   */
  arrival: Date
  gzipSuffix: boolean
}

const PATH = /^year=(\d{4})\/month=(\d{1,2})\/day=(\d{1,2})\/hour=(\d{1,2})\/([^/]+)$/
const NAME =
  /^(.+)-(\d+)-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\.gz)?$/i
// Kinesis sequence numbers are decimal strings of up to 129 digits (the API's pattern); shard ids
// are `shardId-` and digits (twelve, as Kinesis and moto write them), which keeps a stream name
// with dashes unambiguous.
const BATCH_NAME = /^(.+)-(shardId-\d{1,64})-(\d{1,129})-(\d{1,129})(\.gz)?$/

/**
 * The width sequence numbers are zero-padded to in names, so that names sort as their numbers
 * do: real Kinesis sequence numbers have 56 digits. A longer one is written as it is; pixel
 * compares sequence numbers as numbers, never as text.
 */
export const SEQUENCE_WIDTH = 56

const HOUR_MS = 3_600_000

function utc(y: string, mo: string, d: string, h = '0', mi = '0', s = '0'): Date | undefined {
  return utcDate(+y, +mo, +d, +h, +mi, +s)
}

/** A sequence number without its zero padding (`0` stays `0`). */
function unpadded(sequence: string): string {
  return sequence.replace(/^0+(?=\d)/, '')
}

/**
 * Parses a key relative to the lake prefix; undefined when it does not fit the layout.
 * `modified` (the store's last-modified time) is the arrival of a `kinesis`-form object.
 *
 * @example
 * parseObjectKey('year=2026/month=02/day=10/hour=05/pixel-1-2026-02-10-05-14-03-<uuid>.gz')?.hour
 * // '2026-02-10T05'
 * parseObjectKey('year=2026/month=02/day=10/hour=05/pixel-events-shardId-000000000000-<56 digits>-<56 digits>.gz', modified)?.shard
 * // 'shardId-000000000000'
 */
export function parseObjectKey(key: string, modified?: Date): ObjectKey | undefined {
  const path = PATH.exec(key)
  if (!path) return undefined
  const [, year, month, day, hour, name] = path
  const start = utc(year, month, day, hour)
  if (!start) return undefined
  const partitionPath = key.slice(0, key.length - name.length - 1)
  const canonicalHour = start.toISOString().slice(0, 13)
  const parts = NAME.exec(name)
  if (parts) {
    const arrival = utc(parts[3], parts[4], parts[5], parts[6], parts[7], parts[8])
    if (!arrival) return undefined
    return {key, hour: canonicalHour, partitionPath, form: 'firehose', stream: parts[1], version: Number(parts[2]), arrival, gzipSuffix: parts[10] !== undefined}
  }
  const batch = BATCH_NAME.exec(name)
  if (!batch) return undefined
  const [firstSequence, lastSequence] = [unpadded(batch[3]), unpadded(batch[4])]
  if (BigInt(firstSequence) > BigInt(lastSequence)) return undefined
  return {
    key,
    hour: canonicalHour,
    partitionPath,
    form: 'kinesis',
    stream: batch[1],
    shard: batch[2],
    firstSequence,
    lastSequence,
    arrival: modified ?? new Date(start.getTime() + HOUR_MS),
    gzipSuffix: batch[5] !== undefined,
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

/**
 * A sequence number as names carry it: zero-padded to `SEQUENCE_WIDTH` digits.
 *
 * @example paddedSequence('17') // '00000000000000000000000000000000000000000000000000000017'
 */
export function paddedSequence(sequence: string): string {
  if (!/^\d{1,129}$/.test(sequence)) throw new RangeError(`not a Kinesis sequence number: ${JSON.stringify(sequence.slice(0, 140))}`)
  return unpadded(sequence).padStart(SEQUENCE_WIDTH, '0')
}

/**
 * The name prefix every object of one shard of one stream shares in an hour's folder, for
 * listing them: `<stream>-<shardId>-`.
 *
 * @example batchNamePrefix('pixel-events', 'shardId-000000000000') // 'pixel-events-shardId-000000000000-'
 */
export function batchNamePrefix(stream: string, shard: string): string {
  return `${stream}-${shard}-`
}

/**
 * The key the Kinesis consumer writes for the records of one shard and hour between two sequence
 * numbers (both included): what identifies them, nothing else, so a retry writes the same key.
 *
 * @example
 * batchObjectKey({stream: 'pixel-events', shard: 'shardId-000000000000', hour: new Date('2026-02-10T05:00Z'), firstSequence: '1', lastSequence: '9'})
 * // 'year=2026/month=02/day=10/hour=05/pixel-events-shardId-000000000000-000…001-000…009.gz'
 */
export function batchObjectKey(o: {stream: string; shard: string; hour: Date; firstSequence: string; lastSequence: string}): string {
  if (!/^shardId-\d{1,64}$/.test(o.shard)) throw new RangeError(`not a Kinesis shard id: ${JSON.stringify(o.shard.slice(0, 80))}`)
  return `${hourFolder(o.hour.toISOString().slice(0, 13))}${batchNamePrefix(o.stream, o.shard)}${paddedSequence(o.firstSequence)}-${paddedSequence(o.lastSequence)}.gz`
}
