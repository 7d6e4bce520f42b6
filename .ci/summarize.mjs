// Prints the closing line CI reads, "N passed, N failed", summed over vitest's JSON reports (one
// per Node version the suite ran on). A report that is missing counts as one failure.
import {readFileSync} from 'node:fs'

let passed = 0
let failed = 0
let skipped = 0
for (const file of process.argv.slice(2)) {
  let report
  try {
    report = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    console.log(`no test results in ${file} (${error.message})`)
    failed += 1
    continue
  }
  // A file that fails to load counts as a failure even though it ran no test.
  const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length
  passed += report.numPassedTests
  failed += report.numFailedTests + brokenFiles
  skipped += report.numPendingTests
}
if (skipped > 0) console.log(`${skipped} skipped`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
