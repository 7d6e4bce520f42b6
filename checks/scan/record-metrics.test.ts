import {describe, expect, it} from 'vitest'
import {lakeFactory, tempLake} from '../../fixtures/test-support/temp-lake.js'
import {hourScope} from '../../lake/scope.js'
import {type CheckOptions, runCheck} from '../run-check.js'
import {compileValidator, loadSchema} from '../schema/record-validator.js'

const HOUR = '2026-02-10T05'
const validator = compileValidator(await loadSchema())

/** One hour that mixes what the canary and raw-ip checks must tell apart, in every scanning mode. */
async function mixedHour() {
  const lake = tempLake()
  const f = lakeFactory()
  const lines = [
    ...f.events(HOUR, 5),
    ...f.events(HOUR, 3, {source: 'canary'}),
    // The canary's value in a nested map is not the record's source.
    ...f.events(HOUR, 2, {params: {source: 'canary'}}),
    ...f.events(HOUR, 1, {client_ip: '198.51.100.7'}),
    ...f.events(HOUR, 1, {client_ip: '2001:db8:1:2::'}),
    ...f.events(HOUR, 1, {client_ip: null}),
  ].map((e) => JSON.stringify(e))
  // Spacing, escapes and text that is not ASCII: the fast path and JSON.parse must agree on them.
  lines.push(JSON.stringify(f.events(HOUR, 1, {source: 'canary', badge: 'caf\u00e9'})[0]).replace('"source":', '"source" : '))
  lines.push(JSON.stringify(f.events(HOUR, 1, {client_ip: '203.0.113.9', user_agent: 'a "quoted" agent'})[0]))
  lines.push(JSON.stringify(f.events(HOUR, 1, {user_agent: 'x "source":"canary"'})[0]))
  lines.push(JSON.stringify(f.events(HOUR, 1)[0]).replace('"source":"pixel"', '"source":"c\\u0061nary"'))
  await lake.write(f.key(HOUR, 30), Buffer.from(f.gzip(lines.map((l) => JSON.parse(l)))))
  await lake.write(f.key(HOUR, 40), (await import('node:zlib')).gzipSync(lines.join('\n')))
  return lake
}

describe.each([
  ['the native or JavaScript fast path', true],
  ['the JavaScript fast path', 'javascript'],
  ['no fast path', false],
] as const)('with %s', (_, fastPath) => {
  const check = async (options: Partial<CheckOptions> = {}) =>
    runCheck({lake: await mixedHour(), scope: hourScope(HOUR), validator, now: new Date('2026-11-28T00:00:00Z'), fastPath, freshnessMinutes: 600, ...options})

  it('counts the canary\'s records by their top-level field, and their duplicates apart', async () => {
    const report = await check()
    // Two objects of the same 17 records: 5 canary records each.
    expect(report.hours[0]).toMatchObject({records: 34, canary: 10, duplicateRecords: 17})
  })

  it('reports full addresses as raw-ip without showing them, and nothing under --ip-policy full', async () => {
    const report = await check()
    const rawIp = report.findings.filter((f) => f.check === 'raw-ip')
    expect(rawIp.map((f) => [f.hour, f.count])).toEqual([[HOUR, 6]])
    expect(JSON.stringify(rawIp)).not.toMatch(/198\.51\.100\.7|2001:db8:1:2|203\.0\.113\.9/)
    expect((await check({ipPolicy: 'full'})).findings.filter((f) => f.check === 'raw-ip')).toEqual([])
  })

  it('reports every address under --ip-policy omit', async () => {
    const report = await check({ipPolicy: 'omit'})
    // 17 records an object, one of them with a null address.
    expect(report.findings.filter((f) => f.check === 'raw-ip').map((f) => f.count)).toEqual([32])
  })

  it('counts nothing as canary under --canary none, and another field under --canary FIELD=VALUE', async () => {
    expect((await check({canary: null})).hours[0].canary).toBe(0)
    expect((await check({canary: {field: 'badge', value: 'caf\u00e9'}})).hours[0].canary).toBe(2)
  })
})
