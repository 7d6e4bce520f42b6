import {describe, expect, it} from 'vitest'
import {junitReport} from './junit-report.js'
import {type CheckReport, type Finding, finding} from './report.js'
import {DEFAULT_TEST_LIMITS} from './test-support/check-report.js'

const hours = ['2026-02-10T05', '2026-02-10T06']
function report(findings: Finding[]): CheckReport {
  return {
    ok: false,
    scope: {from: '2026-02-10T05:00:00.000Z', to: '2026-02-10T07:00:00.000Z'},
    lake: 's3://b/events/',
    limits: DEFAULT_TEST_LIMITS,
    summary: {objects: 0, bytes: 0, records: 0, valid: 0, invalid: 0, unparseable: 0, duplicateRecords: 0},
    hours: hours.map((hour) => ({hour, objects: 0, bytes: 0, records: 0, valid: 0, invalid: 0, duplicateRecords: 0, ended: true, canary: 0, baseline: null, learning: false, lag: null})),
    findings,
  }
}

describe('junitReport', () => {
  const gap = finding('gap', {hour: '2026-02-10T06', key: null, count: 0, message: 'hour 06 has <no> objects'})
  const stray = finding('unexpected-key', {hour: null, key: '_SUCCESS', count: 1, message: '_SUCCESS does not fit'})

  it('has one test case per check per hour, and one more for findings of no hour', () => {
    const xml = junitReport(report([gap, stray]), 'error')
    // 14 checks judged per hour, schema-drift once for the scope, and the stray key's case.
    expect(xml.match(/<testcase /g)).toHaveLength(14 * 2 + 1 + 1)
    expect(xml).toMatch(/<testsuites name="[^"]*" tests="30" failures="1" errors="0">/)
  })

  it('carries the new checks like the old: a failed volume case, a drift case for the scope', () => {
    const drop = finding('volume', {hour: '2026-02-10T05', key: null, count: 9, message: 'hour 05 holds 9 real records, 0.25x its baseline'})
    const drift = finding('schema-drift', {hour: null, key: null, count: 0, message: 'field /page_url is null in 90% of records'})
    const xml = junitReport(report([drop, drift]), 'error')
    expect(xml).toContain('<testcase classname="pixel.check.volume" name="volume 2026-02-10T05" time="0"><failure type="error"')
    expect(xml).toContain('<testcase classname="pixel.check.schema-drift" name="schema-drift (scope)" time="0"><system-out>field /page_url is null in 90% of records')
    expect(xml).toContain('<testcase classname="pixel.check.canary-missing" name="canary-missing 2026-02-10T06" time="0"></testcase>')
  })

  it('fails the case of an error finding, escaping its message', () => {
    expect(junitReport(report([gap]), 'error')).toContain(
      '<testcase classname="pixel.check.gap" name="gap 2026-02-10T06" time="0"><failure type="error" message="hour 06 has &lt;no&gt; objects">',
    )
  })

  it('keeps a warning below --fail-on as output of a passing case', () => {
    const xml = junitReport(report([stray]), 'error')
    expect(xml).toContain('name="unexpected-key (no hour)" time="0"><system-out>_SUCCESS does not fit')
    expect(xml).not.toContain('<failure')
  })

  it('fails the warning case under --fail-on warning', () => {
    expect(junitReport(report([stray]), 'warning')).toContain('<failure type="warning" message="_SUCCESS does not fit">')
  })
})
