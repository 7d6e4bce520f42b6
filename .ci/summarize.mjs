// Prints the closing line CI reads, "N passed, N failed", from vitest's JSON report.
import {readFileSync} from 'node:fs'

let report
try {
  report = JSON.parse(readFileSync(process.argv[2], 'utf8'))
} catch (error) {
  console.log(`no test results (${error.message})`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}
// A file that fails to load counts as a failure even though it ran no test.
const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length
const failed = report.numFailedTests + brokenFiles
console.log(`${report.numPassedTests} passed, ${failed} failed${report.numPendingTests ? `, ${report.numPendingTests} skipped` : ''}`)
process.exit(failed > 0 || report.numPassedTests === 0 ? 1 : 0)
