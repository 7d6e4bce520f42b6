import {beforeAll, describe, expect, it} from 'vitest'
import {FAULTS, generateDay} from '../fixtures/generate-day.js'
import {tempLake} from '../fixtures/test-support/temp-lake.js'
import type {LocalLake} from '../lake/store/local-lake.js'
import {dayScope} from '../lake/scope.js'
import {type CheckOptions, runCheck} from './run-check.js'
import {compileValidator, loadSchema} from './schema/record-validator.js'

const DAY = '2026-02-10'
const validator = compileValidator(await loadSchema())
// Far fewer ids than the day holds: duplicate detection spills to disk.
const SPILL = 2_000

let lake: LocalLake
let records: number
beforeAll(async () => {
  lake = tempLake()
  ;({records} = await generateDay({day: DAY, events: 30_000, faults: FAULTS, lake, seed: 7}))
}, 120_000)

const reportWith = async (options: Partial<CheckOptions>) =>
  JSON.stringify(await runCheck({lake, scope: dayScope(DAY), validator, now: new Date('2026-11-28T00:00:00Z'), ...options}), null, 2)

describe('runCheck on a day with every fault, that spills its ids to disk', () => {
  it('gives a byte-identical report whatever the memory budget, the workers and the fast path', async () => {
    const expected = await reportWith({workers: 0})
    expect(records).toBeGreaterThan(SPILL * 10)
    expect(JSON.parse(expected).findings.find((f: {check: string}) => f.check === 'duplicate-record').count).toBeGreaterThan(5)
    const variants: [string, Partial<CheckOptions>][] = [
      ['spilled, one thread', {idBudget: SPILL, workers: 0}],
      // A spill hashes ids with a seed of its own: another run, another order of partitions.
      ['spilled again, one thread, no fast path', {idBudget: SPILL, workers: 0, fastPath: false}],
      ['spilled, 2 workers, the fast path in JavaScript', {idBudget: SPILL, workers: 2, fastPath: 'javascript'}],
      ['spilled, 16 workers', {idBudget: SPILL, workers: 16}],
    ]
    for (const [name, options] of variants) expect(await reportWith(options), name).toBe(expected)
  }, 300_000)
})
