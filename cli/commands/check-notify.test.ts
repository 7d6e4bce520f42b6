import {cpSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {CreateTopicCommand, SNSClient} from '@aws-sdk/client-sns'
import {describe, expect, inject, it} from 'vitest'
import type {CheckReport} from '../../checks/report/report.js'
import type {NotificationResult} from '../../checks/notify/send-notifications.js'
import {startReceiver} from '../../fixtures/test-support/http-receiver.js'
import {MOTO_CREDENTIALS} from '../../fixtures/test-support/moto-server.js'
import {motoEnv} from '../../fixtures/test-support/s3-bucket.js'
import {PACKAGE_ROOT} from '../../lake/package-root.js'
import {type PixelRun, runPixel} from '../test-support/run-pixel.js'

const SAMPLE = join(PACKAGE_ROOT, 'fixtures/sample-lake')
const CHECK = ['check', '--lake', SAMPLE, '--day', '2026-02-10', '--concurrency', '0']
const SECRET_PATH = '/services/T0SECRET/B0SECRET/xoxSecretToken42'
const SECRETS = ['T0SECRET', 'B0SECRET', 'xoxSecretToken42']

function expectNoSecret(run: PixelRun) {
  for (const secret of SECRETS) {
    expect(run.stdout).not.toContain(secret)
    expect(run.stderr).not.toContain(secret)
  }
}

type Notified = CheckReport & {notifications: NotificationResult[]}

describe('pixel check --notify to Slack and a webhook', () => {
  it('prints the report, then posts blocks to Slack and the JSON report to the webhook, exiting 1 as without them', async () => {
    const slack = await startReceiver({status: 200, body: 'ok'})
    const hook = await startReceiver({status: 202})
    const run = await runPixel([...CHECK, '--notify', `slack:${slack.origin}${SECRET_PATH}`, '--notify', `webhook:${hook.origin}/pixel?token=xoxSecretToken42`, '--report-url', 'https://ci.example.com/runs/7'])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('')
    expect(run.stdout).toMatch(/✖ failed: 9 errors, 5 warnings/)
    expectNoSecret(run)

    expect(slack.requests).toHaveLength(1)
    const [post] = slack.requests
    expect(post).toMatchObject({method: 'POST', url: SECRET_PATH, headers: {'content-type': 'application/json; charset=utf-8'}})
    const message = JSON.parse(post.body) as {text: string; blocks: {type: string; text?: {text: string}}[]}
    expect(message.text).toMatch(/^pixel check failed: 2026-02-10, 9 errors, 5 warnings \(/)
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'context'])
    expect(message.blocks[0].text!.text).toBe('✖ pixel check failed: 2026-02-10')
    // The top five are errors, in the report's order: the gap first.
    const top = message.blocks[2].text!.text.split('\n')
    expect(top[0]).toBe('*Top findings*')
    expect(top.slice(1, 6).every((line) => line.startsWith('• :x: '))).toBe(true)
    expect(top[1]).toBe('• :x: *gap* 2026-02-10T13: hour 2026-02-10T13 has no objects (at least 1 record expected)')
    expect(top[6]).toBe('… and 9 more')
    expect(message.blocks[3].text!.text).toBe('<https://ci.example.com/runs/7|Open the report>')

    expect(hook.requests).toHaveLength(1)
    expect(hook.requests[0].url).toBe('/pixel?token=xoxSecretToken42')
    const json = await runPixel([...CHECK, '--json'])
    expect(JSON.parse(hook.requests[0].body)).toEqual(JSON.parse(json.stdout))
  })

  it('lists each target, redacted, under "notifications" in --json', async () => {
    const slack = await startReceiver({status: 200, body: 'ok'})
    const run = await runPixel([...CHECK, '--json', '--notify', `slack:${slack.origin}${SECRET_PATH}`])
    expect(run.code).toBe(1)
    const out = JSON.parse(run.stdout) as Notified
    // Additive: after every field the report has without a target.
    expect(Object.keys(out)).toEqual(['ok', 'scope', 'lake', 'summary', 'hours', 'findings', 'limits', 'engine', 'warnings', 'notifications'])
    expect(out.notifications).toEqual([{target: `slack:${slack.origin}/…`, ok: true, status: 'sent', attempts: 1, error: null}])
    expectNoSecret(run)
  })

  it('retries a 500 answer, then warns in one line and in --json, keeping the report and exit code 1', async () => {
    // The answer echoes the request line, as some proxies' error pages do: it must not reach the output either.
    const slack = await startReceiver((request) => ({status: 500, body: `upstream failed for POST ${request.url}`}))
    const text = await runPixel([...CHECK, '--notify', `slack:${slack.origin}${SECRET_PATH}`])
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(/✖ failed: 9 errors, 5 warnings/)
    expect(slack.requests).toHaveLength(3)
    const lines = text.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^Warning: notification to slack:${slack.origin}/… failed after 3 attempts: answered 500 Internal Server Error: upstream failed for POST …; the report and the exit code are unaffected$`))
    expectNoSecret(text)

    const json = await runPixel([...CHECK, '--json', '--notify', `slack:${slack.origin}${SECRET_PATH}`])
    expect(json.code).toBe(1)
    const out = JSON.parse(json.stdout) as Notified
    expect(out.findings).toHaveLength(14)
    expect(out.notifications).toEqual([{target: `slack:${slack.origin}/…`, ok: false, status: 'failed', attempts: 3, error: 'answered 500 Internal Server Error: upstream failed for POST …'}])
    expectNoSecret(json)
  })

  it('gives up on a receiver that never answers after --notify-timeout per attempt, and still exits 0 for a passing report', async () => {
    const silent = await startReceiver('silent')
    const started = Date.now()
    const run = await runPixel([...CHECK, '--fail-on', 'never', '--notify-on', 'always', '--notify-timeout', '1s', '--notify', `webhook:${silent.origin}${SECRET_PATH}`])
    expect(run.code).toBe(0)
    expect(silent.requests).toHaveLength(3)
    expect(run.stderr).toMatch(/^Warning: notification to webhook:http:\/\/127\.0\.0\.1:\d+\/… failed after 3 attempts: no answer within 1 s;/)
    expect(Date.now() - started).toBeLessThan(30_000)
    expectNoSecret(run)
  })

  it('sends nothing for a passing report under the default --notify-on failure, and sends under always', async () => {
    const hook = await startReceiver({status: 200})
    const quiet = await runPixel([...CHECK, '--fail-on', 'never', '--json', '--notify', `webhook:${hook.origin}/x`])
    expect(quiet.code).toBe(0)
    expect(hook.requests).toHaveLength(0)
    expect((JSON.parse(quiet.stdout) as Notified).notifications).toEqual([{target: `webhook:${hook.origin}/…`, ok: true, status: 'skipped', attempts: 0, error: null}])
    const always = await runPixel([...CHECK, '--fail-on', 'never', '--notify-on', 'always', '--notify', `webhook:${hook.origin}/x`])
    expect(always.code).toBe(0)
    expect(hook.requests).toHaveLength(1)
    expect((JSON.parse(hook.requests[0].body) as CheckReport).ok).toBe(true)
  })

  it('takes its targets from PIXEL_NOTIFY, and from "notify" in the config file', async () => {
    const a = await startReceiver({status: 200})
    const b = await startReceiver({status: 200})
    await runPixel(CHECK, {env: {PIXEL_NOTIFY: `webhook:${a.origin}/a\nslack:${b.origin}${SECRET_PATH}`}})
    expect([a.requests.length, b.requests.length]).toEqual([1, 1])
    const config = join(mkdtempSync(join(tmpdir(), 'pixel-notify-')), 'pixel.config.json')
    writeFileSync(config, JSON.stringify({notify: [`webhook:${a.origin}/from-config`]}))
    await runPixel(CHECK, {env: {PIXEL_CONFIG: config}})
    expect(a.requests.map((r) => r.url)).toEqual(['/a', '/from-config'])
    writeFileSync(config, JSON.stringify({notify: `webhook:${a.origin}/one`}))
    await runPixel(CHECK, {env: {PIXEL_CONFIG: config}})
    expect(a.requests.at(-1)!.url).toBe('/one')
  })

  it('escapes a hostile key for Slack, so that it mentions no one and links nowhere', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'pixel-notify-lake-'))
    cpSync(SAMPLE, lake, {recursive: true})
    writeFileSync(join(lake, 'year=2026/month=02/day=10/hour=20/<!channel> & `x` <http:||evil.example|go>.txt'), 'not a record\n')
    const slack = await startReceiver({status: 200, body: 'ok'})
    const run = await runPixel(['check', '--lake', lake, '--hour', '2026-02-10T20', '--fail-on', 'warning', '--concurrency', '0', '--notify', `slack:${slack.origin}/h`])
    expect(run.code).toBe(1)
    const body = slack.requests[0].body
    expect(body).toContain('`year=2026/month=02/day=10/hour=20/&lt;!channel&gt; &amp; ˋxˋ &lt;http:||evil.example|go&gt;.txt`')
    expect(body).not.toContain('<!channel>')
    expect(body).not.toContain('<http:')
  })
})

describe('pixel check --notify to SNS (moto)', () => {
  it('publishes the subject and summary to the topic, read back from moto', async () => {
    const endpoint = inject('s3Endpoint')
    const sns = new SNSClient({endpoint, region: 'eu-west-1', credentials: MOTO_CREDENTIALS})
    const {TopicArn} = await sns.send(new CreateTopicCommand({Name: `check-notify-${process.pid}`}))
    sns.destroy()
    const run = await runPixel([...CHECK, '--notify', `sns:${TopicArn}`, '--report-url', 'https://ci.example.com/runs/9'], {env: {...motoEnv(), AWS_ENDPOINT_URL_SNS: endpoint}})
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('')
    const data = (await (await fetch(`${endpoint}/moto-api/data.json`)).json()) as {sns: {Topic: {arn: string; sent_notifications: [string, string, string | null][]}[]}}
    const sent = data.sns.Topic.find((t) => t.arn === TopicArn)!.sent_notifications
    expect(sent).toHaveLength(1)
    const [, message, subject] = sent[0]
    expect(subject).toMatch(/^pixel check failed: 2026-02-10, 9 errors, 5 warnings( - .+)?$/)
    expect(subject!.length).toBeLessThan(100)
    const lines = message.split('\n')
    expect(lines[0]).toBe('pixel check failed: 2026-02-10, 9 errors, 5 warnings')
    expect(lines).toContain('Top findings:')
    expect(lines).toContain('- error gap 2026-02-10T13: hour 2026-02-10T13 has no objects (at least 1 record expected)')
    expect(lines.at(-1)).toBe('Report: https://ci.example.com/runs/9')
  })

  it('warns when the topic is not there, naming it, and exits 1 as without it', async () => {
    const arn = 'arn:aws:sns:eu-west-1:123456789012:check-notify-missing'
    const run = await runPixel([...CHECK, '--notify', `sns:${arn}`], {env: {...motoEnv(), AWS_ENDPOINT_URL_SNS: inject('s3Endpoint')}})
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/✖ failed/)
    expect(run.stderr).toMatch(new RegExp(`^Warning: notification to sns:${arn} failed after 1 attempt: NotFound`))
  })
})

describe('pixel check with a bad --notify target', () => {
  // The lake is an S3 bucket behind a closed port: had anything been read first, the error would be about it.
  const UNREADABLE = ['check', '--lake', 's3://never-read/events/', '--endpoint-url', 'http://127.0.0.1:9', '--day', '2026-02-10']
  describe.each([
    ['an unknown kind', ['--notify', 'email:oncall@example.com'], /^Error: --notify "email:…" is not a target pixel knows/],
    ['a malformed ARN', ['--notify', 'sns:arn:aws:sns:eu-west-1:oops'], /^Error: --notify "sns:arn:aws:sns:eu-west-1:oops" is not an SNS topic ARN/],
    ['a URL that is not one', ['--notify', `slack:hooks.slack.com${SECRET_PATH}`], /^Error: --notify slack:… is not a URL/],
    ['plain http to another machine', ['--notify', `slack:http://hooks.slack.com${SECRET_PATH}`], /^Error: --notify slack:http:\/\/hooks\.slack\.com\/… is plain http to another machine/],
    ['a Slack URL without its kind', ['--notify', `https://hooks.slack.com${SECRET_PATH}`], /^Error: --notify https:\/\/hooks\.slack\.com\/… does not say what it is/],
    ['a bad --notify-on', ['--notify-on', 'sometimes'], /^Error: Expected --notify-on=sometimes to be one of: failure, always/],
    ['a --report-url that is no URL', ['--report-url', 'ci run 7'], /^Error: --report-url is not an http\(s\) URL/],
  ])('%s', (_what, flags, message) => {
    it('exits 2 with one line, before the lake is read, naming no secret', async () => {
      const run = await runPixel([...UNREADABLE, ...flags])
      expect(run.code).toBe(2)
      expect(run.stdout).toBe('')
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(run.stderr).toMatch(message)
      expectNoSecret(run)
    })
  })

  it('refuses a bad target from PIXEL_NOTIFY or the config file the same way', async () => {
    const env = await runPixel(UNREADABLE, {env: {PIXEL_NOTIFY: `webhook:ftp://example.com${SECRET_PATH}`}})
    expect(env.code).toBe(2)
    expect(env.stderr).toMatch(/^Error: --notify webhook:ftp:… is not an http\(s\) URL/)
    expectNoSecret(env)
    const config = join(mkdtempSync(join(tmpdir(), 'pixel-notify-')), 'pixel.config.json')
    writeFileSync(config, JSON.stringify({notify: [42]}))
    const file = await runPixel(UNREADABLE, {env: {PIXEL_CONFIG: config}})
    expect(file.code).toBe(2)
    expect(file.stderr).toMatch(/"notify" must be a target string or an array of them/)
  })
})
