import {escapeTerminal} from '../checks/report/escape-text.js'
import type {ReplayResult} from './run-replay.js'
import type {ReplayVerification} from './verify-replay.js'

const LABELS = [
  ['read', 'read'],
  ['sent', 'sent'],
  ['skippedDuplicate', 'skipped (already there)'],
  ['invalid', 'invalid'],
  ['outOfHour', 'outside the hour'],
  ['oversize', 'over 1,000 KiB'],
  ['failed', 'failed'],
] as const

function show(value: unknown): string {
  return value === undefined ? '(none)' : escapeTerminal(JSON.stringify(value))
}

/**
 * The text report of a replay: the samples (a dry run), the records left out and why, the
 * account, the failures, and the verification. Every record field is escaped for the terminal.
 *
 * @example process.stdout.write(replayReportText(result, {dryRun: false, target: 'firehose pixel-events'}))
 */
export function replayReportText(result: ReplayResult, context: {dryRun: boolean; target: string; ledger?: string; verification?: ReplayVerification}): string {
  const {account} = result
  const lines: string[] = []
  lines.push(`${context.dryRun ? 'pixel replay (dry run: nothing sent)' : 'pixel replay'} into ${result.hour} via ${context.target}, replay_id ${result.replayId}`)
  lines.push(`  ${result.inLake} ids already in the hour, ${result.inLedger} in the ledger${context.ledger ? ` ${escapeTerminal(context.ledger)}` : ''}`)
  if (context.dryRun && result.samples.length > 0) {
    lines.push('', 'samples:')
    for (const s of result.samples) {
      lines.push(`  ${escapeTerminal(s.origin)}: ${s.verdict === 'send' ? 'would be sent' : `${s.verdict}${s.reason ? `: ${escapeTerminal(s.reason)}` : ''}`}`)
      lines.push(`    before ${show(s.before)}`)
      if (s.after !== undefined) lines.push(`    after  ${show(s.after)}`)
    }
  }
  if (result.refused.length > 0) {
    lines.push('', `left out (first ${result.refused.length}):`)
    for (const r of result.refused) lines.push(`  ${r.verdict} ${escapeTerminal(r.origin)}: ${escapeTerminal(r.reason)}`)
  }
  lines.push('', context.dryRun ? 'account (what would happen):' : 'account:')
  for (const [key, label] of LABELS) lines.push(`  ${label.padEnd(24)} ${String(account[key]).padStart(9)}`)
  const failures = Object.entries(result.failures)
  if (failures.length > 0) lines.push('', `failed: ${failures.map(([reason, n]) => `${n} ${escapeTerminal(reason)}`).join(', ')}; run the same command again to resume`)
  const v = context.verification
  if (v) {
    const errors = v.check.findings.filter((f) => f.severity === 'error')
    lines.push('', `verify: ${v.ok ? 'ok' : 'FAILED'}: ${v.missing} acknowledged records missing from the hour; pixel check --hour: ${v.check.summary.records} records, ${errors.length} error findings${errors.length > 0 ? ` (${errors.map((f) => f.check).join(', ')})` : ''}`)
  }
  return `${lines.join('\n')}\n`
}
