import {escapeXml} from './escape-text.js'
import {CHECKS, type CheckReport, type Finding, SCOPE_CHECKS, type Severity, failsOn} from './report.js'

function details(findings: Finding[]): string {
  return findings
    .flatMap((f) => [f.message, ...f.samples.map((s) => `  ${s.key}${s.index === null ? '' : `#${s.index}`}${s.pointer ? ` ${s.pointer}` : ''}: ${s.message}`)])
    .join('\n')
}

/**
 * Renders a report as JUnit XML for CI: one test suite per check and one test case per check per
 * hour (one for the whole scope for a check such as schema-drift), failed where a finding reaches
 * `failOn`; findings below it are kept as system-out.
 *
 * @example await writeFile('pixel-check.xml', junitReport(report, 'error'))
 */
export function junitReport(report: CheckReport, failOn: Severity | 'never'): string {
  const hours: (string | null)[] = report.hours.map((h) => h.hour)
  if (report.findings.some((f) => f.hour === null)) hours.push(null)
  const suites: string[] = []
  let tests = 0
  let failures = 0
  for (const check of CHECKS) {
    const cases: string[] = []
    let suiteFailures = 0
    for (const hour of SCOPE_CHECKS.includes(check) ? [null] : hours) {
      const found = report.findings.filter((f) => f.check === check && f.hour === hour)
      if (hour === null && found.length === 0 && !SCOPE_CHECKS.includes(check)) continue
      const failing = found.filter((f) => failsOn(f, failOn))
      const name = escapeXml(`${check} ${hour ?? (SCOPE_CHECKS.includes(check) ? '(scope)' : '(no hour)')}`)
      let body = ''
      if (failing.length > 0) {
        suiteFailures++
        const message = escapeXml(failing.length === 1 ? failing[0].message : `${failing.length} findings: ${failing[0].message}`)
        body += `<failure type="${failing[0].severity}" message="${message}">${escapeXml(details(failing))}</failure>`
      }
      const passing = found.filter((f) => !failsOn(f, failOn))
      if (passing.length > 0) body += `<system-out>${escapeXml(details(passing))}</system-out>`
      cases.push(`    <testcase classname="pixel.check.${check}" name="${name}" time="0">${body}</testcase>`)
    }
    tests += cases.length
    failures += suiteFailures
    suites.push(`  <testsuite name="${check}" tests="${cases.length}" failures="${suiteFailures}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>`)
  }
  const name = escapeXml(`pixel check ${report.lake} ${report.scope.from}`)
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${name}" tests="${tests}" failures="${failures}" errors="0">\n${suites.join('\n')}\n</testsuites>\n`
}
