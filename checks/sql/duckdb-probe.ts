import {isUtf8} from 'node:buffer'
import {gunzipObject} from '../../lake/codec/gunzip-object.js'
import type {DiscoveredObject} from '../../lake/discover-objects.js'
import type {Lake} from '../../lake/store/lake.js'
import {objectDigest} from '../../lake/codec/object-digest.js'
import {ObjectDigests} from '../findings/object-digests.js'
import {type ScanOptions, scanObject} from '../scan/scan-object.js'
import type {ObjectProbe, ProbeResult} from './run-sql-check.js'
import {DUCKDB_MAX_LINE_BYTES, type DuckdbExecutor} from './duckdb-executor.js'

/**
 * The probe of a folder lake before DuckDB reads it: DuckDB's reader stops a whole query at a
 * `.gz` that is not gzip and silently keeps the readable part of a truncated one, and refuses a
 * line that is not UTF-8. Each object is decoded once here, as the local engine decodes it
 * (gunzipObject: any members, the size bound): a corrupt one is kept out of SQL and reported; one
 * whose text is not UTF-8, or holds a line longer than DuckDB is asked to read, is judged whole by the local engine; gzip without `.gz` is told to
 * DuckDB; equal sizes get a digest for duplicate-object.
 *
 * @example const report = await runSqlCheck({..., executor, probe: duckdbProbe(lake, executor, scanOptions)})
 */
export function duckdbProbe(lake: Lake, executor: DuckdbExecutor, scanOptions: Omit<ScanOptions, 'maxObjectBytes'>, maxObjectBytes: number): ObjectProbe {
  return async (objects: DiscoveredObject[]) => {
    const sizes = new ObjectDigests(objects)
    const probed = new Map<string, ProbeResult>()
    for (const object of objects) {
      if (object.size > maxObjectBytes) continue
      const bytes = await lake.read(object.key)
      const result: ProbeResult = {}
      if (sizes.sharesSize(object.size)) result.digest = objectDigest(bytes)
      const decoded = gunzipObject(bytes, object.gzipSuffix, {maxBytes: maxObjectBytes})
      if (decoded.corruption) result.corruption = decoded.corruption
      else if (!isUtf8(decoded.text) || longestLine(decoded.text) > DUCKDB_MAX_LINE_BYTES) result.local = scanObject(object, bytes, {...scanOptions, maxObjectBytes})
      else if (!object.gzipSuffix && bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) executor.gzipKeys.add(object.key)
      if (result.digest || result.corruption || result.local) probed.set(object.key, result)
    }
    return probed
  }
}

function longestLine(text: Buffer): number {
  let longest = 0
  let from = 0
  while (from <= text.length) {
    let to = text.indexOf(0x0a, from)
    if (to < 0) to = text.length
    if (to - from > longest) longest = to - from
    from = to + 1
  }
  return longest
}
