import {describe, expect, it} from 'vitest'
import {InvalidNotifyTargetError} from './errors.js'
import {notifyTargets, parseNotifyTarget} from './notify-target.js'

const SECRET = 'T0SECRET/B0SECRET/xoxSecretToken42'

describe('parseNotifyTarget', () => {
  describe.each([
    ['sns:arn:aws:sns:eu-west-1:123456789012:pixel-alerts', {kind: 'sns', region: 'eu-west-1', fifo: false, label: 'sns:arn:aws:sns:eu-west-1:123456789012:pixel-alerts'}],
    ['sns:arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts.fifo', {kind: 'sns', region: 'us-gov-west-1', fifo: true}],
    [`slack:https://hooks.slack.com/services/${SECRET}`, {kind: 'slack', label: 'slack:https://hooks.slack.com/…'}],
    ['webhook:https://alerts.example.com/', {kind: 'webhook', label: 'webhook:https://alerts.example.com/'}],
    ['webhook:https://user:pass@alerts.example.com/in?token=abc', {kind: 'webhook', label: 'webhook:https://alerts.example.com/…'}],
    ['webhook:http://127.0.0.1:8080/hook', {kind: 'webhook', label: 'webhook:http://127.0.0.1:8080/…'}],
    ['slack:http://localhost:3000/x', {kind: 'slack', label: 'slack:http://localhost:3000/…'}],
    ['  webhook:http://[::1]:9/x\n', {kind: 'webhook', label: 'webhook:http://[::1]:9/…'}],
  ])('%s', (text, expected) => {
    it('is accepted and labelled without its secret', () => {
      expect(parseNotifyTarget(text)).toMatchObject(expected)
    })
  })

  describe.each([
    ['', /--notify is empty/],
    ['email:oncall@example.com', /--notify "email:…" is not a target pixel knows: use sns:ARN/],
    ['sns:arn:aws:s3:::bucket', /is not an SNS topic ARN/],
    ['sns:arn:aws:sns:eu-west-1:12345:short-account', /is not an SNS topic ARN/],
    ['sns:pixel-alerts', /is not an SNS topic ARN/],
    [`slack:hooks.slack.com/services/${SECRET}`, /--notify slack:… is not a URL/],
    [`slack:http://hooks.slack.com/services/${SECRET}`, /plain http to another machine.*use https:\/\//],
    [`webhook:http://10.0.0.8/${SECRET}`, /plain http to another machine/],
    [`webhook:ftp://example.com/${SECRET}`, /is not an http\(s\) URL/],
    [`webhook:https://example.com/in#${SECRET}`, /#fragment/],
    [`https://hooks.slack.com/services/${SECRET}`, /does not say what it is: put slack: or webhook: before it, e.g. slack:https:\/\/hooks.slack.com\/…/],
  ])('%j', (text, message) => {
    it('is refused with one line that names no secret', () => {
      let error: unknown
      try {
        parseNotifyTarget(text)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(InvalidNotifyTargetError)
      const line = (error as Error).message
      expect(line).toMatch(message)
      expect(line).not.toContain('\n')
      for (const piece of SECRET.split('/')) expect(line).not.toContain(piece)
    })
  })
})

describe('notifyTargets', () => {
  const a = 'webhook:https://a.example.com/x'
  const b = 'webhook:https://b.example.com/y'
  it('takes the flags over PIXEL_NOTIFY and the config file', () => {
    expect(notifyTargets([a], b, b).map((t) => t.kind === 'webhook' && t.url.host)).toEqual(['a.example.com'])
  })

  it('splits PIXEL_NOTIFY on spaces and newlines, over the config file', () => {
    expect(notifyTargets(undefined, ` ${a}\n${b} `, [a]).map((t) => t.kind === 'webhook' && t.url.host)).toEqual(['a.example.com', 'b.example.com'])
  })

  it('reads the config file as one target or several', () => {
    expect(notifyTargets([], '', a)).toHaveLength(1)
    expect(notifyTargets(undefined, undefined, [a, b])).toHaveLength(2)
    expect(notifyTargets(undefined, undefined, undefined)).toEqual([])
  })
})
