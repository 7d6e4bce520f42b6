import type {CheckReport, Severity} from '../report/report.js'
import {DeliveryError} from './errors.js'
import {notifySummary} from './notify-summary.js'
import type {NotifyTarget} from './notify-target.js'
import {sendSlack} from './slack-target.js'
import {sendWebhook} from './webhook-target.js'

/** What became of one target, as `--json` lists it under `notifications`. */
export interface NotificationResult {
  /** The target with its secret redacted: `slack:https://hooks.slack.com/…`. */
  target: string
  /** False only when sending was tried and failed. */
  ok: boolean
  /** `sent`, `failed`, or `skipped` (the verdict did not reach --fail-on under `--notify-on failure`). */
  status: 'sent' | 'failed' | 'skipped'
  /** Attempts made, 0 when skipped. */
  attempts: number
  /** Why the last attempt failed, redacted; null unless `failed`. */
  error: string | null
}

export interface NotifyOptions {
  targets: NotifyTarget[]
  /** `failure`: only when the report is not ok (a finding reaches --fail-on); `always`: every time. */
  when: 'failure' | 'always'
  failOn: Severity | 'never'
  /** A link to the report for Slack and SNS, e.g. the CI run's artifacts. */
  reportUrl?: string
  /** Milliseconds one attempt may take, the answer's body included. @default 10000 */
  timeoutMs?: number
  /** Attempts per target, the first included. @default 3 */
  attempts?: number
  /** Milliseconds before the second attempt, doubling after each. @default 500 */
  backoffMs?: number
  /** How to reach SNS. */
  sns?: {profile?: string; endpointUrl?: string}
}

/** The longest wait a Retry-After header may ask for: a nightly job must end. */
const MAX_RETRY_AFTER_MS = 10_000

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Sends the report to every target at once, each retried with backoff on failures that another
 * attempt can mend; never throws: each target's outcome is in the result, in the targets' order.
 *
 * @example
 * const results = await sendNotifications(report, {targets, when: 'failure', failOn: 'error'})
 * for (const r of results) if (!r.ok) console.error(`Warning: notification to ${r.target} failed: ${r.error}`)
 */
export async function sendNotifications(report: CheckReport, options: NotifyOptions): Promise<NotificationResult[]> {
  const send = options.when === 'always' || !report.ok
  const timeoutMs = options.timeoutMs ?? 10_000
  const attempts = options.attempts ?? 3
  const backoffMs = options.backoffMs ?? 500
  const summary = notifySummary(report, options.failOn, {top: 5, reportUrl: options.reportUrl})
  const once = async (target: NotifyTarget): Promise<void> => {
    // The AWS SDK is loaded only when there is a topic to publish to.
    if (target.kind === 'sns') return (await import('./sns-target.js')).sendSns(target, summary, {...options.sns, timeoutMs})
    if (target.kind === 'slack') return sendSlack(target, summary, {timeoutMs})
    return sendWebhook(target, report, {timeoutMs})
  }
  return Promise.all(
    options.targets.map(async (target): Promise<NotificationResult> => {
      if (!send) return {target: target.label, ok: true, status: 'skipped', attempts: 0, error: null}
      let error = ''
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          await once(target)
          return {target: target.label, ok: true, status: 'sent', attempts: attempt, error: null}
        } catch (caught) {
          // Anything but a DeliveryError is a bug in pixel: still a warning, never a lost report.
          const failure = caught instanceof DeliveryError ? caught : new DeliveryError(`internal error: ${(caught as Error).name ?? 'error'}`, false)
          error = failure.message
          if (!failure.retryable || attempt === attempts) return {target: target.label, ok: false, status: 'failed', attempts: attempt, error}
          await sleep(Math.min(MAX_RETRY_AFTER_MS, Math.max(failure.retryAfterMs ?? 0, backoffMs * 2 ** (attempt - 1))))
        }
      }
      return {target: target.label, ok: false, status: 'failed', attempts, error}
    }),
  )
}

/**
 * The one warning line for a failed notification.
 *
 * @example notificationWarning(result) // 'notification to slack:https://hooks.slack.com/… failed after 3 attempts: answered 500 …'
 */
export function notificationWarning(result: NotificationResult): string {
  return `notification to ${result.target} failed after ${result.attempts} attempt${result.attempts === 1 ? '' : 's'}: ${result.error}; the report and the exit code are unaffected`
}
