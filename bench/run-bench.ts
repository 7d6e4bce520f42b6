/**
 * `npm run bench`: builds (or reuses) a generated day of at least 5 million records under
 * bench/.lake/, then measures, one after another, pixel check on it, the decompression floor
 * (gzip -dc and node's zlib) and DuckDB answering the same questions, and prints records/s,
 * uncompressed MB/s, peak RSS and the ratios. Results go to bench/.lake/results/latest.json.
 *
 * Environment: BENCH_EVENTS (default 5000000), BENCH_OBJECTS_PER_HOUR (default: the generator's),
 * BENCH_SEED (1), BENCH_DAY (2026-02-10), BENCH_THREADS for DuckDB (2),
 * BENCH_SKIP (a comma list of check, zlib, gzip, duckdb).
 */
import {readFileSync} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import {cpus, totalmem} from 'node:os'
import {join} from 'node:path'
import {PACKAGE_ROOT} from '../lake/package-root.js'
import type {CheckReport} from '../checks/report/report.js'
import {benchLake} from './bench-lake.js'
import {dayObjectFiles} from './day-files.js'
import type {DuckdbAudit} from './duckdb-audit.js'
import {type Measured, measure} from './measure.js'

interface Row {
  tool: string
  seconds: number
  records: number
  recordsPerSecond: number
  rawMbPerSecond: number
  peakRssMb: number | null
  note?: string
}

function positive(name: string, fallback: number | undefined): number | undefined {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name}=${text} is not a positive whole number`)
    process.exit(2)
  }
  return value
}

function requireOk(what: string, run: Measured, okCodes = [0]): void {
  if (okCodes.includes(run.code)) return
  console.error(`${what} exited ${run.code}:\n${run.stderr.trim() || run.stdout.trim()}`)
  process.exit(2)
}

function table(rows: Row[]): string {
  const head = ['tool', 'seconds', 'records/s', 'raw MB/s', 'peak RSS MB']
  const body = rows.map((r) => [
    r.tool,
    r.seconds.toFixed(2),
    Math.round(r.recordsPerSecond).toLocaleString('en-US'),
    r.rawMbPerSecond.toFixed(0),
    r.peakRssMb === null ? '-' : r.peakRssMb.toFixed(0),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  return [line(head), ...body.map(line)].join('\n')
}

const events = positive('BENCH_EVENTS', 5_000_000)!
const parameters = {
  day: process.env.BENCH_DAY || '2026-02-10',
  events,
  objectsPerHour: positive('BENCH_OBJECTS_PER_HOUR', undefined),
  seed: positive('BENCH_SEED', 1)!,
}
const threads = positive('BENCH_THREADS', 2)!
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean))
const folder = join(PACKAGE_ROOT, 'bench/.lake')
const dist = join(PACKAGE_ROOT, 'dist/bench')

console.log(`pixel bench: ${parameters.day}, ${events.toLocaleString('en-US')} events, ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`)
const built = await benchLake(folder, parameters)
const {lake, day} = built
console.log(
  `${built.reused ? 'reusing' : 'built'} ${lake}: ${day.records.toLocaleString('en-US')} records in ${day.objects} objects, ` +
    `${(day.bytes / 1e6).toFixed(0)} MB gzip, ${(day.rawBytes / 1e6).toFixed(0)} MB raw (generated in ${built.seconds.toFixed(1)} s)`,
)

// Every tool reads the files from the page cache: read them once before the first is timed.
const files = dayObjectFiles(lake, parameters.day)
for (const file of files) readFileSync(file)

const rows: Row[] = []
const rawMb = day.rawBytes / 1e6
const row = (tool: string, run: Measured, records: number, note?: string): Row => {
  const r: Row = {tool, seconds: run.seconds, records, recordsPerSecond: records / run.seconds, rawMbPerSecond: rawMb / run.seconds, peakRssMb: run.peakRssMb, note}
  rows.push(r)
  console.log(`  ${tool}: ${run.seconds.toFixed(2)} s${run.peakRssMb === null ? '' : `, peak RSS ${run.peakRssMb.toFixed(0)} MB`}${note ? ` (${note})` : ''}`)
  return r
}

let check: Row | undefined
let checkRecords: number | undefined
if (!skip.has('check')) {
  const run = await measure(process.execPath, [join(PACKAGE_ROOT, 'bin/run.js'), 'check', '--lake', lake, '--day', parameters.day, '--json'], {cwd: PACKAGE_ROOT})
  requireOk('pixel check', run, [0, 1])
  const report = JSON.parse(run.stdout) as CheckReport
  checkRecords = report.summary.records
  check = row('pixel check --day', run, checkRecords, report.findings.length > 0 ? `${report.findings.length} findings` : undefined)
}

let zlibFloor: Row | undefined
if (!skip.has('zlib')) {
  const run = await measure(process.execPath, [join(dist, 'zlib-floor.js'), lake, parameters.day])
  requireOk('the node zlib floor', run)
  const floor = JSON.parse(run.stdout) as {objects: number; bytes: number; rawBytes: number}
  if (floor.rawBytes !== day.rawBytes) console.warn(`WARNING: node zlib decoded ${floor.rawBytes} bytes, the generator wrote ${day.rawBytes}`)
  zlibFloor = row('node zlib gunzipSync, 1 thread', run, day.records)
}

let gzipFloor: Row | undefined
if (!skip.has('gzip')) {
  const dayDir = join(lake, ...parameters.day.split('-').map((v, i) => `${['year', 'month', 'day'][i]}=${v}`))
  // Concatenated gzip files are one multi-member stream to gzip -dc: one process for them all.
  const script = `set -o pipefail; find "$1" -name '*.gz' -print0 | sort -z | xargs -0 cat | gzip -dc > /dev/null`
  const run = await measure('bash', ['-c', script, 'bench', dayDir])
  if (run.code === 0) gzipFloor = row('gzip -dc, 1 process', run, day.records)
  else console.warn(`gzip -dc failed (${run.code}): ${run.stderr.trim()}; skipped`)
}

let duckdb: Row | undefined
let audit: DuckdbAudit | undefined
if (!skip.has('duckdb')) {
  const run = await measure(process.execPath, [join(dist, 'duckdb-child.js'), lake, parameters.day, String(threads)])
  requireOk('DuckDB', run)
  audit = JSON.parse(run.stdout) as DuckdbAudit
  duckdb = row(`DuckDB, ${threads} threads`, run, audit.records)
}

const warnings: string[] = []
if (checkRecords !== undefined && audit && checkRecords !== audit.records) {
  warnings.push(`RECORD COUNTS DISAGREE: pixel check read ${checkRecords}, DuckDB ${audit.records}`)
}
if (checkRecords !== undefined && checkRecords !== day.records) warnings.push(`pixel check read ${checkRecords} records, the generator wrote ${day.records}`)
if (audit && audit.duplicateIds + audit.missingBadge + audit.badSource + audit.badTime > 0) {
  warnings.push(`DuckDB found defects in a clean lake: ${JSON.stringify({...audit, hours: undefined})}`)
}

const ratios = {
  checkVsDuckdb: check && duckdb ? check.recordsPerSecond / duckdb.recordsPerSecond : null,
  checkVsZlibFloor: check && zlibFloor ? zlibFloor.seconds / check.seconds : null,
  checkVsGzipFloor: check && gzipFloor ? gzipFloor.seconds / check.seconds : null,
}
const ratio = (v: number | null) => (v === null ? 'not measured' : `${v.toFixed(2)}x`)

console.log(`\n${table(rows)}\n`)
console.log(`pixel check vs DuckDB (records/s):      ${ratio(ratios.checkVsDuckdb)}  (target >= 1)`)
console.log(`pixel check vs node zlib floor (time):  ${ratio(ratios.checkVsZlibFloor)}  (target >= 0.40)`)
console.log(`pixel check vs gzip -dc (time):         ${ratio(ratios.checkVsGzipFloor)}`)
for (const w of warnings) console.warn(`\nWARNING: ${w}`)

const results = {
  at: new Date().toISOString(),
  machine: {cores: cpus().length, cpu: cpus()[0]?.model.trim(), memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.versions.node, platform: process.platform},
  lake: {path: lake, ...parameters, objects: day.objects, records: day.records, bytes: day.bytes, rawBytes: day.rawBytes, generatedSeconds: built.seconds},
  rows,
  ratios,
  duckdbAudit: audit ? {...audit, hours: undefined} : null,
  warnings,
}
await mkdir(join(folder, 'results'), {recursive: true})
await writeFile(join(folder, 'results/latest.json'), JSON.stringify(results, null, 2) + '\n')
console.log(`\nresults: ${join(folder, 'results/latest.json')}`)
