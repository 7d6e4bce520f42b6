import {readFile, readdir, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {gunzipObject} from '../lake/codec/gunzip-object.js'
import {splitRecords} from '../lake/codec/split-records.js'
import {discoverObjects} from '../lake/discover-objects.js'
import type {Lake} from '../lake/store/lake.js'
import {openLake} from '../lake/store/open-lake.js'
import type {S3Options} from '../lake/store/s3-lake.js'
import {hourScope} from '../lake/scope.js'
import {ReplaySourceError} from './errors.js'
import {isYearFolder} from '../lake/layout/partition-path.js'

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
 * order), or one file (NDJSON, back-to-back JSON, gzip, or a `pixel check --quarantine` file).
 *
 * @example const sources = await resolveSources(['fixtures/', 's3://backup/events/'], {})
 */
export async function resolveSources(specs: readonly string[], s3: S3Options = {}): Promise<ResolvedSource[]> {
  const resolved: ResolvedSource[] = []
  try {
    for (const spec of specs) {
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

/** Releases the lakes among the sources. */
export function closeSources(sources: readonly ResolvedSource[]): void {
  for (const source of sources) if (source.kind === 'lake') source.lake.close()
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

function piecesOf(text: Buffer, origin: string): SourceRecord[] {
  const pieces: SourceRecord[] = []
  splitRecords(text.toString('utf8'), {
    record(value, index) {
      if (!isQuarantineEntry(value)) {
        pieces.push({value, origin: `${origin}#${index}`})
        return
      }
      const from = `${origin}#${index} (quarantined ${value.key}#${value.index})`
      if (value.line === undefined) pieces.push({value: value.record, origin: from})
      else {
        try {
          pieces.push({value: JSON.parse(value.line), origin: from})
        } catch (error) {
          pieces.push({problem: `not JSON: ${(error as Error).message}`, origin: from})
        }
      }
    },
    unparseable(index, reason) {
      pieces.push({problem: `not JSON: ${reason}`, origin: `${origin}#${index}`})
    },
  })
  return pieces
}

/**
 * Reads the sources one after another, each record with its origin; from a lake, only the
 * objects of `hour` (listed and decoded exactly as `pixel check` does).
 *
 * @example for await (const piece of readSources(sources, '2026-02-10T05')) count++
 */
export async function* readSources(sources: readonly ResolvedSource[], hour: string, onWarning: (message: string) => void = () => {}): AsyncGenerator<SourceRecord> {
  for (const source of sources) {
    if (source.kind === 'files') {
      for (const file of source.files) {
        let bytes: Buffer
        try {
          bytes = await readFile(file)
        } catch (error) {
          throw new ReplaySourceError(`cannot read --from ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {cause: error})
        }
        const decoded = gunzipObject(bytes, file.endsWith('.gz'))
        if (decoded.corruption) onWarning(`${file}: ${decoded.corruption}; the records before the damage are read`)
        yield* piecesOf(decoded.text, file)
      }
      continue
    }
    const {objects} = await discoverObjects(source.lake, hourScope(hour))
    if (objects.length === 0) onWarning(`--from ${source.spec} holds no objects for ${hour}`)
    for (const object of objects) {
      const decoded = gunzipObject(await source.lake.read(object.key), object.gzipSuffix)
      if (decoded.corruption) onWarning(`${source.lake.url}${object.key}: ${decoded.corruption}; the records before the damage are read`)
      yield* piecesOf(decoded.text, `${source.lake.url.replace(/\/?$/, '/')}${object.key}`)
    }
  }
}
