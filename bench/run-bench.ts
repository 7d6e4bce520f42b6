/**
 * `npm run bench`: builds (or reuses) two generated days of at least 5 million records each under
 * bench/.lake/: pixel events under the shipped schema, and a team's own events under
 * fixtures/schemas/team-event.schema.json. For each day it measures, one after another, pixel
 * check, pixel check --engine duckdb, the decompression floors (gzip -dc; node's zlib, libdeflate and
 * ISA-L where built, on one thread, and the fastest on every core) and DuckDB answering the same questions, then prints
 * records/s, uncompressed MB/s, peak RSS, the ratios and the share of records the fast path
 * decided. Results go to bench/.lake/results/latest.json.
 *
 * Environment: BENCH_EVENTS (default 5000000), BENCH_OBJECTS_PER_HOUR (default: the generator's),
 * BENCH_SEED (1), BENCH_DAY (2026-02-10), BENCH_THREADS for DuckDB and the all-core floor (2),
 * BENCH_DAYS (shipped,team), BENCH_SKIP (a comma list of check, engine, decoders, gzip, duckdb, share),
 * BENCH_RUNS (3): how many times pixel check and DuckDB each run, the median kept.
 */
import {readFileSync} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import {cpus, totalmem} from 'node:os'
import {join} from 'node:path'
import {PACKAGE_ROOT} from '../lake/package-root.js'
import type {CheckReport} from '../checks/report/report.js'
import {benchLake} from './bench-lake.js'
import {dayObjectFiles} from './day-files.js'
import type {DuckdbAudit, DuckdbTeamAudit} from './duckdb-audit.js'
import {auditSql, teamAuditSql} from './duckdb-audit.js'
import {GZIP_DECODERS} from '../lake/codec/native-gunzip.js'
import {TEAM_SCHEMA_FILE} from '../fixtures/team-traffic.js'
import {type Measured, measure, medianRun} from './measure.js'

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
const base = {
  day: process.env.BENCH_DAY || '2026-02-10',
  events,
  objectsPerHour: positive('BENCH_OBJECTS_PER_HOUR', undefined),
  seed: positive('BENCH_SEED', 1)!,
}
const threads = positive('BENCH_THREADS', 2)!
const runs = positive('BENCH_RUNS', 3)!
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean))
const wantedDays = new Set((process.env.BENCH_DAYS ?? 'shipped,team').split(',').map((s) => s.trim()))
const folder = join(PACKAGE_ROOT, 'bench/.lake')
const dist = join(PACKAGE_ROOT, 'dist/bench')

interface DaySetup {
  name: 'shipped' | 'team'
  /** The schema pixel check validates against (undefined: the shipped one). */
  schema?: string
  /** Its target: pixel check's records/s over DuckDB's. */
  target: number
}

const setups: DaySetup[] = [
  {name: 'shipped', target: 2},
  {name: 'team', schema: join(PACKAGE_ROOT, TEAM_SCHEMA_FILE), target: 1.5},
].filter((d) => wantedDays.has(d.name)) as DaySetup[]

console.log(`pixel bench: ${base.day}, ${events.toLocaleString('en-US')} events a day, ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`)
/** The times of a median's runs, for its row: "median of 2.31, 2.38, 2.90 s". */
const medianNote = (seconds: number[]) => (seconds.length > 1 ? `median of ${seconds.map((t) => t.toFixed(2)).join(', ')} s` : '')
const ratio = (v: number | null) => (v === null ? 'not measured' : `${v.toFixed(2)}x`)
const dayResults: unknown[] = []
const warnings: string[] = []

for (const setup of setups) {
  const parameters = setup.name === 'team' ? {...base, records: 'team' as const} : base
  const built = await benchLake(setup.name === 'team' ? join(folder, 'team') : folder, parameters)
  const {lake, day} = built
  console.log(
    `\n== ${setup.name} schema day ==\n${built.reused ? 'reusing' : 'built'} ${lake}: ${day.records.toLocaleString('en-US')} records in ${day.objects} objects, ` +
      `${(day.bytes / 1e6).toFixed(0)} MB gzip, ${(day.rawBytes / 1e6).toFixed(0)} MB raw (generated in ${built.seconds.toFixed(1)} s)`,
  )
  // Every tool reads the files from the page cache: read them once before the first is timed.
  const files = dayObjectFiles(lake, base.day)
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
    const args = [join(PACKAGE_ROOT, 'bin/run.js'), 'check', '--lake', lake, '--day', base.day, '--json', ...(setup.schema ? ['--schema', setup.schema] : [])]
    const run = await medianRun(runs, () => measure(process.execPath, args, {cwd: PACKAGE_ROOT}))
    requireOk('pixel check', run, [0, 1])
    const report = JSON.parse(run.stdout) as CheckReport
    checkRecords = report.summary.records
    check = row('pixel check --day', run, checkRecords, [medianNote(run.allSeconds), report.findings.length > 0 ? `${report.findings.length} findings` : ''].filter(Boolean).join('; ') || undefined)
  }

  // The same check with its record-level checks as SQL in DuckDB (--engine duckdb), right after --engine local.
  let engine: Row | undefined
  if (!skip.has('engine')) {
    const args = [join(PACKAGE_ROOT, 'bin/run.js'), 'check', '--lake', lake, '--day', base.day, '--json', '--engine', 'duckdb', ...(setup.schema ? ['--schema', setup.schema] : [])]
    const run = await measure(process.execPath, args, {cwd: PACKAGE_ROOT})
    requireOk('pixel check --engine duckdb', run, [0, 1])
    const report = JSON.parse(run.stdout) as CheckReport & {notChecked?: unknown[]}
    engine = row('pixel check --day --engine duckdb', run, report.summary.records, report.findings.length > 0 ? `${report.findings.length} findings` : undefined)
    if (checkRecords !== undefined && report.summary.records !== checkRecords) warnings.push(`${setup.name}: RECORD COUNTS DISAGREE: --engine local read ${checkRecords}, --engine duckdb ${report.summary.records}`)
    if ((report.notChecked ?? []).length > 0) warnings.push(`${setup.name}: --engine duckdb did not check ${report.notChecked!.length} schema keywords: ${JSON.stringify(report.notChecked)}`)
  }

  // Each decoder on one thread, then the fastest of them on every core: pixel check's floor.
  const decoderRows: {decoder: string; row: Row}[] = []
  let floor: Row | undefined
  if (!skip.has('decoders')) {
    for (const decoder of GZIP_DECODERS) {
      const run = await measure(process.execPath, [join(dist, 'decode-floor.js'), lake, base.day, decoder, '1'])
      requireOk(`the ${decoder} floor`, run)
      const decoded = JSON.parse(run.stdout) as {rawBytes: number}
      if (decoded.rawBytes !== day.rawBytes) warnings.push(`${decoder} decoded ${decoded.rawBytes} bytes, the generator wrote ${day.rawBytes}`)
      decoderRows.push({decoder, row: row(`${decoder}, 1 thread`, run, day.records)})
    }
    const fastest = decoderRows.reduce((a, b) => (b.row.seconds < a.row.seconds ? b : a))
    const run = await measure(process.execPath, [join(dist, 'decode-floor.js'), lake, base.day, fastest.decoder, String(threads)])
    requireOk(`the ${fastest.decoder} floor on ${threads} threads`, run)
    floor = row(`${fastest.decoder}, ${threads} threads (the floor)`, run, day.records)
  }

  let gzipFloor: Row | undefined
  if (!skip.has('gzip')) {
    const dayDir = join(lake, ...base.day.split('-').map((v, i) => `${['year', 'month', 'day'][i]}=${v}`))
    // Concatenated gzip files are one multi-member stream to gzip -dc: one process for them all.
    const script = `set -o pipefail; find "$1" -name '*.gz' -print0 | sort -z | xargs -0 cat | gzip -dc > /dev/null`
    const run = await measure('bash', ['-c', script, 'bench', dayDir])
    if (run.code === 0) gzipFloor = row('gzip -dc, 1 process', run, day.records)
    else console.warn(`gzip -dc failed (${run.code}): ${run.stderr.trim()}; skipped`)
  }

  let duckdb: Row | undefined
  let audit: (DuckdbAudit | DuckdbTeamAudit) | undefined
  if (!skip.has('duckdb')) {
    const run = await medianRun(runs, () => measure(process.execPath, [join(dist, 'duckdb-child.js'), lake, base.day, String(threads), setup.name === 'team' ? 'team' : 'pixel']))
    requireOk('DuckDB', run)
    audit = JSON.parse(run.stdout) as DuckdbAudit | DuckdbTeamAudit
    duckdb = row(`DuckDB, ${threads} threads`, run, audit.records, medianNote(run.allSeconds))
  }

  let share: {lines: number; decided: number; native: boolean} | undefined
  if (!skip.has('share')) {
    const run = await measure(process.execPath, [join(dist, 'fast-path-share.js'), lake, base.day, setup.schema ?? ''])
    requireOk('the fast-path share', run)
    share = JSON.parse(run.stdout) as {lines: number; decided: number; native: boolean}
  }

  if (checkRecords !== undefined && audit && checkRecords !== audit.records) warnings.push(`${setup.name}: RECORD COUNTS DISAGREE: pixel check read ${checkRecords}, DuckDB ${audit.records}`)
  if (checkRecords !== undefined && checkRecords !== day.records) warnings.push(`${setup.name}: pixel check read ${checkRecords} records, the generator wrote ${day.records}`)
  if (audit && audit.duplicateIds > 0) warnings.push(`${setup.name}: DuckDB found duplicate ids in a clean lake: ${audit.duplicateIds}`)
  if (audit && 'failing' in audit && audit.failing > 0) warnings.push(`${setup.name}: DuckDB found ${audit.failing} records failing the field rules in a clean lake`)
  if (audit && 'badTime' in audit && audit.missingBadge + audit.badSource + audit.badTime > 0) warnings.push(`${setup.name}: DuckDB found defects in a clean lake: ${JSON.stringify({...audit, hours: undefined})}`)

  const ratios = {
    checkVsDuckdb: check && duckdb ? check.recordsPerSecond / duckdb.recordsPerSecond : null,
    engineDuckdbVsLocal: check && engine ? engine.recordsPerSecond / check.recordsPerSecond : null,
    checkVsFloor: check && floor ? floor.seconds / check.seconds : null,
    checkVsGzipFloor: check && gzipFloor ? gzipFloor.seconds / check.seconds : null,
    fastPathShare: share ? share.decided / share.lines : null,
  }
  console.log(`\n${table(rows)}\n`)
  console.log(`pixel check vs DuckDB (records/s):          ${ratio(ratios.checkVsDuckdb)}  (target >= ${setup.target})`)
  console.log(`--engine duckdb vs --engine local (records/s): ${ratio(ratios.engineDuckdbVsLocal)}`)
  console.log(`pixel check vs ${floor?.tool ?? 'the decoding floor'} (time): ${ratio(ratios.checkVsFloor)}`)
  console.log(`pixel check vs gzip -dc (time):             ${ratio(ratios.checkVsGzipFloor)}`)
  console.log(`pixel check peak RSS:                       ${check?.peakRssMb?.toFixed(0) ?? '-'} MB  (target < 1024)`)
  console.log(`records the fast path decided:              ${share ? `${((100 * share.decided) / share.lines).toFixed(1)}% of ${share.lines.toLocaleString('en-US')}${share.native ? ' (native scanner)' : ' (JavaScript)'}` : 'not measured'}`)
  console.log(`DuckDB's query:${(setup.name === 'team' ? teamAuditSql(lake, base.day) : auditSql(lake, base.day)).replace(/\n\s*\n/g, '\n')}`)
  dayResults.push({
    name: setup.name,
    schema: setup.schema ?? 'lake/schema/pixel-event.schema.json',
    target: setup.target,
    lake: {path: lake, ...parameters, objects: day.objects, records: day.records, bytes: day.bytes, rawBytes: day.rawBytes, generatedSeconds: built.seconds},
    rows,
    ratios,
    fastPath: share ?? null,
    duckdbAudit: audit ? {...audit, hours: undefined} : null,
  })
}

for (const w of warnings) console.warn(`\nWARNING: ${w}`)
const results = {
  at: new Date().toISOString(),
  machine: {cores: cpus().length, cpu: cpus()[0]?.model.trim(), memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.versions.node, platform: process.platform},
  days: dayResults,
  warnings,
}
await mkdir(join(folder, 'results'), {recursive: true})
await writeFile(join(folder, 'results/latest.json'), JSON.stringify(results, null, 2) + '\n')
console.log(`\nresults: ${join(folder, 'results/latest.json')}`)
