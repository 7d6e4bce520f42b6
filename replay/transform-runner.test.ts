import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {TransformFileError, TransformTimeoutError} from './errors.js'
import {RecordTimedOut, TransformInterrupted, startTransform} from './transform-runner.js'

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pixel-transform-')), name)
  writeFileSync(path, text)
  return path
}

const records = [{n: 1}, {n: 2, stuck: true}, {n: 3}]

describe('a transform run in a worker', () => {
  it('applies a JS module to a batch: fixed, dropped, thrown on, not JSON', async () => {
    const path = file('fix.mjs', `export default (r) => {
      if (r.n === 1) return {...r, fixed: true}
      if (r.n === 2) return null
      if (r.n === 3) throw new Error('no good')
      return {big: 10n}
    }`)
    const transform = await startTransform(path, {timeoutMs: 5000})
    try {
      expect(await transform.apply([{n: 1}, {n: 2}, {n: 3}, {n: 4}])).toEqual([
        {value: {n: 1, fixed: true}},
        {value: null},
        {error: 'the transform threw: no good'},
        {error: expect.stringMatching(/^the transform returned a value that is not JSON: .*BigInt/)},
      ])
      // The worker goes on after a batch.
      expect(await transform.apply([{n: 1}])).toEqual([{value: {n: 1, fixed: true}}])
    } finally {
      await transform.close()
    }
  })

  describe.each([
    {kind: 'a loop that never ends', body: 'for (;;) {}'},
    {kind: 'a promise that never settles', body: 'return new Promise(() => {})'},
  ])('a module with $kind on one record', ({body}) => {
    it('is stopped after the time limit, naming that record', async () => {
      const path = file('stuck.mjs', `export default async (r) => { if (r.stuck) { ${body} } return r }`)
      const transform = await startTransform(path, {timeoutMs: 300})
      try {
        const error = await transform.apply(records).then(() => undefined, (e: unknown) => e)
        expect(error).toBeInstanceOf(RecordTimedOut)
        expect((error as RecordTimedOut).offset).toBe(1)
      } finally {
        await transform.close()
      }
    })
  })

  it('stops a JSON fix-up file whose regex backtracks without end, as a timeout', async () => {
    const path = file('fix.json', JSON.stringify({flows: [{when: [{pointer: '/ua', matches: '^(a+)+$'}], ops: [{op: 'remove', pointer: '/ua'}]}]}))
    const transform = await startTransform(path, {timeoutMs: 300})
    try {
      await expect(transform.apply([{ua: 'b'}, {ua: `${'a'.repeat(40)}!`}])).rejects.toMatchObject({offset: 1})
    } finally {
      await transform.close()
    }
  })

  it('gives way at once to the signal, even inside a loop that never ends', async () => {
    const path = file('loop.mjs', 'export default () => { for (;;) {} }')
    const transform = await startTransform(path, {timeoutMs: 600_000})
    const controller = new AbortController()
    const applying = transform.apply([{n: 1}], controller.signal)
    setTimeout(() => controller.abort(), 50)
    await expect(applying).rejects.toBeInstanceOf(TransformInterrupted)
    await transform.close()
  })

  it('refuses a module that loops forever while it loads, in one line', async () => {
    const path = file('top.mjs', 'for (;;) {}\nexport default (r) => r')
    await expect(startTransform(path, {timeoutMs: 300})).rejects.toThrow(TransformTimeoutError)
    await expect(startTransform(path, {timeoutMs: 300})).rejects.toThrow(`transform ${path} did not load within 0.3s`)
  })

  it('refuses a module without a default function, and a bad fix-up file, with the loader\'s own line', async () => {
    await expect(startTransform(file('none.mjs', 'export const x = 1'), {timeoutMs: 5000})).rejects.toThrow(TransformFileError)
    await expect(startTransform(file('none.mjs', 'export const x = 1'), {timeoutMs: 5000})).rejects.toThrow(/has no default export/)
    await expect(startTransform(file('bad.json', '{"flows": [{"ops": [{"op": "sett"}]}]}'), {timeoutMs: 5000})).rejects.toThrow(/flows\[0\]\.ops\[0\]\.op: unknown op "sett"/)
  })
})
