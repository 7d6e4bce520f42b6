import {mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import type {CheckReport} from '../../checks/report/report.js'
import {PLANTED_WEEKS, generateWeeks} from '../../fixtures/generate-weeks.js'
import {freshBucket, motoEnv} from '../../fixtures/test-support/s3-bucket.js'
import {LocalLake} from '../../lake/store/local-lake.js'
import {S3Lake} from '../../lake/store/s3-lake.js'
import {runPixel} from '../test-support/run-pixel.js'

const {first: FIRST, lastHealthy: LAST_HEALTHY, judged: JUDGED, faults: PLANTED, expected: EXPECTED} = PLANTED_WEEKS

const scratch = () => mkdtempSync(join(tmpdir(), 'pixel-cli-history-'))
const found = (stdout: string) => (JSON.parse(stdout) as CheckReport).findings.map((f) => [f.check, f.hour, f.severity])

describe.each([
  ['a folder', async () => {
    const dir = scratch()
    await generateWeeks({lake: new LocalLake(dir), from: FIRST, days: 35, faults: PLANTED})
    return {lake: dir, history: () => join(scratch(), 'history'), env: {}, rebuilds: 2, documents: async (at: string) => {
      const files = readdirSync(at, {recursive: true, encoding: 'utf8'}).filter((f) => f.endsWith('.jsonl')).sort()
      return Object.fromEntries(files.map((f) => [f, readFileSync(join(at, f), 'utf8')]))
    }}
  }],
  ['S3 (moto)', async () => {
    const bucket = await freshBucket('check-history')
    const env = motoEnv()
    Object.assign(process.env, env)
    const lake = new S3Lake(`s3://${bucket}/events/`, {})
    await generateWeeks({lake, from: FIRST, days: 35, faults: PLANTED})
    lake.close()
    let n = 0
    return {lake: `s3://${bucket}/events/`, history: () => `s3://${bucket}/history-${++n}/`, env, rebuilds: 2, documents: async (at: string) => {
      const store = new S3Lake(at, {})
      const out: Record<string, string> = {}
      for await (const {key} of store.listObjects('')) out[key] = (await store.read(key)).toString('utf8')
      store.close()
      return out
    }}
  }],
])('pixel check --history in %s', (_, setUp) => {
  let where: Awaited<ReturnType<typeof setUp>>
  const pixel = (args: string[]) => runPixel(['check', '--lake', where.lake, ...args], {env: where.env})

  beforeAll(async () => {
    where = await setUp()
  }, 300_000)

  it('builds the history of the healthy weeks in one command, reports exactly the planted faults on the judged day, and rebuilds byte for byte', async () => {
    const history = where.history()
    const built = await pixel(['--from', FIRST, '--to', LAST_HEALTHY, '--history', history, '--json'])
    expect(built.code).toBe(0)
    expect(found(built.stdout)).toEqual([])
    const judged = await pixel(['--day', JUDGED, '--history', history, '--json'])
    expect(judged.code).toBe(1)
    expect(found(judged.stdout)).toEqual(EXPECTED)
    const documents = await where.documents(history)
    expect(Object.keys(documents)).toHaveLength(35)
    expect(Object.keys(documents)[0]).toBe(`day=${FIRST}/pixel-history.jsonl`)
    for (let rebuild = 0; rebuild < where.rebuilds; rebuild++) {
      expect((await pixel(['--from', FIRST, '--to', JUDGED, '--history', history, '--json'])).code).toBe(1)
      expect(await where.documents(history)).toEqual(documents)
    }
  }, 300_000)

  it('learns with two weeks of history, raising no volume finding, and says so on the terminal', async () => {
    const history = where.history()
    expect((await pixel(['--from', '2026-01-26', '--to', LAST_HEALTHY, '--history', history])).code).toBe(0)
    const json = await pixel(['--day', JUDGED, '--history', history, '--json'])
    expect(found(json.stdout)).toEqual(EXPECTED.filter(([check]) => check !== 'volume'))
    const text = await pixel(['--day', JUDGED, '--history', history])
    expect(text.stdout).toMatch(/^ {2}hour +objects +records +valid +invalid +duplicate +canary +baseline$/m)
    expect(text.stdout).toMatch(/^ {2}13:00 +2 +\d+ +\d+ +0 +0 +2 +learning$/m)
  }, 300_000)
})

describe('pixel check --history settings and errors', () => {
  const SAMPLE_DAY = ['--day', '2026-02-10']
  const lake = () => {
    const dir = scratch()
    return dir
  }

  it('takes PIXEL_HISTORY and "history" in the config file, and shows each hour\'s baseline or learning', async () => {
    const fromEnv = join(scratch(), 'h')
    const viaEnv = await runPixel(['check', '--lake', lake(), ...SAMPLE_DAY], {env: {PIXEL_HISTORY: fromEnv}})
    expect(viaEnv.stdout).toMatch(/^ {2}05:00 +0 +0 +0 +0 +0 +0 +learning +gap$/m)
    expect(readdirSync(fromEnv)).toEqual(['day=2026-02-10'])
    const cwd = scratch()
    const fromConfig = join(scratch(), 'h')
    writeFileSync(join(cwd, 'pixel.config.json'), JSON.stringify({history: fromConfig}))
    await runPixel(['check', '--lake', lake(), ...SAMPLE_DAY], {cwd})
    expect(readdirSync(fromConfig)).toEqual(['day=2026-02-10'])
  })

  it('records nothing for --hour, which is not a whole day', async () => {
    const history = join(scratch(), 'h')
    await runPixel(['check', '--lake', lake(), '--hour', '2026-02-10T05', '--history', history])
    expect(readdirSync(history)).toEqual([])
  })

  describe.each([
    ['a history folder that holds a file pixel did not write', (dir: string) => writeFileSync(join(dir, 'report.csv'), 'a,b'), /^Error: history .* holds "report\.csv", which pixel check did not write: point --history at a location of its own$/],
    ['a history document pixel did not write', (dir: string) => {
      mkdirSync(join(dir, 'day=2026-02-09'))
      writeFileSync(join(dir, 'day=2026-02-09', 'pixel-history.jsonl'), '{"hour":"2026-02-09T00","records":3}\n')
    }, /^Error: history document .*day=2026-02-09\/pixel-history\.jsonl line 1 has no "format": "pixel-history\/1"/],
  ])('given %s', (_, plant, message) => {
    it('exits 2 with one line saying why', async () => {
      const history = scratch()
      plant(history)
      const {code, stderr} = await runPixel(['check', '--lake', lake(), ...SAMPLE_DAY, '--history', history])
      expect(code).toBe(2)
      expect(stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(stderr.trimEnd()).toMatch(message)
    })
  })

  describe.each([
    ['a --canary without a value', ['--canary', 'source'], /^Error: --canary "source" is not FIELD=VALUE: use e\.g\. source=canary, or none$/],
    ['a --volume-drop that is no ratio', ['--volume-drop', 'half'], /^Error: --volume-drop "half" is not a positive ratio: use e\.g\. 0\.5 or 3$/],
    ['a --volume-spike below --volume-drop', ['--volume-spike', '0.4'], /^Error: --volume-spike 0\.4 must be above --volume-drop 0\.5$/],
    ['an unknown --ip-policy', ['--ip-policy', 'hash'], /^Error: Expected --ip-policy=hash to be one of: anonymise, omit, full/],
    ['a --history URL of another scheme', ['--history', 'gs://bucket/h/'], /^Error: --history "gs:\/\/bucket\/h\/" is neither an s3:\/\/ URL nor a folder/],
  ])('given %s', (_, args, message) => {
    it('exits 2 with one line saying why', async () => {
      const {code, stderr} = await runPixel(['check', '--lake', lake(), ...SAMPLE_DAY, ...args])
      expect(code).toBe(2)
      expect(stderr.trimEnd()).toMatch(message)
    })
  })
})
