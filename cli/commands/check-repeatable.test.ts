import {beforeAll, describe, expect, it} from 'vitest'
import {FAULTS, generateDay} from '../../fixtures/generate-day.js'
import {tempLake} from '../../fixtures/test-support/temp-lake.js'
import type {LocalLake} from '../../lake/store/local-lake.js'
import {runPixel} from '../test-support/run-pixel.js'

let lake: LocalLake
beforeAll(async () => {
  lake = tempLake()
  await generateDay({day: '2026-02-10', events: 30_000, faults: FAULTS, lake, seed: 11})
}, 120_000)

describe('pixel check --json on a day with every fault', () => {
  it('prints the same bytes spilling ids (--memory-budget 1) with 16 workers and no native scanner as in one thread in memory', async () => {
    const check = ['check', '--lake', lake.url, '--day', '2026-02-10', '--json']
    const inMemory = await runPixel([...check, '--concurrency', '0'])
    const spilled = await runPixel([...check, '--concurrency', '16', '--memory-budget', '1'], {env: {PIXEL_NATIVE: '0'}})
    expect(inMemory.code).toBe(1)
    expect(JSON.parse(inMemory.stdout).findings.map((f: {check: string}) => f.check)).toContain('duplicate-record')
    expect(spilled.code).toBe(1)
    expect(spilled.stdout).toBe(inMemory.stdout)
  }, 120_000)
})
