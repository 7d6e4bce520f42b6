import {InvalidNotifyTargetError} from './errors.js'
import {redactUrl} from './redact-url.js'

/** An SNS topic, published to through the SDK in the topic's own region. */
export interface SnsTarget {
  kind: 'sns'
  arn: string
  region: string
  /** FIFO topics need a message group and a deduplication id. */
  fifo: boolean
  /** The target as it may be printed (an ARN is no secret). */
  label: string
}

/** A Slack incoming webhook (or a server that speaks its payload: Mattermost, Rocket.Chat). */
export interface SlackTarget {
  kind: 'slack'
  url: URL
  label: string
}

/** Any HTTP endpoint that takes the JSON report in a POST. */
export interface WebhookTarget {
  kind: 'webhook'
  url: URL
  label: string
}

export type NotifyTarget = SnsTarget | SlackTarget | WebhookTarget

export const NOTIFY_KINDS = ['sns', 'slack', 'webhook'] as const

const USE = 'use sns:ARN, slack:https://… or webhook:https://…'

// arn:PARTITION:sns:REGION:ACCOUNT:TOPIC; a topic name is at most 256 characters, ".fifo" included.
const SNS_ARN = /^arn:(aws(?:-[a-z]+)*):sns:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):([A-Za-z0-9_-]{1,256}?)(\.fifo)?$/

/** True for a host on this machine: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
}

function parseSns(arn: string, given: string): SnsTarget {
  const match = SNS_ARN.exec(arn)
  if (!match || match[4].length + (match[5]?.length ?? 0) > 256) {
    throw new InvalidNotifyTargetError(`--notify "${given}" is not an SNS topic ARN: use sns:arn:aws:sns:REGION:ACCOUNT:TOPIC, e.g. sns:arn:aws:sns:eu-west-1:123456789012:pixel-alerts`)
  }
  return {kind: 'sns', arn, region: match[2], fifo: match[5] !== undefined, label: `sns:${arn}`}
}

function parseUrl(kind: 'slack' | 'webhook', text: string): SlackTarget | WebhookTarget {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    // The text may be a secret with a typo: name only the kind.
    throw new InvalidNotifyTargetError(`--notify ${kind}:… is not a URL: use ${kind}:https://HOST/PATH`)
  }
  const label = `${kind}:${redactUrl(url)}`
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new InvalidNotifyTargetError(`--notify ${label} is plain http to another machine, which would send the report (and the URL's secret) unencrypted: use https:// (http:// only to 127.0.0.1, ::1 or localhost)`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidNotifyTargetError(`--notify ${kind}:${url.protocol}… is not an http(s) URL: use ${kind}:https://HOST/PATH`)
  }
  if (url.hash !== '') throw new InvalidNotifyTargetError(`--notify ${label} has a #fragment, which is never sent to a server: leave it out`)
  return {kind, url, label} as SlackTarget | WebhookTarget
}

/**
 * Reads one `--notify` target: `sns:ARN`, `slack:URL` or `webhook:URL`. URLs must be https
 * (plain http only to this machine, for tests and local relays). Errors name the target with
 * its secret redacted, never the text as given.
 *
 * @example parseNotifyTarget('slack:https://hooks.slack.com/services/T0/B0/XyZ').label // 'slack:https://hooks.slack.com/…'
 */
export function parseNotifyTarget(text: string): NotifyTarget {
  const given = text.trim()
  const colon = given.indexOf(':')
  const kind = colon > 0 ? given.slice(0, colon) : ''
  const rest = given.slice(colon + 1)
  if (kind === 'sns') return parseSns(rest, given)
  if (kind === 'slack' || kind === 'webhook') return parseUrl(kind, rest)
  if (given === '') throw new InvalidNotifyTargetError(`--notify is empty: ${USE}`)
  // A URL without its kind (a pasted Slack webhook) must not be printed whole either.
  let url: URL | undefined
  try {
    url = new URL(given)
  } catch {
    url = undefined
  }
  if (url && (url.protocol === 'https:' || url.protocol === 'http:')) {
    const hint = url.hostname === 'hooks.slack.com' ? 'slack' : 'webhook'
    throw new InvalidNotifyTargetError(`--notify ${redactUrl(url)} does not say what it is: put slack: or webhook: before it, e.g. ${hint}:${redactUrl(url)}`)
  }
  const shown = /^[a-z][a-z0-9+.-]{0,19}$/i.test(kind) ? `"${kind}:…"` : 'target'
  throw new InvalidNotifyTargetError(`--notify ${shown} is not a target pixel knows: ${USE}`)
}

/**
 * Reads the targets to notify: `--notify` flags win, then `PIXEL_NOTIFY` (targets separated by
 * spaces or newlines, so that one repository secret can hold several), then `notify` in the
 * config file. Every target is checked; the first bad one throws.
 *
 * @example notifyTargets(flags.notify, process.env.PIXEL_NOTIFY, config.notify)
 */
export function notifyTargets(flags: string[] | undefined, env: string | undefined, config: string | string[] | undefined): NotifyTarget[] {
  const texts = flags && flags.length > 0 ? flags : env && env.trim() !== '' ? env.trim().split(/\s+/) : config === undefined ? [] : [config].flat()
  return texts.map(parseNotifyTarget)
}
