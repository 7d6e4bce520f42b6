import {describe, expect, it} from 'vitest'
import {findGaps} from './gaps.js'
import type {HourSummary} from '../report/report.js'

const hour = (label: string, records: number, objects = records > 0 ? 1 : 0, ended = true, canary = 0): HourSummary => ({hour: label, objects, bytes: 0, records, valid: records, invalid: 0, duplicateRecords: 0, ended, canary, baseline: null, learning: false, lag: null})

describe('findGaps', () => {
  it('reports a gap when an hour has no objects', () => {
    expect(findGaps([hour('2026-02-10T05', 0)], 1)).toEqual([
      expect.objectContaining({check: 'gap', severity: 'error', hour: '2026-02-10T05', key: null, count: 0, message: 'hour 2026-02-10T05 has no objects (at least 1 record expected)'}),
    ])
  })

  it('reports an hour with objects but fewer records than the minimum', () => {
    expect(findGaps([hour('2026-02-10T05', 40, 2)], 100)[0].message).toBe('hour 2026-02-10T05 holds 40 records in 2 objects, fewer than 100')
  })

  it('reports nothing at exactly the minimum', () => {
    expect(findGaps([hour('2026-02-10T05', 100)], 100)).toEqual([])
  })

  it('reports no hour at all with --min-records 0', () => {
    expect(findGaps([hour('2026-02-10T05', 0)], 0)).toEqual([])
  })

  it('does not judge an hour that has not ended: its data may still be on its way', () => {
    expect(findGaps([hour('2026-02-10T05', 0, 0, false)], 1)).toEqual([])
  })

  it('counts only real records: an hour of canary alone is a gap', () => {
    expect(findGaps([hour('2026-02-10T05', 12, 2, true, 12)], 1)).toEqual([
      expect.objectContaining({check: 'gap', count: 0, message: 'hour 2026-02-10T05 holds 0 real records (and 12 canary records) in 2 objects, fewer than 1'}),
    ])
    expect(findGaps([hour('2026-02-10T05', 13, 2, true, 12)], 1)).toEqual([])
  })
})
