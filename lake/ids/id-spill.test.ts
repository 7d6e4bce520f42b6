import {spawn} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {PACKAGE_ROOT} from '../package-root.js'

interface Ended {
  code: number | null
  signal: NodeJS.Signals | null
  leftInTmp: string[]
}

/** Runs a child that spills ids into a TMPDIR of its own, ends it as `how` says, and lists the pixel folders it left there. */
function spillThenEnd(how: 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'exit' | 'throw'): Promise<Ended> {
  const tmp = mkdtempSync(join(tmpdir(), 'pixel-spill-test-'))
  const child = spawn(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'fixtures/test-support/spill-until-stopped.ts'), how], {
    env: {...process.env, TMPDIR: tmp},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    let killed = false
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      // A child that exits or throws by itself may be gone (and its folder removed) before this
      // chunk is read: only a child that waits for its signal can be looked at while it spills.
      if (killed || how === 'exit' || how === 'throw' || !out.includes('spilling in')) return
      killed = true
      const spilling = readdirSync(tmp).filter((name) => name.startsWith('pixel-ids-'))
      if (spilling.length !== 1) reject(new Error(`expected one pixel-ids- folder while spilling, found ${spilling.length}`))
      child.kill(how)
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      const leftInTmp = readdirSync(tmp).filter((name) => name.startsWith('pixel-'))
      rmSync(tmp, {recursive: true, force: true})
      if (!out.includes('spilling in')) reject(new Error(`the child ended before it spilled: ${out}`))
      else resolve({code, signal, leftInTmp})
    })
  })
}

describe('IdSpill', () => {
  describe.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('in a process stopped by %s while it spills', (signal) => {
    it('removes its folder and still ends by that signal', async () => {
      const ended = await spillThenEnd(signal)
      expect(ended).toEqual({code: null, signal, leftInTmp: []})
    })
  })

  it('removes its folder when the process exits without closing it', async () => {
    expect(await spillThenEnd('exit')).toEqual({code: 3, signal: null, leftInTmp: []})
  })

  it('removes its folder when an uncaught error ends the process', async () => {
    expect(await spillThenEnd('throw')).toEqual({code: 1, signal: null, leftInTmp: []})
  })
})
