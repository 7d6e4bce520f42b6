import {spawn} from 'node:child_process'
import {randomUUID} from 'node:crypto'
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {PACKAGE_ROOT} from '../package-root.js'
import {IdSpill} from './id-spill.js'
import {idBytes} from './record-id.js'

/** A record id's 16 bytes. */
function idBytesOf(id: string): Buffer {
  const out = Buffer.alloc(16)
  idBytes(id, out, 0)
  return out
}

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

describe('IdSpill.findDuplicates', () => {
  /** Copies as a Map of ids in append order finds them: [ordinal, index, first ordinal]. */
  function referenceCopies(appended: [string, number, number][]): number[][] {
    const first = new Map<string, number>()
    const copies: number[][] = []
    for (const [id, ordinal, index] of appended) {
      const earlier = first.get(id)
      if (earlier === undefined) first.set(id, ordinal)
      else copies.push([ordinal, index, earlier])
    }
    return copies.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  }

  /** `objects` objects of `perObject` ids each, every seventh a copy of an id seen before (from any object). */
  function appendedIds(objects: number, perObject: number, ordinalOf: (object: number, k: number) => number): [string, number, number][] {
    const out: [string, number, number][] = []
    for (let o = 0; o < objects; o++) {
      for (let k = 0; k < perObject; k++) {
        const id = out.length > 0 && (o * perObject + k) % 7 === 3 ? out[(o * 31 + k * 17) % out.length][0] : randomUUID()
        out.push([id, ordinalOf(o, k), k])
      }
    }
    return out
  }

  describe.each([
    ['long runs of one object each', appendedIds(12, 400, (o) => o)],
    ['runs of one id, owners in no order (a table spilled whole)', appendedIds(1, 3000, (_, k) => (k * 7919) % 101)],
    ['runs of every length around the batch threshold', appendedIds(40, 1, (o) => o).concat(appendedIds(30, 15, (o) => 100 + o), appendedIds(30, 17, (o) => 200 + o))],
  ])('on %s', (_, appended) => {
    it('finds each copy with the object that held its id first, as adding them in order would', () => {
      const spill = new IdSpill(8)
      try {
        for (const [id, ordinal, index] of appended) spill.append(idBytesOf(id), 0, ordinal, index)
        const found: number[][] = []
        spill.findDuplicates((ordinal, index, original) => found.push([ordinal, index, original]))
        const want = referenceCopies(appended)
        expect(want.length).toBeGreaterThan(0)
        expect(found.sort((a, b) => a[0] - b[0] || a[1] - b[1])).toEqual(want)
      } finally {
        spill.close()
      }
    })
  })
})
