import {describe, expect, it} from 'vitest'
import type {FieldTally} from '../scan/source-metrics.js'
import {type FieldShares, findSchemaDrift} from './schema-drift.js'

/** Shares over 100 sampled records, from [pointer, present, nulls, non-null type] rows. */
function shares(rows: [string, number, number, FieldTally['types'] extends infer T ? keyof T : never][]): FieldShares {
  const fields: Record<string, FieldTally> = {}
  for (const [pointer, present, nulls, type] of rows) fields[pointer] = {present, nulls, types: {...(nulls > 0 ? {null: nulls} : {}), ...(present > nulls ? {[type]: present - nulls} : {})}}
  return {sampled: 100, fields}
}

const lastWeek = shares([['/event_id', 100, 0, 'string'], ['/page_url', 100, 5, 'string'], ['/params', 60, 0, 'object'], ['/campaign', 100, 100, 'string']])

describe('findSchemaDrift', () => {
  it.each([
    ['a field never seen before, in more than 1% of records', [['/event_id', 100, 0, 'string'], ['/page_url', 100, 5, 'string'], ['/params', 60, 0, 'object'], ['/campaign', 100, 100, 'string'], ['/tracking', 2, 0, 'string']], /^field \/tracking is new on 2026-02-10: in 2\.0% of records, never seen in the 7 days before 2026-02-10$/],
    ['a field that was in more than half of the records and is gone', [['/event_id', 100, 0, 'string'], ['/page_url', 100, 5, 'string'], ['/campaign', 100, 100, 'string']], /^field \/params is gone on 2026-02-10: it was in 60% of records/],
    ['a field whose JSON type changed', [['/event_id', 100, 0, 'number'], ['/page_url', 100, 5, 'string'], ['/params', 60, 0, 'object'], ['/campaign', 100, 100, 'string']], /^field \/event_id changed type on 2026-02-10: now number in 100% of records, only string/],
    ['a null share that moved by more than 30 points (the embed that stops sending page URLs)', [['/event_id', 100, 0, 'string'], ['/page_url', 100, 90, 'string'], ['/params', 60, 0, 'object'], ['/campaign', 100, 100, 'string']], /^field \/page_url is null in 90% of records on 2026-02-10, against 5\.0%/],
  ] as const)('reports %s, once, with no hour', (_, today, message) => {
    const findings = findSchemaDrift('2026-02-10', shares(today as never), lastWeek, 7)
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({check: 'schema-drift', severity: 'warning', hour: null, key: null})
    expect(findings[0].message).toMatch(message)
  })

  it('reports nothing for the same shape, a rare new field, a null share within 30 points, or without a past', () => {
    const today = shares([['/event_id', 100, 0, 'string'], ['/page_url', 100, 30, 'string'], ['/params', 55, 0, 'object'], ['/campaign', 100, 100, 'string'], ['/rare', 1, 0, 'string']])
    expect(findSchemaDrift('2026-02-10', today, lastWeek, 7)).toEqual([])
    expect(findSchemaDrift('2026-02-10', today, {sampled: 0, fields: {}}, 0)).toEqual([])
  })
})
