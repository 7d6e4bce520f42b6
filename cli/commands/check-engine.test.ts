import {mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {S3Lake} from '../../lake/store/s3-lake.js'
import {PACKAGE_ROOT} from '../../lake/package-root.js'
import type {CheckReport} from '../../checks/report/report.js'
import {freshBucket, motoEnv} from '../../fixtures/test-support/s3-bucket.js'
import {runPixel} from '../test-support/run-pixel.js'

const SAMPLE = join(PACKAGE_ROOT, 'fixtures/sample-lake')
const DAY = ['--day', '2026-02-10']

interface EngineReport extends CheckReport {
  engine: string
  notChecked?: unknown[]
  queries?: {label: string}[]
}

const essentials = (report: CheckReport) => report.findings.map(({check, severity, hour, key, count}) => ({check, severity, hour, key, count}))

function oneLineError(run: {code: number; stdout: string; stderr: string}): string {
  expect(run.code).toBe(2)
  expect(run.stdout).toBe('')
  const lines = run.stderr.trimEnd().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).not.toMatch(/\bat .*\.js:\d+/)
  return lines[0]
}

describe('pixel check --engine duckdb on the sample lake', () => {
  let local: {code: number; report: EngineReport}
  let duckdb: {code: number; report: EngineReport}

  beforeAll(async () => {
    const [a, b] = await Promise.all([
      runPixel(['check', '--lake', SAMPLE, ...DAY, '--json', '--engine', 'local']),
      runPixel(['check', '--lake', SAMPLE, ...DAY, '--json', '--engine', 'duckdb']),
    ])
    local = {code: a.code, report: JSON.parse(a.stdout) as EngineReport}
    duckdb = {code: b.code, report: JSON.parse(b.stdout) as EngineReport}
  })

  it('gives the findings of --engine local: each check, severity, hour, key and count', () => {
    expect(local.report.findings.length).toBeGreaterThan(5)
    expect(essentials(duckdb.report)).toEqual(essentials(local.report))
  })

  it('exits with the code --engine local exits with, and the same summary and hours', () => {
    expect(local.code).toBe(1)
    expect(duckdb.code).toBe(local.code)
    expect(duckdb.report.ok).toBe(local.report.ok)
    // The one difference allowed: the records --engine local read before the damage in a corrupt object.
    const before = new Map<string, number>()
    for (const f of local.report.findings.filter((f) => f.check === 'corrupt-object')) {
      before.set(f.hour!, (before.get(f.hour!) ?? 0) + Number(/; (\d+) records? before the damage/.exec(f.message)?.[1] ?? 0))
    }
    const lost = [...before.values()].reduce((a, b) => a + b, 0)
    expect(lost).toBeGreaterThan(0)
    expect(duckdb.report.summary).toEqual({...local.report.summary, records: local.report.summary.records - lost, valid: local.report.summary.valid - lost})
    for (const [i, hour] of local.report.hours.entries()) {
      if (!before.has(hour.hour)) {
        expect(duckdb.report.hours[i]).toEqual(hour)
        continue
      }
      // The records read before the damage also carry their lag.
      const n = before.get(hour.hour)!
      const withoutLag = (h: object) => Object.fromEntries(Object.entries(h).filter(([name]) => name !== 'lag'))
      expect(withoutLag(duckdb.report.hours[i])).toEqual(withoutLag({...hour, records: hour.records - n, valid: hour.valid - n}))
    }
  })

  it('names its engine in --json, with the queries it ran and what it did not check', () => {
    expect(local.report.engine).toBe('local')
    expect(duckdb.report.engine).toBe('duckdb')
    expect(duckdb.report.queries!.length).toBeGreaterThan(0)
    expect(Array.isArray(duckdb.report.notChecked)).toBe(true)
    expect(Object.keys(local.report)).not.toContain('queries')
  })

  it('names its engine in the text report', async () => {
    const {code, stdout} = await runPixel(['check', '--lake', SAMPLE, '--hour', '2026-02-10T01', '--engine', 'duckdb'])
    expect(code).toBe(0)
    expect(stdout).toContain('✔ no findings')
    expect(stdout).toMatch(/^engine: duckdb, \d+ queries, [\d.]+ s in queries$/m)
    const text = await runPixel(['check', '--lake', SAMPLE, '--hour', '2026-02-10T01'])
    expect(text.stdout).not.toContain('engine: ')
  })

  it('lists a schema keyword it does not check in the text report, and still exits as --engine local does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pixel-engine-'))
    const schema = join(dir, 'tuple.schema.json')
    writeFileSync(schema, JSON.stringify({type: 'object', properties: {tags: {type: 'array', items: [{type: 'string'}]}}}))
    const {code, stdout} = await runPixel(['check', '--lake', SAMPLE, '--hour', '2026-02-10T01', '--engine', 'duckdb', '--schema', schema])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^not checked on this engine: \/properties\/tags\/items \(items\): .+$/m)
  })

  it('writes the --quarantine file --engine local writes, byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pixel-engine-'))
    const [a, b] = await Promise.all([
      runPixel(['check', '--lake', SAMPLE, ...DAY, '--quarantine', join(dir, 'local.jsonl')]),
      runPixel(['check', '--lake', SAMPLE, ...DAY, '--engine', 'duckdb', '--quarantine', join(dir, 'duckdb.jsonl')]),
    ])
    expect([a.code, b.code]).toEqual([1, 1])
    const written = readFileSync(join(dir, 'local.jsonl'), 'utf8')
    expect(written.trimEnd().split('\n')).toHaveLength(local.report.summary.invalid + local.report.summary.unparseable)
    expect(readFileSync(join(dir, 'duckdb.jsonl'), 'utf8')).toBe(written)
    expect(readdirSync(dir).sort()).toEqual(['duckdb.jsonl', 'local.jsonl'])
  })
})

describe('pixel check --engine on bad input', () => {
  it('refuses an engine it does not know, naming the ones it does', () => runPixel(['check', '--lake', SAMPLE, ...DAY, '--engine', 'spark']).then((run) => {
    expect(oneLineError(run)).toMatch(/^Error: Expected --engine=spark to be one of: local, duckdb, athena/)
  }))

  describe.each([
    ['--workgroup', ['--database', 'pixel', '--table', 'events_lines'], 'AthenaWorkGroup'],
    ['--database', ['--workgroup', 'Pixel', '--table', 'events_lines'], 'AthenaDatabase'],
    ['--table', ['--workgroup', 'Pixel', '--database', 'pixel'], 'AthenaRawTable'],
  ])('--engine athena without %s', (flag, given, output) => {
    it('exits 2 naming the flag and the stack output to copy, before the lake is listed', async () => {
      // A bucket that does not exist: listing it would fail with another line.
      const run = await runPixel(['check', '--lake', 's3://no-such-bucket/events/', ...DAY, '--engine', 'athena', ...given], {env: motoEnv()})
      expect(oneLineError(run)).toBe(`Error: --engine athena needs ${flag}: copy it from the stack's ${output} output, or set "athena": {"${flag.slice(2)}": "..."} in the config file`)
    })
  })

  it('refuses --engine athena over a folder lake, saying which engines read folders', async () => {
    const run = await runPixel(['check', '--lake', SAMPLE, ...DAY, '--engine', 'athena', '--workgroup', 'Pixel', '--database', 'pixel', '--table', 'events_lines'], {env: motoEnv()})
    expect(oneLineError(run)).toMatch(/^Error: --engine athena reads a lake in S3, not .+: pass --lake s3:\/\/.+, or use --engine local or --engine duckdb for a folder$/)
  })
})

describe('pixel check --engine duckdb over S3 (moto server on 127.0.0.1)', () => {
  let bucket: string

  beforeAll(async () => {
    bucket = await freshBucket('check-engine')
    Object.assign(process.env, motoEnv())
    const lake = new S3Lake(`s3://${bucket}/events/`, {})
    const hour = 'year=2026/month=02/day=10/hour=01'
    for (const file of readdirSync(join(SAMPLE, hour))) if (statSync(join(SAMPLE, hour, file)).isFile()) await lake.write(`${hour}/${file}`, readFileSync(join(SAMPLE, hour, file)))
    lake.close()
  })

  it('exits 2 with one line saying httpfs cannot be loaded and what to use instead', async () => {
    const lake = `s3://${bucket}/events/`
    const run = await runPixel(['check', '--lake', lake, '--hour', '2026-02-10T01', '--engine', 'duckdb'], {env: motoEnv()})
    const line = oneLineError(run)
    expect(line).toContain(`Error: --engine duckdb cannot read ${lake}: DuckDB's httpfs extension cannot be loaded here`)
    expect(line).toContain(`use --engine local or --engine athena for ${lake}, or copy the scope to a folder (aws s3 sync ${lake} ./lake) and run --engine duckdb --lake ./lake`)
    // The same lake is fine on the default engine.
    const ok = await runPixel(['check', '--lake', lake, '--hour', '2026-02-10T01', '--json'], {env: motoEnv()})
    expect(ok.code).toBe(0)
    expect((JSON.parse(ok.stdout) as CheckReport).summary.records).toBeGreaterThan(0)
  })

  it('prints the same line as a JSON error under --json', async () => {
    const run = await runPixel(['check', '--lake', `s3://${bucket}/events/`, '--hour', '2026-02-10T01', '--engine', 'duckdb', '--json'], {env: motoEnv()})
    expect(run.code).toBe(2)
    expect(JSON.parse(run.stdout)).toEqual({error: {message: expect.stringContaining('httpfs extension cannot be loaded here'), exitCode: 2}})
  })
})
