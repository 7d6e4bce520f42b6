import {describe, expect, it} from 'vitest'
import {type CheckReport, finding} from '../report/report.js'
import {DEFAULT_TEST_LIMITS} from '../report/test-support/check-report.js'
import {notifySummary} from './notify-summary.js'
import {escapeSlack, slackMessage} from './slack-target.js'

const KEY = 'year=2026/month=02/day=10/hour=20/<!channel> & `rm`<http://evil.example|click>.txt'

function report(): CheckReport {
  return {
    ok: false,
    scope: {from: '2026-02-10T20:00:00.000Z', to: '2026-02-10T21:00:00.000Z'},
    lake: 's3://my-bucket/events/',
    limits: DEFAULT_TEST_LIMITS,
    summary: {objects: 3, bytes: 30, records: 12, valid: 12, invalid: 0, unparseable: 0, duplicateRecords: 0},
    hours: [{hour: '2026-02-10T20', objects: 3, bytes: 30, records: 12, valid: 12, invalid: 0, duplicateRecords: 0, ended: true, canary: 0, baseline: null, learning: false, lag: null}],
    findings: [finding('unexpected-key', {hour: '2026-02-10T20', key: KEY, count: 1, message: `${KEY} does not fit the layout; it was not read`})],
  }
}

describe('escapeSlack', () => {
  it('escapes the three characters Slack mrkdwn reads as markup, and control characters', () => {
    expect(escapeSlack('<!here> a&b <@U1>\n')).toBe('&lt;!here&gt; a&amp;b &lt;@U1&gt;\\x0a')
  })
})

describe('slackMessage', () => {
  const message = slackMessage(notifySummary(report(), 'warning', {reportUrl: 'https://ci.example.com/runs/1?a=1&b=2'}))
  const json = JSON.stringify(message)

  it('leads with the verdict and the counts', () => {
    expect(message.blocks[0]).toEqual({type: 'header', text: {type: 'plain_text', text: '✖ pixel check failed: 2026-02-10T20', emoji: true}})
    expect(message.blocks[1]).toMatchObject({type: 'section', fields: [{text: '*Errors*\n0'}, {text: '*Warnings*\n1'}, {text: '*Records*\n12'}, {text: '*Objects*\n3'}]})
    expect(message.text).toBe('pixel check failed: 2026-02-10T20, 0 errors, 1 warning (s3://my-bucket/events/) https://ci.example.com/runs/1?a=1&amp;b=2')
  })

  it('shows a hostile key as escaped code that starts no mention, link or code span of its own', () => {
    const findings = (message.blocks[2] as {text: {text: string}}).text.text
    expect(findings).toContain('`year=2026/month=02/day=10/hour=20/&lt;!channel&gt; &amp; ˋrmˋ&lt;http://evil.example|click&gt;.txt`')
    expect(json).not.toContain('<!channel>')
    expect(json).not.toContain('<http://evil')
  })

  it('links to the report', () => {
    expect(message.blocks).toContainEqual({type: 'section', text: {type: 'mrkdwn', text: '<https://ci.example.com/runs/1?a=1&amp;b=2|Open the report>'}})
  })

  it('keeps within Slack\'s limits for a storm of long findings', () => {
    const storm = report()
    storm.findings = Array.from({length: 500}, (_, i) => finding('schema', {hour: '2026-02-10T20', key: null, count: 1, message: `${i} ${'x'.repeat(5000)}`}))
    const big = slackMessage(notifySummary(storm, 'error', {top: 20}))
    for (const block of big.blocks as {type: string; text?: {text: string}}[]) {
      if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000)
    }
    expect((big.blocks[2] as {text: {text: string}}).text.text).toMatch(/… and \d+ more$/)
  })
})
