import {escapeTerminal} from '../report/escape-text.js'
import {type NotifySummary, clip, headline} from './notify-summary.js'
import {postJson} from './http-post.js'
import type {SlackTarget} from './notify-target.js'

/**
 * Makes text safe inside Slack mrkdwn: `&`, `<` and `>` are the three characters Slack asks to
 * escape (a `<` would start a link or a `<!channel>` mention); control characters become
 * visible `\xNN`, as on a terminal.
 *
 * @example escapeSlack('<!channel> & co') // '&lt;!channel&gt; &amp; co'
 */
export function escapeSlack(text: string): string {
  return escapeTerminal(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Text shown as code (keys, the lake), which a backquote inside it would end early. */
function code(text: string): string {
  return `\`${escapeSlack(text).replace(/`/g, 'ˋ')}\``
}

/** A finding's message with its key shown as code, so that it can be copied exactly. */
function findingLine(f: NotifySummary['top'][number]): string {
  const where = f.hour ? ` ${f.hour}` : ''
  const message = clip(f.message, 400)
  const text = f.key && message.includes(f.key) ? message.split(f.key).map(escapeSlack).join(code(f.key)) : escapeSlack(message)
  return `• ${f.severity === 'error' ? ':x:' : ':warning:'} *${f.check}*${where}: ${text}`
}

// Slack's limits: a header's text 150 characters, a section's 3000, a link's URL 3000.
const HEADER_MAX = 150
const SECTION_MAX = 3000

/**
 * The Slack message for a summary: a header with the verdict, the counts, the top findings with
 * their keys as code, a link to the report when there is one, and a plain `text` for
 * notifications and clients that show no blocks. Every lake-controlled string is escaped.
 *
 * @example await postJson(target.url, JSON.stringify(slackMessage(summary)), {timeoutMs})
 */
export function slackMessage(summary: NotifySummary): {text: string; blocks: object[]} {
  const icon = summary.verdict === 'failed' ? '✖' : '✔'
  const blocks: object[] = [
    {type: 'header', text: {type: 'plain_text', text: clip(`${icon} ${headline(summary).replace(/, .*$/, '')}`, HEADER_MAX), emoji: true}},
    {
      type: 'section',
      fields: [
        {type: 'mrkdwn', text: `*Errors*\n${summary.errors.toLocaleString('en-US')}`},
        {type: 'mrkdwn', text: `*Warnings*\n${summary.warnings.toLocaleString('en-US')}`},
        {type: 'mrkdwn', text: `*Records*\n${summary.records.toLocaleString('en-US')}`},
        {type: 'mrkdwn', text: `*Objects*\n${summary.objects.toLocaleString('en-US')}`},
      ],
    },
  ]
  if (summary.top.length > 0) {
    const lines = ['*Top findings*']
    for (const f of summary.top) {
      const line = findingLine(f)
      if (lines.join('\n').length + line.length + 40 > SECTION_MAX) break
      lines.push(line)
    }
    const more = summary.more + summary.top.length - (lines.length - 1)
    if (more > 0) lines.push(`… and ${more.toLocaleString('en-US')} more`)
    blocks.push({type: 'section', text: {type: 'mrkdwn', text: lines.join('\n')}})
  }
  if (summary.reportUrl) {
    // A link, not a button: a button in an incoming webhook's message shows an error when clicked without an app behind it.
    const href = summary.reportUrl.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C')
    blocks.push({type: 'section', text: {type: 'mrkdwn', text: `<${href}|Open the report>`}})
  }
  blocks.push({type: 'context', elements: [{type: 'mrkdwn', text: `lake ${code(summary.lake)} · --fail-on ${summary.failOn}`}]})
  const text = escapeSlack(`${headline(summary)} (${summary.lake})${summary.reportUrl ? ` ${summary.reportUrl}` : ''}`)
  return {text: clip(text, SECTION_MAX), blocks}
}

/** Sends one Slack message; throws a DeliveryError as postJson does. */
export async function sendSlack(target: SlackTarget, summary: NotifySummary, options: {timeoutMs: number}): Promise<void> {
  await postJson(target.url, JSON.stringify(slackMessage(summary)), options)
}
