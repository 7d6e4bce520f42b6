import {describe, expect, it} from 'vitest'
import {type CheckReport, type Finding, type HourSummary, finding} from './report.js'
import {DEFAULT_TEST_LIMITS} from './test-support/check-report.js'
import {terminalReport} from './terminal-report.js'

const hourSummary = (hour: string, fields: Partial<HourSummary> = {}): HourSummary => ({hour, objects: 1, bytes: 40_000, records: 1200, valid: 1199, invalid: 1, duplicateRecords: 0, ended: true, canary: 0, baseline: null, learning: false, lag: null, ...fields})

function report(findings: Finding[], hours: HourSummary[] = [hourSummary('2026-02-10T05')]): CheckReport {
  return {
    ok: findings.length === 0,
    scope: {from: `${hours[0].hour}:00:00.000Z`, to: new Date(Date.parse(`${hours.at(-1)!.hour}:00:00.000Z`) + 3_600_000).toISOString()},
    lake: '/lake',
    limits: DEFAULT_TEST_LIMITS,
    summary: {objects: 1, bytes: 2048, records: 1200, valid: 1199, invalid: 1, unparseable: 0, duplicateRecords: 0},
    hours,
    findings,
  }
}

describe('terminalReport', () => {
  it('escapes attacker-controlled keys and sample messages', () => {
    const evil = finding('schema', {
      hour: '2026-02-10T05',
      key: null,
      count: 1,
      message: '1 record fails: / must NOT have additional properties (x\u001b]0;pwned\u0007)',
      samples: [{key: 'k\u001b[31m', index: 3, pointer: '/a\u202e', message: 'm\r'}],
    })
    const text = terminalReport(report([evil]), 'error', {color: false})
    expect(text).not.toMatch(new RegExp('[\\u0000-\\u0009\\u000b-\\u001f\\u202e]'))
    expect(text).toContain('x\\x1b]0;pwned\\x07')
    expect(text).toContain('k\\x1b[31m#3 /a\\u202e  m\\x0d')
  })

  it('marks the hour of a finding in the hour table', () => {
    const gap = finding('gap', {hour: '2026-02-10T05', key: null, count: 0, message: 'empty'})
    expect(terminalReport(report([gap]), 'error', {color: false})).toMatch(/^ {2}05:00 +1 +1,200 +1,199 +1 +0 +0 {2}gap$/m)
  })

  it.each([
    ['its canary and baseline', {canary: 12, baseline: 1180}, /^ {2}hour +objects +records +valid +invalid +duplicate +canary +baseline$/m, /^ {2}05:00 +1 +1,200 +1,199 +1 +0 +12 +1,180$/m],
    ['a learning hour as learning', {canary: 12, learning: true}, /baseline/, /^ {2}05:00 +1 +1,200 +1,199 +1 +0 +12 +learning$/m],
    ['no baseline column without a history', {canary: 12}, /^ {2}hour +objects +records +valid +invalid +duplicate +canary$/m, /^ {2}05:00 +1 +1,200 +1,199 +1 +0 +12$/m],
  ] as const)('shows %s next to the counts', (_, hour, header, row) => {
    const text = terminalReport(report([], [hourSummary('2026-02-10T05', hour)]), 'error', {color: false})
    expect(text).toMatch(header)
    expect(text).toMatch(row)
  })

  it('marks the hours that have not ended, in the table and the heading', () => {
    const zero = {objects: 0, records: 0, valid: 0, invalid: 0}
    const hours = [hourSummary('2026-02-10T05'), hourSummary('2026-02-10T06', {ended: false}), hourSummary('2026-02-10T07', {...zero, ended: false})]
    const text = terminalReport(report([], hours), 'error', {color: false})
    expect(text).toMatch(/^ {2}05:00 +1 +1,200 +1,199 +1 +0 +0$/m)
    expect(text).toMatch(/^ {2}06:00 +1 +1,200 +1,199 +1 +0 +0 {2}not ended$/m)
    expect(text).toMatch(/^ {2}07:00 +0 +0 +0 +0 +0 +0 {2}not ended$/m)
    expect(text.split('\n')[0]).toMatch(/\(3 hours, UTC; 2 not ended\)$/)
  })

  it('shows an hour\'s findings before its not-ended mark', () => {
    const schema = finding('schema', {hour: '2026-02-10T05', key: null, count: 1, message: 'bad'})
    const text = terminalReport(report([schema], [hourSummary('2026-02-10T05', {ended: false})]), 'error', {color: false})
    expect(text).toMatch(/^ {2}05:00 +1 +1,200 +1,199 +1 +0 +0 {2}schema {2}not ended$/m)
    expect(text.split('\n')[0]).toMatch(/2026-02-10T05 \(not ended\)$/)
  })

  it.each([
    ['error', '✖ failed: 0 errors, 1 warning (--fail-on warning)', 'warning'],
    ['never', '✔ passed with 0 errors, 1 warning (--fail-on never)', 'never'],
  ] as const)('states the verdict under --fail-on %s', (_, verdict, failOn) => {
    const late = finding('late-arrival', {hour: '2026-02-10T05', key: 'k', count: 1, message: 'late'})
    expect(terminalReport(report([late]), failOn, {color: false}).trimEnd().split('\n').pop()).toBe(verdict)
  })

  it('shows the first 20 findings of a check and counts the rest', () => {
    const stray = Array.from({length: 25}, (_, i) => finding('unexpected-key', {hour: null, key: `junk-${i}`, count: 1, message: `junk-${i} does not fit`}))
    const text = terminalReport(report(stray), 'error', {color: false})
    expect(text).toContain('junk-19 does not fit')
    expect(text).not.toContain('junk-20 does not fit')
    expect(text).toContain('… and 5 more unexpected-key findings (--json lists every one)')
  })

  it('prints no colour codes unless asked to', () => {
    expect(terminalReport(report([]), 'error', {color: false})).not.toContain('\u001b[')
    expect(terminalReport(report([]), 'error', {color: true})).toContain('\u001b[32m')
  })
})
