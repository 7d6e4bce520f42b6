import {gzipSync} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {generateDay, FAULTS} from '../../fixtures/generate-day.js'
import {lakeFactory, tempLake} from '../../fixtures/test-support/temp-lake.js'
import {dayScope, hourScope, type Scope} from '../../lake/scope.js'
import {LocalLake} from '../../lake/store/local-lake.js'
import type {CheckReport} from '../report/report.js'
import {type CheckOptions, runCheck} from '../run-check.js'
import {compileValidator, loadSchema} from '../schema/record-validator.js'
import {runEngine} from './sql-engines.js'

const HOUR = '2026-02-10T05'
const NOW = new Date('2026-11-28T00:00:00Z')
const validator = compileValidator(await loadSchema())
type Factory = ReturnType<typeof lakeFactory>

/** What parity compares: every finding's check, severity, hour, key and count. Messages and samples may differ (see the README). */
const findings = (report: CheckReport) => report.findings.map((f) => `${f.check} ${f.severity} ${f.hour ?? '-'} ${f.key ?? '-'} ${f.count}`)

interface Planted {
  name: string
  scope: Scope
  build: (lake: LocalLake, f: Factory) => Promise<void>
  options?: Partial<CheckOptions>
}

/** Records the local engine read before the damage in corrupt objects (its findings say how many): the one difference allowed. */
const readBeforeDamage = (report: CheckReport) =>
  report.findings.filter((f) => f.check === 'corrupt-object').reduce((sum, f) => sum + Number(/; (\d+) records? before the damage/.exec(f.message)?.[1] ?? 0), 0)

const planted: Planted[] = [
  {name: 'a healthy hour', scope: hourScope(HOUR), build: async (lake, f) => lake.write(f.key(HOUR), f.gzip(f.events(HOUR, 10)))},
  {name: 'an hour with no objects', scope: hourScope(HOUR), build: async () => {}},
  {name: 'an hour below --min-records', scope: hourScope(HOUR), build: async (lake, f) => lake.write(f.key(HOUR), f.gzip(f.events(HOUR, 3))), options: {minRecords: 5}},
  {
    name: 'one hour under two partition paths',
    scope: hourScope(HOUR),
    build: async (lake, f) => {
      await lake.write(f.key(HOUR), f.gzip(f.events(HOUR, 2)))
      await lake.write(f.key(HOUR).replace('/hour=05/', '/hour=5/'), f.gzip(f.events(HOUR, 2)))
    },
  },
  {
    name: 'the same bytes twice, and a record sent again',
    scope: hourScope(HOUR),
    build: async (lake, f) => {
      const body = f.gzip(f.events(HOUR, 4))
      await lake.write(f.key(HOUR, 10), body)
      await lake.write(f.key(HOUR, 40), body)
      const first = f.events(HOUR, 3)
      await lake.write(f.key(HOUR, 20), f.gzip([...first, first[1]]))
      await lake.write(f.key(HOUR, 50), f.gzip([{...first[2], user_agent: 'retried'}, {...first[0], event_id: first[0].event_id.toUpperCase()}]))
    },
  },
  {
    name: 'records back to back, mixed with lines, plain text and a "}{" inside a string',
    scope: hourScope(HOUR),
    build: async (lake, f) => {
      await lake.write(f.key(HOUR, 10), f.gzip(f.events(HOUR, 5), {delimited: false}))
      const [a, b, c] = f.events(HOUR, 3)
      await lake.write(f.key(HOUR, 20), gzipSync(`${JSON.stringify(a)}\n${JSON.stringify(b)}${JSON.stringify({...c, user_agent: 'x}{y'})}\n\n  \n`))
      await lake.write(f.key(HOUR, 30).replace(/\.gz$/, ''), f.gzip(f.events(HOUR, 4), {gzip: false}))
      await lake.write(f.key(HOUR, 35).replace(/\.gz$/, ''), f.gzip(f.events(HOUR, 2)))
    },
  },
  {
    name: 'text that is not JSON, bytes that are not UTF-8, garbage around objects',
    scope: hourScope(HOUR),
    build: async (lake, f) => {
      const [a, b] = f.events(HOUR, 2)
      await lake.write(f.key(HOUR, 10), gzipSync(`not json\n${JSON.stringify(a)}\n{"truncated":\n${JSON.stringify(b)} trailing {"x":1}\n`))
      await lake.write(f.key(HOUR, 20), Buffer.concat([gzipSync(`${JSON.stringify(f.events(HOUR, 1)[0])}\n`), gzipSync(Buffer.from([0xff, 0xfe, 0x7b, 0x7d, 0x0a]))]))
    },
  },
  {
    name: 'schema failures of every kind the shipped schema has',
    scope: hourScope(HOUR),
    build: async (lake, f) => {
      const e = f.events(HOUR, 12)
      await lake.write(f.key(HOUR), f.gzip([
        e[0], {...e[1], badge: ''}, {...e[2], ts: '2026-02-30T05:00:00Z'}, {...e[3], source: 'bot'}, {...e[4], schema_version: 2},
        {...e[5], extra: 1}, {...e[6], params: {a: 5}}, {...e[7], event_id: 'not-a-uuid'}, {...e[8], campaign: 'c'.repeat(129)},
        {...e[9], params_truncated: 'yes'}, [1, 2], 'a string',
      ]))
    },
  },
  {
    name: 'misplaced records, a late object and stale records',
    scope: hourScope(HOUR),
    build: async (lake, f) => {
      const e = f.events(HOUR, 6)
      await lake.write(f.key(HOUR, 200), f.gzip([...e.slice(0, 3), {...e[3], ts: '2026-02-10T07:30:00.000Z'}, {...e[4], ts: '2026-02-10T04:10:00.000Z'}, e[5]]))
    },
  },
  {
    name: 'corrupt objects: truncated, not gzip, empty',
    scope: hourScope(HOUR),
    build: async (lake, f) => {
      await lake.write(f.key(HOUR, 10), f.gzip(f.events(HOUR, 10)))
      const whole = f.gzip(f.events(HOUR, 400))
      await lake.write(f.key(HOUR, 20), whole.subarray(0, Math.floor(whole.length / 3)))
      await lake.write(f.key(HOUR, 30), Buffer.from('not gzip at all'))
      await lake.write(f.key(HOUR, 40), Buffer.alloc(0))
    },
  },
  {
    name: 'the canary, raw addresses of both kinds and a stray key',
    scope: hourScope(HOUR),
    build: async (lake, f) => {
      const e = f.events(HOUR, 6)
      await lake.write(f.key(HOUR), f.gzip([{...e[0], source: 'canary'}, {...e[1], client_ip: '198.51.100.7'}, {...e[2], client_ip: '2001:db8:1:2::1'}, {...e[3], client_ip: '2001:db8:1::'}, {...e[4], client_ip: null}, e[5]]))
      await lake.write('year=2026/month=02/day=10/hour=05/notes.txt', Buffer.from('hello'))
    },
  },
  {
    name: 'objects named by the Kinesis consumer',
    scope: hourScope(HOUR),
    build: async (lake, f) => {
      await lake.write(f.batchKey(HOUR, '1', '5'), f.gzip(f.events(HOUR, 5)))
    },
  },
]

describe.each(planted)('--engine duckdb on a planted lake: $name', ({scope, build, options}) => {
  it('gives the local engine\'s findings and counts', async () => {
    const lake = tempLake()
    await build(lake, lakeFactory())
    const all = {lake, scope, validator, now: NOW, ...options}
    const local = await runCheck(all)
    const duck = await runEngine('duckdb', all, lake)
    expect(findings(duck)).toEqual(findings(local))
    const lost = readBeforeDamage(local)
    expect(duck.summary).toEqual({...local.summary, records: local.summary.records - lost, valid: local.summary.valid - lost})
    // The records read before the damage also carry the lag of their hour: the same one difference.
    const masked = (h: CheckReport['hours'][number]) => ({...h, records: 0, valid: 0, lag: lost > 0 ? null : h.lag})
    expect(duck.hours.map(masked)).toEqual(local.hours.map(masked))
    expect(duck.engine).toBe('duckdb')
  })
})

describe('--engine duckdb on the sample lake and on a generated day', () => {
  const day = tempLake()
  beforeAll(async () => {
    await generateDay({day: '2026-02-10', events: 6000, faults: [...FAULTS], seed: 3, lake: day})
  })
  afterAll(() => {})

  it.each([
    ['the sample lake (every defect planted)', () => new LocalLake('fixtures/sample-lake')],
    ['a generated day with every fault planted', () => day],
  ])('gives the local engine\'s findings on %s', async (_, lakeOf) => {
    const lake = lakeOf()
    const all = {lake, scope: dayScope('2026-02-10'), validator, now: NOW}
    const local = await runCheck(all)
    const duck = await runEngine('duckdb', all, lake)
    expect(findings(duck)).toEqual(findings(local))
    expect(duck.summary.records).toBe(local.summary.records - readBeforeDamage(local))
    // The hours without a corrupt object hold exactly the same counts.
    const damaged = new Set(local.findings.filter((f) => f.check === 'corrupt-object').map((f) => f.hour))
    expect(duck.hours.filter((h) => !damaged.has(h.hour))).toEqual(local.hours.filter((h) => !damaged.has(h.hour)))
  })
})
