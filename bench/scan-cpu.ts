/**
 * CPU time per record of pixel check's work on one thread, for a shared machine where wall time
 * is noise: decompression alone, decompression and the fast path's scan, and scanObject whole
 * (with pixel check's default canary and address rules), each run `reps` times over every
 * object of a day, as microseconds of process CPU (`process.cpuUsage()`) a record, sorted (the
 * median is the middle one).
 *
 *   node dist/bench/scan-cpu.js <lake folder> <YYYY-MM-DD> [schema file] [reps, default 3]
 *
 * The bench's days (`BENCH_EVENTS=300000 BENCH_SKIP=check,decoders,gzip,duckdb,share npm run
 * bench` builds them and measures nothing) are bench/.lake/lake and bench/.lake/team/lake; the
 * team day's schema is fixtures/schemas/team-event.schema.json.
 */
import {readFileSync} from 'node:fs'
import {relative} from 'node:path'
import {DEFAULT_CANARY} from '../checks/run-check.js'
import {compileFastPath} from '../checks/scan/fast-path-compile.js'
import {type ScanOptions, locatedFields, scanObject} from '../checks/scan/scan-object.js'
import {compileValidator, loadSchema} from '../checks/schema/record-validator.js'
import {gunzipObject} from '../lake/codec/gunzip-object.js'
import {parseObjectKey} from '../lake/layout/object-key.js'
import {dayObjectFiles} from './day-files.js'

const [lake, day, schemaFile, repsText] = process.argv.slice(2)
if (!lake || !day) {
  console.error('usage: node dist/bench/scan-cpu.js <lake folder> <YYYY-MM-DD> [schema file] [reps]')
  process.exit(2)
}
const reps = Math.max(1, Number(repsText ?? 3))
const schema = await loadSchema(schemaFile || undefined)
const objects = dayObjectFiles(lake, day).map((file) => ({object: parseObjectKey(relative(lake, file))!, bytes: readFileSync(file)}))
const rules = {canary: DEFAULT_CANARY, ipField: 'client_ip', ipPolicy: 'anonymise' as const}
const fastPath = compileFastPath(schema, 'event_id', 'ts', {fields: locatedFields(rules)})
const options: ScanOptions = {validator: compileValidator(schema), fastPath, idField: 'event_id', timeField: 'ts', toleranceMs: 15 * 60_000, maxSamples: 10, ...rules}

let records = 0
const runs: Record<string, () => void> = {
  gunzip: () => {
    for (const {object, bytes} of objects) gunzipObject(bytes, object.gzipSuffix)
  },
  'gunzip + scan': () => {
    for (const {object, bytes} of objects) fastPath?.scanText(gunzipObject(bytes, object.gzipSuffix).text, () => {})
  },
  scanObject: () => {
    records = 0
    for (const {object, bytes} of objects) records += scanObject(object, bytes, options).records
  },
}
runs.scanObject() // warm up, and count the records
const cpuMs = (run: () => void) => {
  const before = process.cpuUsage()
  run()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}
const result: Record<string, number[]> = {}
for (const [name, run] of Object.entries(runs)) {
  result[name] = Array.from({length: reps}, () => cpuMs(run)).sort((a, b) => a - b).map((ms) => Number(((ms * 1000) / records).toFixed(3)))
}
console.log(JSON.stringify({lake, day, schema: schemaFile ?? 'shipped', records, objects: objects.length, native: fastPath?.native ?? false, usCpuPerRecord: result}))
