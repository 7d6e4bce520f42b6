import {createReadStream} from 'node:fs'
import {readdir, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {discoverObjects} from '../lake/discover-objects.js'
import type {Lake} from '../lake/store/lake.js'
import {openLake} from '../lake/store/open-lake.js'
import type {S3Options} from '../lake/store/s3-lake.js'
import {hourScope} from '../lake/scope.js'
import {ReplaySourceError} from './errors.js'
import {isYearFolder} from '../lake/layout/partition-path.js'
import {decodedChunks, linePieces, sourceLines} from './source-lines.js'
import {type KinesisSource, assertKinesisSource, defaultKinesisStart, kinesisClient, kinesisStreamOf, ofAnotherHour, streamRecords} from './kinesis-source.js'

/** One piece of a source: a record, or text that is not JSON, with where it came from. */
export interface SourceRecord {
  /** The parsed record; undefined when `problem` says why there is none. */
  value?: unknown
  /** Why this piece cannot be a record, e.g. "Unexpected token". */
  problem?: string
  /** Where it came from: `path#index` or `s3://bucket/prefix/key#index`, for reports. */
  origin: string
}

/** A `--from` argument, resolved before anything is read so that a bad one fails at once. */
export type ResolvedSource =
  | {kind: 'files'; spec: string; files: string[]}
  | {kind: 'lake'; spec: string; lake: Lake}
  | KinesisSource

/** How to reach Kinesis for `kinesis://` sources. */
export interface KinesisOptions {
  endpointUrl?: string
  region?: string
  profile?: string
}

/** Files a replay writes next to its sources; never read back as records. */
export const LEDGER_SUFFIX = '.replay-ledger.jsonl'

async function filesBelow(dir: string): Promise<string[]> {
  const names = await readdir(dir, {recursive: true, withFileTypes: true})
  return names
    .filter((d) => d.isFile() && !d.name.startsWith('.') && !d.name.endsWith(LEDGER_SUFFIX) && !d.name.endsWith(`${LEDGER_SUFFIX}.lock`))
    .map((d) => join(d.parentPath, d.name))
    .sort()
}

/**
 * Resolves each `--from`: an `s3://` lake, a folder holding `year=` partitions (a lake or its
 * backup: the target hour of it is read), any other folder (every file below it, in path
 * order), or one file (NDJSON, back-to-back JSON, gzip whatever its name, or a
 * `pixel check --quarantine` file).
 *
 * @example const sources = await resolveSources(['fixtures/', 's3://backup/events/'], {})
 */
export async function resolveSources(specs: readonly string[], s3: S3Options = {}, kinesis: KinesisOptions = {}): Promise<ResolvedSource[]> {
  const resolved: ResolvedSource[] = []
  try {
    for (const spec of specs) {
      const stream = kinesisStreamOf(spec)
      if (stream !== undefined) {
        const source: KinesisSource = {kind: 'kinesis', spec, stream, client: kinesisClient(kinesis)}
        resolved.push(source)
        await assertKinesisSource(source)
        continue
      }
      if (spec.startsWith('s3://')) {
        resolved.push({kind: 'lake', spec, lake: await openLake(spec, s3)})
        continue
      }
      let info
      try {
        info = await stat(spec)
      } catch (error) {
        throw new ReplaySourceError(`cannot read --from ${spec}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {cause: error})
      }
      if (info.isFile()) resolved.push({kind: 'files', spec, files: [spec]})
      else if ((await readdir(spec)).some(isYearFolder)) resolved.push({kind: 'lake', spec, lake: await openLake(spec)})
      else resolved.push({kind: 'files', spec, files: await filesBelow(spec)})
    }
  } catch (error) {
    closeSources(resolved)
    if (error instanceof ReplaySourceError) throw error
    throw new ReplaySourceError(`cannot open --from: ${(error as Error).message}`, {cause: error})
  }
  return resolved
}

/** Releases the lakes and clients among the sources. */
export function closeSources(sources: readonly ResolvedSource[]): void {
  for (const source of sources) {
    if (source.kind === 'lake') source.lake.close()
    else if (source.kind === 'kinesis') source.client.destroy()
  }
}

/**
 * A line of `pixel check --quarantine`: `{key, index, hour, errors, record}` (or `line` for text
 * that was not JSON). Pixel events cannot look like this: the schema allows no `errors` field.
 */
function isQuarantineEntry(value: unknown): value is {key: string; index: number; record?: unknown; line?: string} {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const v = value as Record<string, unknown>
  return typeof v.key === 'string' && typeof v.index === 'number' && Array.isArray(v.errors) && ('record' in v || typeof v.line === 'string')
}

/** The pieces of one file or object, streamed: decoded, cut into lines, quarantine lines unwrapped. */
async function* piecesOf(input: AsyncIterable<Buffer>, origin: string, onCorruption: (reason: string) => void): AsyncGenerator<SourceRecord> {
  let index = 0
  for await (const line of sourceLines(decodedChunks(input, onCorruption))) {
    if ('tooLong' in line) {
      yield {problem: `${line.tooLong} bytes without a newline or a whole JSON object: no record is that large`, origin: `${origin}#${index++}`}
      continue
    }
    for (const piece of linePieces(line.bytes, index)) {
      index = piece.index + 1
      if (piece.problem !== undefined) {
        yield {problem: piece.problem, origin: `${origin}#${piece.index}`}
        continue
      }
      const value = piece.value
      if (!isQuarantineEntry(value)) {
        yield {value, origin: `${origin}#${piece.index}`}
        continue
      }
      const from = `${origin}#${piece.index} (quarantined ${value.key}#${value.index})`
      if (value.line === undefined) yield {value: value.record, origin: from}
      else {
        try {
          yield {value: JSON.parse(value.line), origin: from}
        } catch (error) {
          yield {problem: `not JSON: ${(error as Error).message}`, origin: from}
        }
      }
    }
  }
}

/**
 * Reads the sources one after another, streaming, each record with its origin; from a lake,
 * only the objects of `hour` (listed as `pixel check` lists them); from a Kinesis stream, its
 * records from `kinesisStart` (15 minutes before the hour, by default) until caught up, passing
 * over (and counting in a warning) those whose `ts` lies in another hour. Gzip is known by its
 * magic bytes, not by the name. Memory holds one line at a time, whatever the size of a source.
 * A source that yields nothing is a warning.
 *
 * @example for await (const piece of readSources(sources, '2026-02-10T05')) count++
 */
export async function* readSources(
  sources: readonly ResolvedSource[],
  hour: string,
  onWarning: (message: string) => void = () => {},
  options: {kinesisStart?: Date; signal?: AbortSignal} = {},
): AsyncGenerator<SourceRecord> {
  for (const source of sources) {
    let pieces = 0
    if (source.kind === 'kinesis') {
      const start = options.kinesisStart ?? defaultKinesisStart(hour)
      let passedOver = 0
      for await (const record of streamRecords(source, start, options.signal)) {
        if (ofAnotherHour(record.data, hour)) {
          passedOver++
          continue
        }
        for await (const piece of piecesOf(Readable.from([record.data]), record.origin, (why) => onWarning(`${record.origin}: ${why}`))) {
          pieces++
          yield piece
        }
      }
      if (passedOver > 0) onWarning(`--from ${source.spec}: ${passedOver} records of other hours (by their ts) were passed over`)
      if (pieces === 0) onWarning(`--from ${source.spec} holds no records for ${hour} from ${start.toISOString()} on`)
      continue
    }
    if (source.kind === 'files') {
      for (const file of source.files) {
        const stream = createReadStream(file)
        try {
          for await (const piece of piecesOf(stream, file, (why) => onWarning(`${file}: ${why}; the records before the damage are read`))) {
            pieces++
            yield piece
          }
        } catch (error) {
          if (error instanceof ReplaySourceError) throw error
          throw new ReplaySourceError(`cannot read --from ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {cause: error})
        } finally {
          stream.destroy()
        }
      }
      if (pieces === 0) onWarning(`--from ${source.spec} holds no records`)
      continue
    }
    const {objects} = await discoverObjects(source.lake, hourScope(hour))
    if (objects.length === 0) {
      onWarning(`--from ${source.spec} holds no objects for ${hour}`)
      continue
    }
    for (const object of objects) {
      const origin = `${source.lake.url.replace(/\/?$/, '/')}${object.key}`
      const bytes = await source.lake.read(object.key)
      for await (const piece of piecesOf(Readable.from([bytes]), origin, (why) => onWarning(`${origin}: ${why}; the records before the damage are read`))) {
        pieces++
        yield piece
      }
    }
    if (pieces === 0) onWarning(`--from ${source.spec} holds no records for ${hour}`)
  }
}
