import {mkdtempSync, readdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runPixel} from './test-support/run-pixel.js'

// Node 22 and later cache compiled modules on disk between runs when asked (bin/run.js asks);
// Node 20 has no such cache, and bin/run.js must run there all the same.
const cached = Number(process.versions.node.split('.')[0]) >= 22

describe('bin/run.js', () => {
  it(cached ? 'keeps a compile cache in the temporary folder' : 'runs on a Node without a compile cache, and writes none', async () => {
    // Not NODE_COMPILE_CACHE, which turns the cache on by itself: only bin/run.js's call may.
    const temporary = mkdtempSync(join(tmpdir(), 'pixel-compile-cache-'))
    const {code, stdout} = await runPixel(['--version'], {env: {TMPDIR: temporary, NODE_COMPILE_CACHE: undefined}})
    expect(code).toBe(0)
    expect(stdout).toMatch(/^pixel\/\d/)
    expect(readdirSync(temporary).includes('node-compile-cache')).toBe(cached)
  })
})
