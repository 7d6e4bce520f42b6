import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {PLANTED_WEEKS, generateWeeks} from '../fixtures/generate-weeks.js'
import {tempLake} from '../fixtures/test-support/temp-lake.js'
import {dayScope, rangeScope} from '../lake/scope.js'
import {LocalLake} from '../lake/store/local-lake.js'
import {HistoryError} from './errors.js'
import {openHistory} from './history/history-store.js'
import type {CheckReport} from './report/report.js'
import {type CheckOptions, runCheck} from './run-check.js'
import {compileValidator, loadSchema} from './schema/record-validator.js'

const {first: FIRST, lastHealthy: LAST_HEALTHY, judged: JUDGED, faults: PLANTED, expected: EXPECTED} = PLANTED_WEEKS

const validator = compileValidator(await loadSchema())
const now = new Date('2026-11-28T00:00:00Z')
const dirs: string[] = []
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pixel-history-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
})

function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir, {recursive: true, encoding: 'utf8'}).sort().filter((f) => f.endsWith('.jsonl')).map((f) => [f, readFileSync(join(dir, f), 'utf8')]))
}

const found = (report: CheckReport) => report.findings.map((f) => [f.check, f.hour, f.severity])

describe('five generated weeks with planted completeness faults', () => {
  // One lake and one history serve the tests in order: built over the healthy weeks, then the
  // judged day is checked, then the whole history is rebuilt.
  let lake: LocalLake
  const history = scratch()
  let built: CheckReport
  let judged: CheckReport
  const check = async (scope: CheckOptions['scope'], location: string) => {
    const store = await openHistory(location)
    try {
      return await runCheck({lake, scope, validator, now, history: store})
    } finally {
      store.close()
    }
  }

  beforeAll(async () => {
    // Not tempLake(): that one is removed after each test, and this lake serves them all.
    lake = new LocalLake(scratch())
    await generateWeeks({lake, from: FIRST, days: 35, faults: PLANTED})
    built = await check(rangeScope(FIRST, LAST_HEALTHY), history)
    judged = await check(dayScope(JUDGED), history)
  })

  it('finds nothing on the healthy weeks while building their history in one command', () => {
    expect(built.findings).toEqual([])
    // The first three weeks learn; from the fourth on, every hour has a baseline.
    expect(built.hours.filter((h) => h.learning)).toHaveLength(21 * 24)
    expect(built.hours.filter((h) => h.baseline !== null)).toHaveLength(13 * 24)
  })

  it('reports exactly the planted faults on the judged day, and its hours with baselines and canary', () => {
    expect(found(judged)).toEqual(EXPECTED)
    const hour = (h: string) => judged.hours.find((x) => x.hour === `${JUDGED}T${h}`)!
    expect(hour('13')).toMatchObject({canary: 2, learning: false})
    expect(hour('13').baseline).toBeGreaterThan(4 * (hour('13').records - 2) * 0.8)
    expect(hour('20').canary).toBe(0)
    expect(judged.findings.find((f) => f.hour === `${JUDGED}T13`)!.message).toMatch(/^hour 2026-02-09T13 holds \d+ real records, 0\.2\dx its baseline of \d+ \(the median of the same hour on 4 past same weekdays\), below 0\.5x$/)
  })

  it('tells a broken pipeline from a broken canary', () => {
    const at = (h: string) => judged.findings.filter((f) => f.hour === `${JUDGED}T${h}`).map((f) => f.check)
    expect(at('03')).toEqual(['gap', 'canary-missing'])
    expect(at('20')).toEqual(['canary-missing'])
    expect(judged.findings.find((f) => f.hour === `${JUDGED}T20`)!.message).toContain('the canary itself is broken')
  })

  it('records the hours that had a gap or a volume finding as anomalous', () => {
    const doc = filesOf(history)[`day=${JUDGED}/pixel-history.jsonl`].split('\n').filter(Boolean).map((l) => JSON.parse(l))
    expect(doc).toHaveLength(48)
    expect(doc.filter((l) => l.anomalous && l.source === 'real').map((l) => l.hour)).toEqual(['03', '10', '13', '14', '15'].map((h) => `${JUDGED}T${h}`))
  })

  it('gives the same history, byte for byte, when it is rebuilt twice, and the same verdict on a rerun', async () => {
    const first = filesOf(history)
    expect(Object.keys(first)).toHaveLength(35)
    await check(rangeScope(FIRST, JUDGED), history)
    expect(filesOf(history)).toEqual(first)
    await check(rangeScope(FIRST, JUDGED), history)
    expect(filesOf(history)).toEqual(first)
    // The day's own document is in the history now: it is never its own baseline.
    expect(found(await check(dayScope(JUDGED), history))).toEqual(EXPECTED)
  })

  it('learns with two weeks of history and raises no volume finding', async () => {
    const twoWeeks = scratch()
    await check(rangeScope('2026-01-26', LAST_HEALTHY), twoWeeks)
    const report = await check(dayScope(JUDGED), twoWeeks)
    expect(found(report)).toEqual(EXPECTED.filter(([name]) => name !== 'volume'))
    expect(report.hours.every((h) => h.learning && h.baseline === null)).toBe(true)
  })
})

describe('an outage in past weeks', () => {
  it('stays out of later baselines, so it cannot lower the bar', async () => {
    // Hour 13 dropped on two Mondays; with them left out, the Monday after has only two usable weeks.
    const lake = new LocalLake(scratch())
    await generateWeeks({lake, from: '2025-12-30', days: 42, faults: [
      {kind: 'drop', hour: '2026-01-26T13', factor: 0.25},
      {kind: 'drop', hour: '2026-02-02T13', factor: 0.25},
    ]})
    const store = await openHistory(scratch())
    try {
      const built = await runCheck({lake, scope: rangeScope('2025-12-30', '2026-02-08'), validator, now, history: store})
      expect(found(built)).toEqual([['volume', '2026-01-26T13', 'error'], ['volume', '2026-02-02T13', 'error']])
      const report = await runCheck({lake, scope: dayScope('2026-02-09'), validator, now, history: store})
      expect(found(report)).toEqual([])
      const hour = (h: string) => report.hours.find((x) => x.hour === `2026-02-09T${h}`)!
      expect(hour('13')).toMatchObject({learning: true, baseline: null})
      expect(hour('12').learning).toBe(false)
    } finally {
      store.close()
    }
  })
})

describe('a history location', () => {
  it.each([
    ['holds a file pixel did not write', (dir: string) => writeFileSync(join(dir, 'notes.txt'), 'hello'), /holds "notes\.txt", which pixel check did not write/],
    ['holds a document without the format marker', (dir: string) => {
      mkdirSync(join(dir, 'day=2026-02-09'))
      writeFileSync(join(dir, 'day=2026-02-09', 'pixel-history.jsonl'), '{"hour":"2026-02-09T00"}\n')
    }, /line 1 has no "format": "pixel-history\/1"/],
    ['holds a document that is not JSON', (dir: string) => {
      mkdirSync(join(dir, 'day=2026-02-09'))
      writeFileSync(join(dir, 'day=2026-02-09', 'pixel-history.jsonl'), 'year,month\n')
    }, /line 1 is not JSON/],
  ])('that %s is an error, never an empty baseline', async (_, plant, message) => {
    const dir = scratch()
    plant(dir)
    const lake = tempLake()
    const attempt = async () => {
      const store = await openHistory(dir)
      try {
        await runCheck({lake, scope: dayScope('2026-02-10'), validator, now, history: store})
      } finally {
        store.close()
      }
    }
    await expect(attempt()).rejects.toThrow(HistoryError)
    await expect(attempt()).rejects.toThrow(message)
  })

  it('is created when missing, and a file in its place is an error', async () => {
    const dir = join(scratch(), 'new', 'history')
    const store = await openHistory(dir)
    expect(store.days()).toEqual([])
    store.close()
    const file = join(scratch(), 'file')
    writeFileSync(file, 'x')
    await expect(openHistory(file)).rejects.toThrow(HistoryError)
  })
})
