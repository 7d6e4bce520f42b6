import {existsSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCheck} from '../../checks/run-check.js'
import {compileValidator, loadSchema} from '../../checks/schema/record-validator.js'
import {lakeFactory, tempLake} from '../../fixtures/test-support/temp-lake.js'
import {hourScope} from '../scope.js'
import {LocalLake, temporaryName} from './local-lake.js'

const HOUR = '2026-02-10T05'

describe('writing to a local lake', () => {
  it('never shows a partly written object under its key, as S3\'s PUT never does', async () => {
    const lake = tempLake() as LocalLake
    const key = 'year=2026/month=02/day=10/hour=05/big.gz'
    const path = join(lake.url, key)
    const body = Buffer.alloc(48 << 20, 7)
    const seen = new Set<number>()
    let writing = true
    const watching = (async () => {
      while (writing) {
        if (existsSync(path)) seen.add(statSync(path).size)
        await new Promise((resolve) => setImmediate(resolve))
      }
    })()
    await lake.write(key, body)
    writing = false
    await watching
    for (const size of seen) expect(size).toBe(body.length)
    expect(statSync(path).size).toBe(body.length)
    // Nothing is left beside it.
    expect(readdirSync(join(lake.url, 'year=2026/month=02/day=10/hour=05'))).toEqual(['big.gz'])
  })

  it('replaces an object whole', async () => {
    const lake = tempLake()
    await lake.write('a/b.gz', Buffer.from('old'))
    await lake.write('a/b.gz', Buffer.from('new!'))
    expect((await lake.read('a/b.gz')).toString()).toBe('new!')
  })

  it('leaves a write cut short by a crash out of the listing, and pixel check does not see it', async () => {
    const f = lakeFactory(51)
    const lake = tempLake() as LocalLake
    const key = f.key(HOUR)
    await lake.write(key, f.gzip(f.events(HOUR, 10)))
    const folder = join(lake.url, key, '..')
    const torn = join(folder, temporaryName('pixel-events-1-2026-02-10-05-10-00-torn.gz'))
    writeFileSync(torn, f.gzip(f.events(HOUR, 10)).subarray(0, 20))
    const keys: string[] = []
    for await (const object of lake.listObjects('')) keys.push(object.key)
    expect(keys).toEqual([key])
    const report = await runCheck({lake, scope: hourScope(HOUR), validator: compileValidator(await loadSchema())})
    expect(report.summary.records).toBe(10)
    expect(JSON.stringify(report)).not.toContain('pixel-tmp')
  })
})
