import {describe, expect, it} from 'vitest'

import {schemaErrors} from '../test-support/pixel-event-validator.js'
import {buildRecord, type PixelRequest} from './build-record.js'

const NOW = new Date('2026-11-28T23:59:59.999Z')

function request(overrides: Partial<PixelRequest> = {}): PixelRequest {
  return {
    rawQueryString: 'b=docs',
    headers: {'user-agent': 'Mozilla/5.0 (test)', referer: 'https://example.com/readme'},
    sourceIp: '203.0.113.77',
    ...overrides,
  }
}

function build(overrides: Partial<PixelRequest> = {}) {
  const record = buildRecord(request(overrides), {now: NOW})
  expect(schemaErrors(record)).toEqual([])
  return record
}

describe('buildRecord', () => {
  it('maps b, c, u and r to their columns and keeps the rest as params', () => {
    const record = build({rawQueryString: 'b=docs&c=launch&u=https%3A%2F%2Fexample.com%2Fa&r=https%3A%2F%2Fsearch.example%2F&lang=en'})
    expect(record).toMatchObject({
      badge: 'docs',
      campaign: 'launch',
      page_url: 'https://example.com/a',
      referer: 'https://search.example/',
      params: {lang: 'en'},
      params_truncated: false,
    })
  })

  it('stamps the receive time in ISO-8601 UTC with milliseconds and schema version 1', () => {
    expect(build()).toMatchObject({ts: '2026-11-28T23:59:59.999Z', schema_version: 1, source: 'pixel'})
  })

  it('gives each hit a fresh UUID v4', () => {
    const first = build().event_id
    const second = build().event_id
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(second).not.toBe(first)
  })

  it('takes the page URL from the Referer header when u is absent', () => {
    expect(build({rawQueryString: 'b=docs'}).page_url).toBe('https://example.com/readme')
  })

  it('reads headers whatever their case', () => {
    expect(build({headers: {'User-Agent': 'UA/1'}}).user_agent).toBe('UA/1')
  })

  it('stores the badge "unknown" when the request names none', () => {
    expect(build({rawQueryString: 'c=launch'}).badge).toBe('unknown')
    expect(build({rawQueryString: 'b='}).badge).toBe('unknown')
  })

  it('stores null for absent optional fields', () => {
    expect(build({rawQueryString: 'b=docs', headers: {}, sourceIp: undefined})).toMatchObject({
      campaign: null,
      page_url: null,
      referer: null,
      user_agent: null,
      client_ip: null,
      params: {},
    })
  })

  it('anonymises the client address by default and keeps it when configured', () => {
    expect(build().client_ip).toBe('203.0.113.0')
    expect(buildRecord(request(), {clientIp: 'full'}).client_ip).toBe('203.0.113.77')
  })

  describe.each([
    ['b=canary&src=canary', 'canary'],
    ['b=docs&src=canary', 'pixel'],
    ['b=canary', 'pixel'],
    ['b=docs&src=replay', 'pixel'],
  ])('for %s', (query, source) => {
    it(`marks the source ${source}`, () => {
      expect(build({rawQueryString: query}).source).toBe(source)
    })
  })

  it('keeps the first of repeated parameters and flags the dropped ones', () => {
    expect(build({rawQueryString: 'b=one&b=two&x=1&x=2'})).toMatchObject({badge: 'one', params: {x: '1'}, params_truncated: true})
  })

  it('keeps at most 32 params and flags the rest', () => {
    const record = build({rawQueryString: ['b=docs', ...Array.from({length: 40}, (_, i) => `p${i}=v`)].join('&')})
    expect(Object.keys(record.params)).toHaveLength(32)
    expect(record.params_truncated).toBe(true)
  })

  it('cuts a long value to 512 characters and drops a name longer than 64', () => {
    const record = build({rawQueryString: `b=docs&long=${'v'.repeat(600)}&${'n'.repeat(65)}=1`})
    expect(record.params).toEqual({long: 'v'.repeat(512)})
    expect(record.params_truncated).toBe(true)
  })

  it('cuts by characters, never splitting an emoji', () => {
    const record = build({rawQueryString: `b=${'%F0%9F%98%80'.repeat(130)}`})
    expect(Array.from(record.badge)).toHaveLength(128)
    expect(record.badge).toBe('\u{1F600}'.repeat(128))
  })

  it('decodes + as a space and percent escapes as UTF-8', () => {
    expect(build({rawQueryString: 'b=docs&c=spring+sale%20%C3%A9t%C3%A9'}).campaign).toBe('spring sale été')
  })

  it('keeps broken percent escapes literally', () => {
    expect(build({rawQueryString: 'b=100%&c=%zz'})).toMatchObject({badge: '100%', campaign: '%zz'})
  })

  it('replaces invalid UTF-8 with U+FFFD', () => {
    expect(build({rawQueryString: 'b=a%FFb'}).badge).toBe('a\uFFFDb')
  })

  it('removes control characters, so a record stays one line', () => {
    expect(build({rawQueryString: 'b=do%0Acs%00&c=%1B%5B31m'})).toMatchObject({badge: 'docs', campaign: '[31m'})
  })

  it('does not let a __proto__ parameter reach the prototype', () => {
    const record = build({rawQueryString: 'b=docs&__proto__=x&constructor=y'})
    expect(Object.getPrototypeOf(record.params)).toBe(Object.prototype)
    expect(record.params).toEqual(JSON.parse('{"__proto__":"x","constructor":"y"}'))
  })
})
