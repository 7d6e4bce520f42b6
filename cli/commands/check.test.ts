import {execFile} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {S3Lake} from '../../lake/store/s3-lake.js'
import {PACKAGE_ROOT} from '../../lake/package-root.js'
import type {CheckReport} from '../../checks/report/report.js'
import {stallingProxy} from '../../fixtures/test-support/flaky-proxy.js'
import {freshBucket, motoEnv} from '../../fixtures/test-support/s3-bucket.js'
import {runPixel} from '../test-support/run-pixel.js'
import {spawnPixel} from '../test-support/spawn-pixel.js'

const SAMPLE = join(PACKAGE_ROOT, 'fixtures/sample-lake')
const DAY = ['--day', '2026-02-10']

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {recursive: true, encoding: 'utf8'}).filter((f) => statSync(join(dir, f)).isFile())
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'pixel-cli-'))
}

describe('pixel check on the sample lake', () => {
  it('prints the summary, the hour table and the findings with their keys, and exits 1', async () => {
    const {code, stdout, stderr} = await runPixel(['check', '--lake', SAMPLE, ...DAY])
    expect(code).toBe(1)
    expect(stderr).toBe('')
    expect(stdout).toContain('47 objects')
    expect(stdout).toMatch(/^ {2}13:00 +0 +0 +0 +0 +0 +0 +gap$/m)
    expect(stdout).toContain('year=2026/month=02/day=10/hour=20/README.txt does not fit')
    expect(stdout).toMatch(/✖ failed: 9 errors, 5 warnings/)
  })

  it('prints one JSON document with the report contract under --json', async () => {
    const {code, stdout} = await runPixel(['check', '--lake', SAMPLE, ...DAY, '--json'])
    expect(code).toBe(1)
    const report = JSON.parse(stdout) as CheckReport & {engine: string}
    expect(Object.keys(report)).toEqual(['ok', 'scope', 'lake', 'summary', 'hours', 'findings', 'limits', 'engine', 'warnings'])
    expect(report.engine).toBe('local')
    expect(report.limits).toEqual({failOn: 'error', minRecords: 1, toleranceMinutes: 15, lateAfterMinutes: 60, freshnessMinutes: 60, volumeDrop: 0.5, volumeSpike: 3})
    expect(report.scope).toEqual({from: '2026-02-10T00:00:00.000Z', to: '2026-02-11T00:00:00.000Z'})
    expect(Object.keys(report.summary)).toEqual(['objects', 'bytes', 'records', 'valid', 'invalid', 'unparseable', 'duplicateRecords'])
    expect(report.hours).toHaveLength(24)
    expect(Object.keys(report.hours[0])).toEqual(['hour', 'objects', 'records', 'valid', 'invalid', 'duplicateRecords', 'ended', 'canary', 'baseline', 'learning', 'bytes', 'lag'])
    expect(Object.keys(report.hours[0].lag!)).toEqual(['p50Seconds', 'p95Seconds', 'maxSeconds'])
    expect(report.hours.reduce((sum, h) => sum + h.bytes, 0)).toBe(report.summary.bytes)
    expect(report.hours.find((h) => h.objects === 0)!.lag).toBeNull()
    expect(Object.keys(report.findings[0])).toEqual(['check', 'severity', 'hour', 'key', 'count', 'message', 'samples'])
    expect(report.summary.records).toBe(report.summary.valid + report.summary.invalid)
  })

  it('marks today\'s hours that have not ended, in the table and as "ended": false under --json', async () => {
    const text = await runPixel(['check', '--lake', SAMPLE, '--day', 'today'])
    expect(text.stdout).toMatch(/^ {2}23:00 +0 +0 +0 +0 +0 +0 {2}not ended$/m)
    const {stdout} = await runPixel(['check', '--lake', SAMPLE, '--day', 'today', '--json'])
    const report = JSON.parse(stdout) as CheckReport
    expect(report.hours.at(-1)).toMatchObject({hour: expect.stringMatching(/T23$/), ended: false})
    expect(report.hours.filter((h) => h.ended).map((h) => h.hour)).toEqual(report.findings.filter((f) => f.check === 'gap').map((f) => f.hour))
  })

  it('ends its progress line, on a terminal, on the byte figure the summary prints', async () => {
    const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`
    const command = [process.execPath, join(PACKAGE_ROOT, 'bin/run.js'), 'check', '--lake', SAMPLE, ...DAY].map(quote).join(' ')
    // script(1) gives the command a terminal, as a person running it has; progress shows only there.
    const screen = await new Promise<string>((resolve, reject) => {
      execFile('script', ['-qec', command, '/dev/null'], {env: {...process.env, NO_COLOR: '1', PIXEL_LAKE: ''}}, (error, stdout) => (stdout ? resolve(stdout) : reject(error)))
    })
    const progress = [...screen.matchAll(/reading (\d+)\/(\d+) objects, ([\d.]+) of ([\d.]+ \S+)/g)].at(-1)!
    expect(progress[1]).toBe(progress[2])
    const summary = /\n {2}\d+ objects, ([\d.]+ \S+),/.exec(screen.replace(/\r/g, ''))!
    expect(`${progress[3]} ${progress[4].split(' ')[1]}`).toBe(summary[1])
    expect(progress[4]).toBe(summary[1])
  })

  /** Every CommonJS module `pixel check` on the sample lake loads, and its exit code. */
  async function modulesOfACheck(): Promise<{code: number; modules: string[]}> {
    // A preloaded script lists, as the process exits, every CommonJS module it loaded (the AWS
    // SDK, DuckDB and semver ship CommonJS only, so an import of any lands in require's cache).
    const dir = scratch()
    const hook = join(dir, 'list-modules.cjs')
    const out = join(dir, 'modules.json')
    writeFileSync(hook, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))))`)
    const env: NodeJS.ProcessEnv = {...process.env, PIXEL_LAKE: '', OCLIF_DISABLE_ENGINE_WARNING: undefined}
    const code = await new Promise<number>((resolve) => {
      execFile(process.execPath, ['-r', hook, join(PACKAGE_ROOT, 'bin/run.js'), 'check', '--lake', SAMPLE, ...DAY, '--json'], {env}, (error) => resolve(error ? Number(error.code) : 0))
    })
    return {code, modules: JSON.parse(readFileSync(out, 'utf8')) as string[]}
  }

  it('loads neither the AWS SDK nor DuckDB to check a local lake with the local engine', async () => {
    const {code, modules} = await modulesOfACheck()
    expect(code).toBe(1)
    expect(modules.some((m) => m.includes('/@oclif/core/'))).toBe(true)
    expect(modules.filter((m) => /\/(@aws-sdk|@duckdb)\//.test(m))).toEqual([])
  })

  it("skips oclif's own Node version check, and with it all of semver", async () => {
    const {modules} = await modulesOfACheck()
    expect(modules.some((m) => m.includes('/@oclif/core/'))).toBe(true)
    expect(modules.filter((m) => m.includes('/node_modules/semver/'))).toEqual([])
  })

  it('writes JUnit XML with one test case per check per hour', async () => {
    const out = join(scratch(), 'report.xml')
    await runPixel(['check', '--lake', SAMPLE, ...DAY, '--junit', out])
    const xml = readFileSync(out, 'utf8')
    // 14 checks x 24 hours, schema-drift once for the scope, plus one case for the finding that belongs to no hour.
    expect(xml.match(/<testcase /g)).toHaveLength(14 * 24 + 1 + 1)
    expect(xml.match(/<failure /g)).toHaveLength(9)
    expect(xml).toContain('<testcase classname="pixel.check.gap" name="gap 2026-02-10T13" time="0"><failure type="error"')
    expect(xml).toContain('evil&lt;script&gt;')
    expect(xml).not.toContain('<script>')
  })

  it('checks one hour with --hour and passes when it is clean', async () => {
    const {code, stdout} = await runPixel(['check', '--lake', SAMPLE, '--hour', '2026-02-10T01'])
    expect(code).toBe(0)
    expect(stdout).toContain('✔ no findings')
  })

  describe.each([
    ['error', 1],
    ['warning', 1],
    ['never', 0],
  ])('with --fail-on %s', (failOn, exitCode) => {
    it(`exits ${exitCode} on an hour holding only a warning`, async () => {
      const {code} = await runPixel(['check', '--lake', SAMPLE, '--hour', '2026-02-10T18', '--fail-on', failOn])
      expect(code).toBe(failOn === 'error' ? 0 : exitCode)
    })
  })
})

describe('pixel check over a range of days', () => {
  it('reports every hour and every object of the range as one report', async () => {
    const {code, stdout} = await runPixel(['check', '--lake', SAMPLE, '--from', '2026-02-09', '--to', '2026-02-11', '--json'])
    expect(code).toBe(1)
    const report = JSON.parse(stdout) as CheckReport
    expect(report.scope).toEqual({from: '2026-02-09T00:00:00.000Z', to: '2026-02-12T00:00:00.000Z'})
    expect(report.hours).toHaveLength(72)
    expect(report.hours.map((h) => h.hour)).toContain('2026-02-11T00')
    expect(report.hours.find((h) => h.hour === '2026-02-09T23')!.objects).toBe(1)
    expect(report.hours.find((h) => h.hour === '2026-02-11T00')!.objects).toBe(1)
    const day = JSON.parse((await runPixel(['check', '--lake', SAMPLE, ...DAY, '--json'])).stdout) as CheckReport
    // The range holds the day's objects and those of the hours either side of it.
    expect(report.summary.objects).toBe(day.summary.objects + 2)
  })

  it('names both days and prints the day of each hour in the terminal', async () => {
    const {stdout} = await runPixel(['check', '--lake', SAMPLE, '--from', '2026-02-10', '--to', '2026-02-11'])
    expect(stdout).toContain('2026-02-10 to 2026-02-11 (48 hours, UTC)')
    expect(stdout).toMatch(/^ {2}2026-02-11 00:00 /m)
  })
})

describe('pixel check on bad input', () => {
  describe.each([
    ['an unknown flag', ['--lake', SAMPLE, '--bogus'], /^Error: Nonexistent flag: --bogus \(see pixel check --help\)$/],
    ['an impossible day', ['--lake', SAMPLE, '--day', '2026-02-30'], /^Error: --day "2026-02-30" is not a day: use YYYY-MM-DD/],
    ['an hour without its hour', ['--lake', SAMPLE, '--hour', '2026-02-10'], /^Error: --hour "2026-02-10" is not an hour/],
    ['both --day and --hour', ['--lake', SAMPLE, ...DAY, '--hour', '2026-02-10T01'], /^Error: --day=2026-02-10 cannot also be provided when using --hour/],
    ['both --day and --from', ['--lake', SAMPLE, ...DAY, '--from', '2026-02-09', '--to', '2026-02-10'], /^Error: --day=2026-02-10 cannot also be provided when using --from/],
    ['both --hour and --to', ['--lake', SAMPLE, '--hour', '2026-02-10T01', '--to', '2026-02-10'], /^Error: --hour=2026-02-10T01 cannot also be provided when using --to/],
    ['a reversed range', ['--lake', SAMPLE, '--from', '2026-02-11', '--to', '2026-02-10'], /^Error: --from 2026-02-11 is after --to 2026-02-10/],
    ['a range without its end', ['--lake', SAMPLE, '--from', '2026-02-10'], /^Error: --from needs --to/],
    ['a range without its start', ['--lake', SAMPLE, '--to', '2026-02-10'], /^Error: --to needs --from/],
    ['a bad --fail-on', ['--lake', SAMPLE, '--fail-on', 'sometimes'], /^Error: Expected --fail-on=sometimes to be one of: error, warning, never/],
    ['a bad duration', ['--lake', SAMPLE, '--tolerance', 'soon'], /^Error: --tolerance "soon" is not a duration/],
    ['a negative --min-records', ['--lake', SAMPLE, '--min-records', '-1'], /^Error: --min-records: Expected an integer greater than or equal to 0/],
    ['a missing lake folder', ['--lake', '/no/such/lake', ...DAY], /^Error: lake folder \/no\/such\/lake does not exist/],
    ['a lake URL of another scheme', ['--lake', 'gs://bucket/x', ...DAY], /^Error: lake "gs:\/\/bucket\/x" is neither an s3:\/\/ URL nor a folder/],
    ['a missing schema file', ['--lake', SAMPLE, '--schema', '/no/schema.json', ...DAY], /^Error: cannot read schema \/no\/schema\.json: ENOENT/],
    ['no lake at all', [...DAY], /^Error: no lake given: pass --lake/],
    ['a JUnit path in a missing folder', ['--lake', SAMPLE, ...DAY, '--junit', '/no/such/dir/r.xml'], /^Error: cannot write --junit \/no\/such\/dir\/r\.xml: ENOENT/],
  ])('given %s', (_, args, message) => {
    it('exits 2 with one line saying why, and no stack trace', async () => {
      const {code, stdout, stderr} = await runPixel(['check', ...args])
      expect(code).toBe(2)
      expect(stdout).toBe('')
      expect(stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(stderr.trimEnd()).toMatch(message)
    })
  })

  it('prints the error as JSON on stdout under --json', async () => {
    const {code, stdout} = await runPixel(['check', '--lake', '/no/such/lake', ...DAY, '--json'])
    expect(code).toBe(2)
    expect(JSON.parse(stdout)).toEqual({error: {message: expect.stringContaining('lake folder /no/such/lake does not exist'), exitCode: 2}})
  })
})

describe('where the lake is set', () => {
  it('takes PIXEL_LAKE when --lake is not given', async () => {
    const {code, stdout} = await runPixel(['check', '--hour', '2026-02-10T01', '--json'], {env: {PIXEL_LAKE: SAMPLE}})
    expect(code).toBe(0)
    expect(JSON.parse(stdout).lake).toBe(SAMPLE)
  })

  it('takes "lake" from pixel.config.json in the working folder', async () => {
    const cwd = scratch()
    writeFileSync(join(cwd, 'pixel.config.json'), JSON.stringify({lake: SAMPLE}))
    const {code, stdout} = await runPixel(['check', '--hour', '2026-02-10T01', '--json'], {cwd})
    expect(code).toBe(0)
    expect(JSON.parse(stdout).lake).toBe(SAMPLE)
  })

  it('refuses a config file with an unknown setting, naming it', async () => {
    const cwd = scratch()
    writeFileSync(join(cwd, 'pixel.config.json'), JSON.stringify({lakes: SAMPLE}))
    const {code, stderr} = await runPixel(['check', '--hour', '2026-02-10T01'], {cwd})
    expect(code).toBe(2)
    expect(stderr).toMatch(/^Error: config file .*pixel\.config\.json has an unknown setting "lakes"/)
  })

  it('exits 2 naming the folder below when --lake is one level above the partitions', async () => {
    const {code, stdout, stderr} = await runPixel(['check', '--lake', join(PACKAGE_ROOT, 'fixtures'), '--hour', '2026-02-10T01'])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr.trimEnd()).toBe(`Error: ${join(PACKAGE_ROOT, 'fixtures')} holds no year= partitions but a folder below does: did you mean --lake ${SAMPLE}/?`)
  })

  it('exits 2 naming the folder above when --lake is a year= folder, as a JSON error under --json', async () => {
    const {code, stdout} = await runPixel(['check', '--lake', join(SAMPLE, 'year=2026'), ...DAY, '--json'])
    expect(code).toBe(2)
    expect(JSON.parse(stdout)).toEqual({error: {message: expect.stringMatching(new RegExp(`did you mean --lake ${SAMPLE}/\\?$`)), exitCode: 2}})
  })

  it('warns and still reports the gaps when the lake holds no partitions anywhere (a new lake)', async () => {
    const {code, stdout, stderr} = await runPixel(['check', '--lake', scratch(), '--hour', '2026-02-10T01'])
    expect(code).toBe(1)
    expect(stderr).toMatch(/holds no year= partitions at all/)
    expect(stdout).toMatch(/^ {2}01:00 +0 +0 +0 +0 +0 +0 +gap$/m)
    const json = await runPixel(['check', '--lake', scratch(), '--hour', '2026-02-10T01', '--json'])
    expect(JSON.parse(json.stdout).warnings).toEqual([expect.stringMatching(/ holds no year= partitions at all \(nor does any folder below it\): is --lake the prefix Firehose writes to\?$/)])
  })
})

describe('pixel check against S3 (moto server on 127.0.0.1)', () => {
  let bucket: string

  beforeAll(async () => {
    bucket = await freshBucket('check-e2e')
    Object.assign(process.env, motoEnv())
    const lake = new S3Lake(`s3://${bucket}/events/`, {})
    for (const file of filesUnder(SAMPLE)) await lake.write(relative(SAMPLE, join(SAMPLE, file)), readFileSync(join(SAMPLE, file)))
    lake.close()
  })

  it('gives the same report as the local folder', async () => {
    const local = await runPixel(['check', '--lake', SAMPLE, ...DAY, '--json'])
    const remote = await runPixel(['check', '--lake', `s3://${bucket}/events/`, ...DAY, '--json'], {env: motoEnv()})
    expect(remote.code).toBe(1)
    const {lake, ...fromS3} = JSON.parse(remote.stdout) as CheckReport
    expect(lake).toBe(`s3://${bucket}/events/`)
    const {lake: _, ...fromFolder} = JSON.parse(local.stdout) as CheckReport
    expect(fromS3).toEqual(fromFolder)
  })

  it('takes the endpoint from --endpoint-url as well', async () => {
    const {AWS_ENDPOINT_URL_S3: endpoint, ...env} = motoEnv()
    const {code, stdout} = await runPixel(['check', '--lake', `s3://${bucket}/events/`, '--hour', '2026-02-10T01', '--endpoint-url', endpoint, '--json'], {
      env: {...env, AWS_ENDPOINT_URL_S3: undefined},
    })
    expect(code).toBe(0)
    expect(JSON.parse(stdout).summary.records).toBe(80)
  })

  it('exits 2 naming s3://bucket/events/ when --lake is the bucket root', async () => {
    const {code, stdout} = await runPixel(['check', '--lake', `s3://${bucket}/`, ...DAY, '--json'], {env: motoEnv()})
    expect(code).toBe(2)
    expect(JSON.parse(stdout)).toEqual({error: {message: expect.stringMatching(new RegExp(`did you mean --lake s3://${bucket}/events/\\?$`)), exitCode: 2}})
  })

  it('exits 2 with one line when the bucket does not exist', async () => {
    const {code, stderr} = await runPixel(['check', '--lake', 's3://no-such-bucket/events/', ...DAY], {env: motoEnv()})
    expect(code).toBe(2)
    expect(stderr.trimEnd()).toMatch(/^Error: cannot list s3:\/\/no-such-bucket\/events\/: NoSuchBucket[^\n]*$/)
  })
})

describe('pixel check --quarantine', () => {
  interface QuarantineLine {key: string; index: number; hour: string; errors: {pointer: string; message: string}[]; record?: unknown; line?: string}
  const quarantineOf = (path: string): QuarantineLine[] => readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as QuarantineLine)

  it('writes every invalid and unparseable record whole, one JSON line each, in object order', async () => {
    const file = join(scratch(), 'quarantine.jsonl')
    const {code, stdout} = await runPixel(['check', '--lake', SAMPLE, ...DAY, '--json', '--quarantine', file])
    expect(code).toBe(1)
    const report = JSON.parse(stdout) as CheckReport
    const lines = quarantineOf(file)
    expect(lines.filter((l) => l.record !== undefined)).toHaveLength(report.summary.invalid)
    expect(lines.filter((l) => l.line !== undefined)).toHaveLength(report.summary.unparseable)
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(['key', 'index', 'hour', 'errors', l.line === undefined ? 'record' : 'line'])
      expect(l.errors.length).toBeGreaterThan(0)
      expect(l.key.startsWith(`year=2026/month=02/day=10/hour=${l.hour.slice(11)}/`)).toBe(true)
    }
    const schemaSamples = report.findings.filter((f) => f.check === 'schema').flatMap((f) => f.samples)
    for (const sample of schemaSamples) expect(lines.some((l) => l.key === sample.key && l.index === sample.index && l.errors.some((e) => e.pointer === sample.pointer))).toBe(true)
    const order = lines.map((l) => `${l.hour} ${l.key} ${String(l.index).padStart(6, '0')}`)
    expect(order).toEqual([...order].sort())
  })

  it('writes the same file with worker threads as in one thread', async () => {
    const dir = scratch()
    await runPixel(['check', '--lake', SAMPLE, ...DAY, '--concurrency', '0', '--quarantine', join(dir, 'one.jsonl')])
    await runPixel(['check', '--lake', SAMPLE, ...DAY, '--concurrency', '3', '--quarantine', join(dir, 'three.jsonl')])
    expect(readFileSync(join(dir, 'three.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'one.jsonl'), 'utf8'))
    expect(readFileSync(join(dir, 'one.jsonl'), 'utf8')).not.toBe('')
  })

  it('exits 2 with one line when the file cannot be written', async () => {
    const {code, stderr} = await runPixel(['check', '--lake', SAMPLE, ...DAY, '--quarantine', join(scratch(), 'missing', 'q.jsonl')])
    expect(code).toBe(2)
    expect(stderr.trimEnd()).toMatch(/^Error: cannot write --quarantine .*ENOENT$/)
  })
})

describe('pixel check output files', () => {
  const sampleCopy = (): string => {
    const lake = join(scratch(), 'lake')
    cpSync(SAMPLE, lake, {recursive: true})
    return lake
  }
  const firstObject = (lake: string): string => join(lake, filesUnder(lake).filter((f) => f.endsWith('.gz')).sort()[0])

  describe.each(['--junit', '--html', '--quarantine'])('%s', (flag) => {
    it('refuses a path that is an object of the lake before writing anything, and the object stays whole', async () => {
      const lake = sampleCopy()
      const object = firstObject(lake)
      const before = readFileSync(object)
      const {code, stdout, stderr} = await runPixel(['check', '--lake', lake, ...DAY, flag, object])
      expect(code).toBe(2)
      expect(stdout).toBe('')
      expect(stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(stderr.trimEnd()).toMatch(new RegExp(`^Error: ${flag} .* is inside the lake .*: write it outside the lake`))
      expect(readFileSync(object)).toEqual(before)
      expect(filesUnder(lake).sort()).toEqual(filesUnder(SAMPLE).sort())
    })

    it('refuses a link outside the lake that points at one of its objects', async () => {
      const lake = sampleCopy()
      const object = firstObject(lake)
      const before = readFileSync(object)
      const link = join(scratch(), 'out')
      symlinkSync(object, link)
      const {code, stderr} = await runPixel(['check', '--lake', lake, ...DAY, flag, link])
      expect(code).toBe(2)
      expect(stderr.trimEnd()).toMatch(/is inside the lake/)
      expect(readFileSync(object)).toEqual(before)
    })
  })

  it('leaves the output files and nothing else beside them', async () => {
    const dir = scratch()
    const {code} = await runPixel(['check', '--lake', SAMPLE, ...DAY, '--junit', join(dir, 'r.xml'), '--html', join(dir, 'r.html'), '--quarantine', join(dir, 'q.jsonl')])
    expect(code).toBe(1)
    expect(readdirSync(dir).sort()).toEqual(['q.jsonl', 'r.html', 'r.xml'])
  })

  it('writes --html as one page holding the report --json prints', async () => {
    const html = join(scratch(), 'report.html')
    const {code, stdout} = await runPixel(['check', '--lake', SAMPLE, ...DAY, '--html', html, '--json'])
    expect(code).toBe(1)
    const page = readFileSync(html, 'utf8')
    expect(page).toMatch(/^<!doctype html>\n/)
    expect(page.trimEnd()).toMatch(/<\/html>$/)
    const embedded = /<script type="application\/json" id="pixel-report">(.*?)<\/script>/s.exec(page)![1]
    expect(JSON.parse(embedded)).toEqual(JSON.parse(stdout))
  })

  describe.each([
    ['--junit', '--html'],
    ['--html', '--quarantine'],
  ])('%s and %s', (first, second) => {
    it('naming the same file are refused, and the file that was there stays', async () => {
      const file = join(scratch(), 'out')
      writeFileSync(file, 'earlier')
      const {code, stderr} = await runPixel(['check', '--lake', SAMPLE, ...DAY, first, file, second, file])
      expect(code).toBe(2)
      expect(stderr.trimEnd()).toBe(`Error: ${first} and ${second} name the same file ${file}: give each its own`)
      expect(readFileSync(file, 'utf8')).toBe('earlier')
      expect(readdirSync(dirname(file))).toEqual(['out'])
    })
  })

  it('refuses --junit and --quarantine naming the same file, and keeps the file that was there', async () => {
    const file = join(scratch(), 'out')
    writeFileSync(file, 'earlier')
    const {code, stderr} = await runPixel(['check', '--lake', SAMPLE, ...DAY, '--junit', file, '--quarantine', file])
    expect(code).toBe(2)
    expect(stderr.trimEnd()).toMatch(/^Error: --junit and --quarantine name the same file/)
    expect(readFileSync(file, 'utf8')).toBe('earlier')
    expect(readdirSync(dirname(file))).toEqual(['out'])
  })

  it('refuses an unwritable --junit before it reads a single object', async () => {
    const bucket = await freshBucket('check-junit-first')
    const env = motoEnv()
    Object.assign(process.env, env)
    const lake = new S3Lake(`s3://${bucket}/events/`, {endpointUrl: env.AWS_ENDPOINT_URL_S3})
    for (const file of filesUnder(SAMPLE)) await lake.write(file, readFileSync(join(SAMPLE, file)))
    lake.close()
    // Any object read through this proxy would hang: the check must stop before one is asked for.
    const proxy = await stallingProxy(env.AWS_ENDPOINT_URL_S3, {path: /\/year=/, stallRequests: Infinity, afterBytes: 0})
    try {
      const {code, stderr} = await runPixel(['check', '--lake', `s3://${bucket}/events/`, ...DAY, '--junit', '/no/such/dir/r.xml'], {env: {...env, AWS_ENDPOINT_URL_S3: proxy.endpoint}})
      expect(code).toBe(2)
      expect(stderr.trimEnd()).toMatch(/^Error: cannot write --junit \/no\/such\/dir\/r\.xml: ENOENT$/)
      expect(proxy.stalled).toEqual([])
    } finally {
      await proxy.stop()
    }
  })
})

describe('pixel check against an S3 endpoint that stops answering mid-read', () => {
  it('exits 2 at --timeout with one line naming the object it waited for, and writes no half report', async () => {
    const bucket = await freshBucket('check-stall')
    const env = motoEnv()
    Object.assign(process.env, env)
    const lake = new S3Lake(`s3://${bucket}/events/`, {endpointUrl: env.AWS_ENDPOINT_URL_S3})
    for (const file of filesUnder(SAMPLE)) await lake.write(file, readFileSync(join(SAMPLE, file)))
    lake.close()
    const proxy = await stallingProxy(env.AWS_ENDPOINT_URL_S3, {path: /\/year=[^?]*\.gz/, stallRequests: Infinity, afterBytes: 5})
    const junit = join(scratch(), 'r.xml')
    writeFileSync(junit, 'earlier')
    try {
      const {code, stdout, stderr} = await runPixel(['check', '--lake', `s3://${bucket}/events/`, ...DAY, '--timeout', '3s', '--junit', junit], {
        env: {...env, AWS_ENDPOINT_URL_S3: proxy.endpoint},
      })
      expect(code).toBe(2)
      expect(stdout).toBe('')
      expect(stderr.trimEnd().split('\n')).toHaveLength(1)
      const waited = /^Error: the check did not finish within --timeout 3 s: still waiting for s3:\/\/[^/]+\/events\/(\S+) \(a stalled endpoint\?\)$/.exec(stderr.trimEnd())
      expect(waited).not.toBeNull()
      expect(proxy.stalled.some((path) => path.split('?')[0].endsWith(`/events/${waited![1]}`))).toBe(true)
      expect(readFileSync(junit, 'utf8')).toBe('earlier')
      expect(readdirSync(dirname(junit))).toEqual(['r.xml'])
    } finally {
      await proxy.stop()
    }
  })

  it.each(['0', 'soon'])('refuses --timeout %s with one line', async (value) => {
    const {code, stderr} = await runPixel(['check', '--lake', SAMPLE, ...DAY, '--timeout', value])
    expect(code).toBe(2)
    expect(stderr.trimEnd()).toMatch(/^Error: --timeout "\w+" is (no time at all|not a duration)/)
  })
})

describe('pixel check stopped by a signal', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('leaves no temporary output file behind on %s, and an earlier report as it was', async (signal) => {
    const bucket = await freshBucket('check-signal')
    const env = motoEnv()
    Object.assign(process.env, env)
    const lake = new S3Lake(`s3://${bucket}/events/`, {endpointUrl: env.AWS_ENDPOINT_URL_S3})
    for (const file of filesUnder(SAMPLE).slice(0, 5)) await lake.write(file, readFileSync(join(SAMPLE, file)))
    lake.close()
    // Every object read hangs, so the check is surely mid-run, its outputs open, when the signal comes.
    const proxy = await stallingProxy(env.AWS_ENDPOINT_URL_S3, {path: /\/year=[^?]*\.gz/, stallRequests: Infinity, afterBytes: 5})
    const dir = scratch()
    writeFileSync(join(dir, 'r.xml'), 'earlier')
    try {
      const check = spawnPixel(['check', '--lake', `s3://${bucket}/events/`, ...DAY, '--junit', join(dir, 'r.xml'), '--quarantine', join(dir, 'q.jsonl')], {
        env: {...env, AWS_ENDPOINT_URL_S3: proxy.endpoint},
      })
      while (proxy.stalled.length === 0) await new Promise((resolve) => setTimeout(resolve, 50))
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toHaveLength(2)
      check.child.kill(signal)
      expect(await check.exited).toBe(signal)
      expect(readdirSync(dir)).toEqual(['r.xml'])
      expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toBe('earlier')
    } finally {
      await proxy.stop()
    }
  })
})
