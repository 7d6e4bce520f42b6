import {describe, expect, it} from 'vitest'
import {type CheckReport, type Finding, finding} from '../report/report.js'
import {DEFAULT_TEST_LIMITS} from '../report/test-support/check-report.js'
import {headline, notifySummary, scopeLabel, summaryText} from './notify-summary.js'

function hours(day: string, count = 24): CheckReport['hours'] {
  return Array.from({length: count}, (_, h) => ({
    hour: `${day}T${String(h).padStart(2, '0')}`, objects: 1, bytes: 40, records: 10, valid: 10, invalid: 0, duplicateRecords: 0, ended: true, canary: 0, baseline: null, learning: false, lag: null,
  }))
}

function report(findings: Finding[], ok = findings.every((f) => f.severity !== 'error')): CheckReport {
  return {
    ok,
    scope: {from: '2026-02-10T00:00:00.000Z', to: '2026-02-11T00:00:00.000Z'},
    lake: 's3://my-bucket/events/',
    limits: DEFAULT_TEST_LIMITS,
    summary: {objects: 24, bytes: 1000, records: 240, valid: 240, invalid: 0, unparseable: 0, duplicateRecords: 0},
    hours: hours('2026-02-10'),
    findings,
  }
}

const late = (hour: string) => finding('late-arrival', {hour, key: `k-${hour}`, count: 1, message: `k-${hour} arrived late`})
const gap = (hour: string) => finding('gap', {hour, key: null, count: 0, message: `hour ${hour} has no objects`})

describe('notifySummary', () => {
  it('puts the findings that fail first, errors before warnings, then keeps the report order', () => {
    const summary = notifySummary(report([late('2026-02-10T01'), gap('2026-02-10T05'), late('2026-02-10T02'), gap('2026-02-10T03')]), 'error', {top: 3})
    expect(summary.top.map((f) => `${f.check} ${f.hour}`)).toEqual(['gap 2026-02-10T05', 'gap 2026-02-10T03', 'late-arrival 2026-02-10T01'])
    expect(summary.more).toBe(1)
    expect(summary).toMatchObject({verdict: 'failed', errors: 2, warnings: 2, scope: '2026-02-10'})
  })

  it.each([
    [[], 'error', 'clean', 'pixel check ok: 2026-02-10, no findings'],
    [[late('2026-02-10T01')], 'error', 'passed', 'pixel check passed: 2026-02-10, 0 errors, 1 warning'],
    [[late('2026-02-10T01')], 'warning', 'failed', 'pixel check failed: 2026-02-10, 0 errors, 1 warning'],
    [[gap('2026-02-10T01')], 'never', 'passed', 'pixel check passed: 2026-02-10, 1 error, 0 warnings'],
  ] as const)('says %j under --fail-on %s is %s', (findings, failOn, verdict, line) => {
    const summary = notifySummary(report([...findings]), failOn)
    expect(summary.verdict).toBe(verdict)
    expect(headline(summary)).toBe(line)
  })
})

describe('scopeLabel', () => {
  it.each([
    [{from: '2026-02-10T05:00:00.000Z', to: '2026-02-10T06:00:00.000Z'}, hours('2026-02-10').slice(5, 6), '2026-02-10T05'],
    [{from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z'}, hours('2026-02-01', 28 * 24), '2026-02-01 to 2026-02-28'],
  ])('names %j as it reads', (scope, hourList, label) => {
    expect(scopeLabel({scope, hours: hourList})).toBe(label)
  })
})

describe('summaryText', () => {
  it('keeps a hostile message on its line, with its control characters visible', () => {
    const hostile = finding('unexpected-key', {hour: '2026-02-10T01', key: 'a\nb', count: 1, message: 'a\nFAKE: all good\u001b[2J does not fit'})
    const text = summaryText(notifySummary(report([hostile]), 'warning', {reportUrl: 'https://ci.example.com/run/1'}))
    expect(text.split('\n')).toContain('- warning unexpected-key 2026-02-10T01: a\\x0aFAKE: all good\\x1b[2J does not fit')
    expect(text).toMatch(/\nReport: https:\/\/ci\.example\.com\/run\/1$/)
    expect(text).not.toContain('\u001b')
  })
})
