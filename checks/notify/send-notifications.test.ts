import {CreateTopicCommand, SNSClient} from '@aws-sdk/client-sns'
import {afterEach, beforeEach, describe, expect, inject, it, vi} from 'vitest'
import {MOTO_CREDENTIALS} from '../../fixtures/test-support/moto-server.js'
import {startReceiver} from '../../fixtures/test-support/http-receiver.js'
import {type CheckReport, finding} from '../report/report.js'
import {DEFAULT_TEST_LIMITS} from '../report/test-support/check-report.js'
import {parseNotifyTarget} from './notify-target.js'
import {notificationWarning, sendNotifications} from './send-notifications.js'

const SECRET_PATH = '/services/T0SECRET/B0SECRET/xoxSecretToken42'

function report(ok: boolean): CheckReport {
  return {
    ok,
    scope: {from: '2026-02-10T00:00:00.000Z', to: '2026-02-11T00:00:00.000Z'},
    lake: 's3://my-bucket/events/',
    limits: DEFAULT_TEST_LIMITS,
    summary: {objects: 1, bytes: 10, records: 5, valid: 5, invalid: 0, unparseable: 0, duplicateRecords: 0},
    hours: [],
    findings: ok ? [] : [finding('gap', {hour: '2026-02-10T13', key: null, count: 0, message: 'hour 2026-02-10T13 has no objects'})],
  }
}

const fast = {failOn: 'error' as const, backoffMs: 10, timeoutMs: 2_000}

describe('sendNotifications over HTTP', () => {
  it('sends once to each target when the report fails, and reports each as sent', async () => {
    const receiver = await startReceiver({status: 200, body: 'ok'})
    const targets = [parseNotifyTarget(`slack:${receiver.origin}${SECRET_PATH}`), parseNotifyTarget(`webhook:${receiver.origin}/hook`)]
    const results = await sendNotifications(report(false), {...fast, targets, when: 'failure'})
    expect(results).toEqual([
      {target: `slack:${receiver.origin}/…`, ok: true, status: 'sent', attempts: 1, error: null},
      {target: `webhook:${receiver.origin}/…`, ok: true, status: 'sent', attempts: 1, error: null},
    ])
    expect(receiver.requests.map((r) => r.url).sort()).toEqual(['/hook', SECRET_PATH])
  })

  it('skips a report that passes under --notify-on failure, and sends it under always', async () => {
    const receiver = await startReceiver({status: 204})
    const targets = [parseNotifyTarget(`webhook:${receiver.origin}/hook`)]
    expect(await sendNotifications(report(true), {...fast, targets, when: 'failure'})).toEqual([{target: `webhook:${receiver.origin}/…`, ok: true, status: 'skipped', attempts: 0, error: null}])
    expect(receiver.requests).toHaveLength(0)
    expect((await sendNotifications(report(true), {...fast, targets, when: 'always'}))[0].status).toBe('sent')
    expect(receiver.requests).toHaveLength(1)
  })

  it('retries a 500 answer, then fails naming the answer, without the URL\'s secret', async () => {
    // The server's answer echoes the path, as some proxies' error pages do.
    const receiver = await startReceiver((request) => ({status: 500, body: `no route for ${request.url}`}))
    const [result] = await sendNotifications(report(false), {...fast, attempts: 3, targets: [parseNotifyTarget(`slack:${receiver.origin}${SECRET_PATH}`)], when: 'failure'})
    expect(receiver.requests).toHaveLength(3)
    expect(result).toMatchObject({ok: false, status: 'failed', attempts: 3})
    expect(result.error).toMatch(/^answered 500 Internal Server Error: no route for …/)
    const warning = notificationWarning(result)
    expect(warning).toMatch(/^notification to slack:http:\/\/127\.0\.0\.1:\d+\/… failed after 3 attempts: answered 500/)
    for (const piece of ['T0SECRET', 'B0SECRET', 'xoxSecretToken42']) expect(warning).not.toContain(piece)
  })

  it('recovers when a retry succeeds', async () => {
    let calls = 0
    const receiver = await startReceiver(() => (++calls === 1 ? {status: 503} : {status: 200, body: 'ok'}))
    const [result] = await sendNotifications(report(false), {...fast, targets: [parseNotifyTarget(`webhook:${receiver.origin}/x`)], when: 'failure'})
    expect(result).toMatchObject({ok: true, status: 'sent', attempts: 2})
  })

  it('does not retry an answer that another attempt would not change (404)', async () => {
    const receiver = await startReceiver({status: 404, body: 'no_service'})
    const [result] = await sendNotifications(report(false), {...fast, targets: [parseNotifyTarget(`slack:${receiver.origin}${SECRET_PATH}`)], when: 'failure'})
    expect(receiver.requests).toHaveLength(1)
    expect(result).toMatchObject({ok: false, attempts: 1, error: 'answered 404 Not Found: no_service'})
  })

  it('does not follow a redirect', async () => {
    const receiver = await startReceiver((request) => (request.url === '/elsewhere' ? {status: 200} : {status: 302, headers: {location: '/elsewhere'}}))
    const [result] = await sendNotifications(report(false), {...fast, targets: [parseNotifyTarget(`webhook:${receiver.origin}/x`)], when: 'failure'})
    expect(receiver.requests.map((r) => r.url)).toEqual(['/x'])
    expect(result.error).toMatch(/answered 302 Found, a redirect, which pixel does not follow/)
  })

  it('abandons an attempt the server never answers after the timeout, each of them', async () => {
    const receiver = await startReceiver('silent')
    const started = Date.now()
    const [result] = await sendNotifications(report(false), {...fast, timeoutMs: 300, attempts: 2, targets: [parseNotifyTarget(`webhook:${receiver.origin}/x`)], when: 'failure'})
    expect(result).toMatchObject({ok: false, attempts: 2, error: 'no answer within 0.3 s'})
    expect(receiver.requests).toHaveLength(2)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('fails on a refused connection naming the reason, not the URL', async () => {
    const receiver = await startReceiver({status: 200})
    const origin = receiver.origin
    await receiver.close()
    const [result] = await sendNotifications(report(false), {...fast, targets: [parseNotifyTarget(`slack:${origin}${SECRET_PATH}`)], when: 'failure'})
    expect(result).toMatchObject({ok: false, attempts: 3, error: 'cannot reach it: ECONNREFUSED'})
  })

  it('sends userinfo as Basic authentication, never in the request line', async () => {
    const receiver = await startReceiver({status: 200})
    await sendNotifications(report(false), {...fast, targets: [parseNotifyTarget(`webhook:http://ops:s%40cret@${receiver.origin.slice(7)}/in`)], when: 'failure'})
    expect(receiver.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('ops:s@cret').toString('base64')}`)
    expect(receiver.requests[0].url).toBe('/in')
  })
})

describe('sendNotifications to SNS (moto)', () => {
  beforeEach(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId)
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey)
  })
  afterEach(() => vi.unstubAllEnvs())

  it('publishes a subject and the text summary to the topic', async () => {
    const endpoint = inject('s3Endpoint')
    const sns = new SNSClient({endpoint, region: 'eu-west-1', credentials: MOTO_CREDENTIALS})
    const {TopicArn} = await sns.send(new CreateTopicCommand({Name: `notify-unit-${process.pid}`}))
    sns.destroy()
    const [result] = await sendNotifications(report(false), {...fast, targets: [parseNotifyTarget(`sns:${TopicArn}`)], when: 'failure', sns: {endpointUrl: endpoint}})
    expect(result).toMatchObject({ok: true, status: 'sent', target: `sns:${TopicArn}`})
    const data = (await (await fetch(`${endpoint}/moto-api/data.json`)).json()) as {sns: {Topic: {arn: string; sent_notifications: [string, string, string | null][]}[]}}
    const sent = data.sns.Topic.find((t) => t.arn === TopicArn)!.sent_notifications
    expect(sent).toHaveLength(1)
    const [, message, subject] = sent[0]
    expect(subject).toBe('pixel check failed: 2026-02-10, 1 error, 0 warnings - s3://my-bucket/events/')
    expect(message).toContain('- error gap 2026-02-10T13: hour 2026-02-10T13 has no objects')
  })

  it('fails without retrying when the topic does not exist', async () => {
    const arn = 'arn:aws:sns:eu-west-1:123456789012:no-such-topic-here'
    const [result] = await sendNotifications(report(false), {...fast, targets: [parseNotifyTarget(`sns:${arn}`)], when: 'failure', sns: {endpointUrl: inject('s3Endpoint')}})
    expect(result).toMatchObject({ok: false, attempts: 1})
    expect(result.error).toMatch(/NotFound/)
  })
})
