import type {CheckReport} from '../report/report.js'
import {postJson} from './http-post.js'
import type {WebhookTarget} from './notify-target.js'

/**
 * POSTs the JSON report, the same document `pixel check --json` prints, as application/json;
 * throws a DeliveryError as postJson does.
 *
 * @example await sendWebhook(target, report, {timeoutMs: 10_000})
 */
export async function sendWebhook(target: WebhookTarget, report: CheckReport, options: {timeoutMs: number}): Promise<void> {
  await postJson(target.url, JSON.stringify(report), options)
}
