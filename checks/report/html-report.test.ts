import {createHash} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {MAX_FINDINGS_SHOWN, contentSecurityPolicy, hashSource, htmlReport} from './html-report.js'
import {type CheckReport, finding} from './report.js'
import {checkReport, dayHours, hourSummary} from './test-support/check-report.js'

const HOSTILE_KEY = 'year=2026/month=02/day=10/hour=05/</script><script>alert(1)</script>'
const HOSTILE_UA = '<img src=x onerror=alert(2)>'

const between = (html: string, open: RegExp, close: string): string[] => {
  const out: string[] = []
  for (const m of html.matchAll(new RegExp(`${open.source}([\\s\\S]*?)${close}`, 'g'))) out.push(m[1])
  return out
}
const cspOf = (html: string) => /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1].replaceAll('&#39;', "'")

function hostileReport(): CheckReport {
  const hours = dayHours('2026-02-10').map((h) => hourSummary(h))
  return checkReport(hours, [
    finding('unexpected-key', {hour: null, key: HOSTILE_KEY, count: 1, message: `${HOSTILE_KEY} does not fit the layout`}),
    finding('unparseable-record', {
      hour: '2026-02-10T05', key: null, count: 1, message: 'hour 2026-02-10T05 holds 1 piece of text that is not JSON',
      samples: [{key: HOSTILE_KEY, index: 3, pointer: `/${HOSTILE_UA}`, message: `Unexpected token; starts with "{\\"user_agent\\": \\"${HOSTILE_UA}"`}],
    }),
    {...finding('schema-drift', {hour: null, key: null, count: 40, message: `field /${HOSTILE_UA} is new on 2026-02-10: in 50% of records`}), drift: {pointer: `/${HOSTILE_UA}`, change: 'new'}},
  ], {lake: `s3://bucket/${HOSTILE_UA}/`})
}

describe('htmlReport', () => {
  it('keeps hostile keys, messages, pointers and the lake name as text, never markup', () => {
    const html = htmlReport(hostileReport())
    // The page's own elements only: two JSON data blocks and its one script.
    expect(html.match(/<script/g)).toHaveLength(3)
    expect(html).not.toMatch(/<img/i)
    expect(html).not.toContain('<script>alert')
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;')
  })

  it('embeds the report as JSON that parses back to it exactly', () => {
    const report = hostileReport()
    const [json] = between(htmlReport(report), /<script type="application\/json" id="pixel-report">/, '</script>')
    expect(JSON.parse(json)).toEqual(report)
  })

  it('allows by hash exactly the script and the style sheet the page holds, and loads nothing', () => {
    const html = htmlReport(hostileReport())
    const csp = cspOf(html)
    const [script] = between(html, /<script>/, '</script>')
    const [style] = between(html, /<style>/, '</style>')
    const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`
    expect(csp).toContain(`script-src ${sha(script)};`)
    expect(csp).toContain(`style-src ${sha(style)};`)
    expect(csp).toMatch(/^default-src 'none';/)
    expect(csp).not.toMatch(/unsafe|https?:|\*/)
    expect(csp).toBe(contentSecurityPolicy(script, style))
    // Nothing that could fetch: no src or srcset at all, and links only within the page.
    // Escaped text holds no '<', so every tag found is one the page itself wrote.
    for (const [tag] of html.matchAll(/<[a-zA-Z][^>]*>/g)) expect(tag).not.toMatch(/\s(src|srcset|action|poster|data)=/i)
    expect(html).not.toMatch(/url\((?!#)/)
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^#/)
  })

  it('hashes the UTF-8 bytes, as browsers do', () => {
    expect(hashSource('é')).toBe(`'sha256-${createHash('sha256').update(Buffer.from('é', 'utf8')).digest('base64')}'`)
  })

  it('puts the drift field in a table cell as text', () => {
    const html = htmlReport(hostileReport())
    expect(html).toContain('<td><code>/&lt;img src=x onerror=alert(2)&gt;</code></td><td class="text">new field</td>')
  })

  it('names every check that fired, with its count, in report order', () => {
    const html = htmlReport(hostileReport())
    const order = [...html.matchAll(/<section class="check" id="check-([a-z-]+)"/g)].map((m) => m[1])
    expect(order).toEqual(['unparseable-record', 'unexpected-key', 'schema-drift'])
  })

  it('says how many findings of a check are beyond those it shows', () => {
    const many = Array.from({length: MAX_FINDINGS_SHOWN + 7}, (_, i) => finding('unexpected-key', {hour: null, key: `stray-${String(i).padStart(3, '0')}`, count: 1, message: 'stray'}))
    const html = htmlReport(checkReport([hourSummary('2026-02-10T05')], many))
    expect(html).toContain('… and 7 more unexpected-key findings')
    const page = html.slice(html.indexOf('<main>'), html.indexOf('</main>'))
    expect(page).toContain(`stray-${String(MAX_FINDINGS_SHOWN - 1).padStart(3, '0')}`)
    expect(page).not.toContain(`stray-${String(MAX_FINDINGS_SHOWN).padStart(3, '0')}`)
  })

  it('says how many samples it shows of a finding\u2019s count', () => {
    const samples = Array.from({length: 5}, (_, i) => ({key: 'k.gz', index: i, pointer: '/event_id', message: 'seen before'}))
    const html = htmlReport(checkReport([hourSummary('2026-02-10T05')], [finding('duplicate-record', {hour: '2026-02-10T05', key: null, count: 40, message: '40 copies', samples})]))
    expect(html).toContain('5 samples shown of 40.')
    // Five samples of one object name the object once.
    expect(html.match(/data-copy="k\.gz"/g)).toHaveLength(1)
  })

  describe.each([
    ['a day', dayHours('2026-02-10'), 0],
    ['a range of three days', [...dayHours('2026-02-10'), ...dayHours('2026-02-11'), ...dayHours('2026-02-12')], 3],
  ])('over %s', (_, hours, dayRows) => {
    it(`draws ${dayRows} day rows`, () => {
      const html = htmlReport(checkReport(hours.map((h) => hourSummary(h, {records: h.startsWith('2026-02-11') ? 40 : 80, valid: 40}))))
      const table = between(html, /<section class="card" aria-labelledby="days-title">/, '</section>')
      expect(table.length === 0 ? 0 : table[0].match(/<tr class/g)!.length).toBe(dayRows)
      if (dayRows > 0) {
        // Half the records of the day before, then twice as many.
        expect(table[0]).toContain('▼ 50%')
        expect(table[0]).toContain('▲ 100%')
      }
    })
  })

  it('renders a report saved by an older pixel, without engine, limits, bytes or lag', () => {
    const report = checkReport([hourSummary('2026-02-10T05')]) as Partial<CheckReport & {engine: string}>
    delete report.engine
    delete report.limits
    for (const h of report.hours!) {
      delete (h as Partial<typeof h>).bytes
      delete (h as Partial<typeof h>).lag
    }
    const html = htmlReport(report as CheckReport)
    expect(html).toContain('<dt>Engine</dt><dd>local</dd>')
    expect(html).not.toContain('NaN')
    expect(html).not.toContain('undefined')
    expect(html).not.toContain('id="freshness-title"')
  })

  it('lists the warnings and what a SQL engine did not check, as text', () => {
    const html = htmlReport({...checkReport([hourSummary('2026-02-10T05')]), warnings: [`the lake ${HOSTILE_UA} holds no partitions`], notChecked: [{pointer: '/ua', keyword: 'pattern', reason: 'a <b>lookbehind</b>'}]})
    expect(html).toContain('<li>the lake &lt;img src=x onerror=alert(2)&gt; holds no partitions</li>')
    expect(html).toContain('<li>not checked on this engine: <code>/ua</code> (pattern): a &lt;b&gt;lookbehind&lt;/b&gt;</li>')
  })

  it('passes with no findings, and says so', () => {
    const html = htmlReport(checkReport([hourSummary('2026-02-10T05')]))
    expect(html).toContain('<h1 id="verdict">Passed: complete, once and well-formed</h1>')
    expect(html).toContain('No findings')
  })
})
