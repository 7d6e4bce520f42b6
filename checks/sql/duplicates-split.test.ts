import {describe, expect, it} from 'vitest'
import {lakeFactory, tempLake} from '../../fixtures/test-support/temp-lake.js'
import {dayScope} from '../../lake/scope.js'
import type {CheckReport} from '../report/report.js'
import {runCheck} from '../run-check.js'
import {compileValidator, loadSchema} from '../schema/record-validator.js'
import {runEngine} from './sql-engines.js'
import {MAX_QUERY_BYTES} from './sql-executor.js'

const DAY = '2026-02-10'
const NOW = new Date('2026-11-28T00:00:00Z')
const validator = compileValidator(await loadSchema())
const hourOf = (i: number) => `${DAY}T${String(i % 24).padStart(2, '0')}`

const findings = (report: CheckReport) => report.findings.map((f) => `${f.check} ${f.severity} ${f.hour ?? '-'} ${f.key ?? '-'} ${f.count}`)

describe('--engine duckdb on a scope whose duplicates query would not fit in one', () => {
  it('splits it into groups and pairs of groups, and finds every duplicate the local engine finds', async () => {
    const lake = tempLake()
    const f = lakeFactory(7)
    const objects = 2400
    // Ids sent again far apart (other groups of objects), three times, by the canary, and within one object.
    const again = f.events(hourOf(1), 6)
    const canary = f.events(hourOf(2), 2, {source: 'canary'})
    const keys: string[] = []
    for (let i = 0; i < objects; i++) {
      const hour = hourOf(i)
      const records = f.events(hour, 2)
      if (i === 30) records.push(again[0], again[1], canary[0])
      if (i === 1200) records.push(again[0], again[2], canary[0], canary[1])
      if (i === 2350) records.push(again[0], again[2], again[3], again[3], canary[1])
      if (i === 2399) records.push(again[1], again[4], again[4])
      keys.push(f.key(hour, 5 + (Math.floor(i / 24) % 50)))
      await lake.write(keys[i], f.gzip(records))
    }
    const all = {lake, scope: dayScope(DAY), validator, now: NOW}
    const local = await runCheck(all)
    const duck = await runEngine('duckdb', all, lake)

    // The single query would not fit: the split form ran, every query within Athena's limit.
    expect(Math.max(...duck.queries.map((query) => query.bytes))).toBeLessThanOrEqual(MAX_QUERY_BYTES)
    expect(duck.queries.filter((query) => /^duplicates \d+\/\d+$/.test(query.label)).length).toBeGreaterThan(1)
    expect(duck.queries.some((query) => query.label.startsWith('shared ids'))).toBe(true)

    // Planted: again[0] 3 times (2 extra), again[1..4] one extra each, the canary's two one extra each.
    expect(local.summary.duplicateRecords).toBe(8)
    expect(duck.summary).toEqual(local.summary)
    expect(findings(duck)).toEqual(findings(local))
    expect(duck.hours).toEqual(local.hours)
    // The earliest copy is the original (object 1200 lies in hour 00), wherever its group is.
    const samples = duck.findings.filter((x) => x.check === 'duplicate-record').flatMap((x) => x.samples)
    expect(samples).toContainEqual(expect.objectContaining({key: keys[30], message: `event_id first seen in ${keys[1200]}`}))
  }, 240_000)
})
