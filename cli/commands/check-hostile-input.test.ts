import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import type {CheckReport} from '../../checks/report/report.js'
import {lakeFactory, tempLake} from '../../fixtures/test-support/temp-lake.js'
import {runPixel} from '../test-support/run-pixel.js'

const HOUR = '2026-02-10T05'

describe('pixel check --max-object-size', () => {
  it('reports an object that decompresses past it as a corrupt object, names it, and judges the rest', async () => {
    const lake = tempLake()
    const f = lakeFactory()
    await lake.write(f.key(HOUR, 10), f.gzip(f.events(HOUR, 5)))
    const bomb = f.key(HOUR, 20)
    await lake.write(bomb, gzipSync(Buffer.alloc(3 << 20, 0x0a), {level: 9}))
    const bounded = await runPixel(['check', '--lake', lake.url, '--hour', HOUR, '--json', '--max-object-size', '2'])
    expect(bounded.code).toBe(1)
    const report = JSON.parse(bounded.stdout) as CheckReport
    expect(report.findings.map((x) => [x.check, x.key])).toEqual([['corrupt-object', bomb]])
    expect(report.summary).toMatchObject({objects: 2, records: 5, valid: 5})
    // Under the default (1024 MiB) the same object is only blank lines: nothing to report.
    expect((await runPixel(['check', '--lake', lake.url, '--hour', HOUR, '--json'])).code).toBe(0)
  })

  it.each(['0', '2048'])('refuses %s with one line and exit 2', async (size) => {
    const {code, stderr} = await runPixel(['check', '--lake', tempLake().url, '--hour', HOUR, '--max-object-size', size])
    expect(code).toBe(2)
    expect(stderr).toMatch(/max-object-size/)
  })
})

describe('pixel check --schema with keywords and formats ajv does not know', () => {
  it('warns once per unknown name, on stderr, and still checks', async () => {
    const lake = tempLake()
    const f = lakeFactory()
    await lake.write(f.key(HOUR, 10), f.gzip(f.events(HOUR, 3)))
    const schema = join(mkdtempSync(join(tmpdir(), 'pixel-schema-')), 'loose.json')
    writeFileSync(schema, JSON.stringify({type: 'object', propertise: {}, properties: {ts: {type: 'string', format: 'iso-date'}, badge: {format: 'iso-date', maxlength: 10}}}))
    const {code, stderr} = await runPixel(['check', '--lake', lake.url, '--hour', HOUR, '--schema', schema, '--concurrency', '2'])
    expect(code).toBe(0)
    // oclif wraps each warning to the terminal's width, continuing it on lines that start with ›.
    const warnings = stderr.split(/›\s+Warning: /).slice(1).map((text) => text.replace(/\s*\n\s*›\s*/g, ' ').trim())
    expect(warnings).toEqual([
      `schema ${schema}: unknown format "iso-date" (first at #/properties/ts) is ignored: every value passes it`,
      `schema ${schema}: unknown keyword "propertise" is ignored`,
      `schema ${schema}: unknown keyword "maxlength" is ignored`,
    ])
  })

  it('lists the same warnings under --json, where nothing but the document is printed', async () => {
    const lake = tempLake()
    const f = lakeFactory()
    await lake.write(f.key(HOUR, 10), f.gzip(f.events(HOUR, 3)))
    const schema = join(mkdtempSync(join(tmpdir(), 'pixel-schema-')), 'loose.json')
    writeFileSync(schema, JSON.stringify({type: 'object', properties: {badge: {maxlength: 10}}}))
    const {code, stdout, stderr} = await runPixel(['check', '--lake', lake.url, '--hour', HOUR, '--schema', schema, '--json'])
    expect(code).toBe(0)
    expect(stderr).toBe('')
    expect(JSON.parse(stdout).warnings).toEqual([`schema ${schema}: unknown keyword "maxlength" is ignored`])
  })
})
