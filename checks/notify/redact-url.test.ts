import {describe, expect, it} from 'vitest'
import {redactUrl, scrubUrl} from './redact-url.js'

describe('redactUrl', () => {
  it.each([
    ['https://hooks.slack.com/services/T0/B0/XyZ', 'https://hooks.slack.com/…'],
    ['https://u:p@example.com/', 'https://example.com/…'],
    ['https://example.com/?token=1', 'https://example.com/…'],
    ['https://example.com/', 'https://example.com/'],
    ['http://127.0.0.1:8080/x', 'http://127.0.0.1:8080/…'],
  ])('prints %s as %s', (url, shown) => {
    expect(redactUrl(new URL(url))).toBe(shown)
  })
})

describe('scrubUrl', () => {
  const url = new URL('https://bob:hunter2@hooks.example.com/services/T0AAAA/B0BBBB/s3cr3tToken?sig=abc%2Fdef&v=1')
  it.each([
    ['the whole URL', `request to ${url.href} failed`],
    ['the path', 'POST /services/T0AAAA/B0BBBB/s3cr3tToken?sig=abc%2Fdef&v=1 answered 500'],
    ['one segment', 'unknown webhook s3cr3tToken'],
    ['a query value, decoded', 'bad signature abc/def'],
    ['the password', 'auth hunter2 refused'],
  ])('removes %s from a message', (_what, message) => {
    const out = scrubUrl(message, url)
    for (const secret of ['T0AAAA', 'B0BBBB', 's3cr3tToken', 'abc%2Fdef', 'abc/def', 'hunter2']) expect(out).not.toContain(secret)
  })

  it('leaves a message without secrets as it was', () => {
    expect(scrubUrl('connect ECONNREFUSED 127.0.0.1:9', url)).toBe('connect ECONNREFUSED 127.0.0.1:9')
  })
})
