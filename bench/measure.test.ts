import {describe, expect, it} from 'vitest'
import {type Measured, medianRun} from './measure.js'

/** A run that took `seconds`, with `peakRssMb`, and exited with `code`. */
const run = (seconds: number, peakRssMb: number | null, code = 0): Measured => ({seconds, peakRssMb, code, stdout: `${seconds}`, stderr: ''})

/** A measurement that answers the given runs in turn, counting its calls. */
function runsOf(...answers: Measured[]) {
  let calls = 0
  return {once: async () => answers[calls++], calls: () => calls}
}

describe('medianRun', () => {
  it('keeps the run of median time, its output, and the highest peak RSS of all runs', async () => {
    const result = await medianRun(3, runsOf(run(2.9, 410), run(2.3, 430), run(2.5, 420)).once)
    expect(result).toMatchObject({seconds: 2.5, stdout: '2.5', peakRssMb: 430, allSeconds: [2.9, 2.3, 2.5]})
  })

  it('keeps the faster of two runs', async () => {
    expect((await medianRun(2, runsOf(run(3, 1), run(2, 1)).once)).seconds).toBe(2)
  })

  it('stops at a failed run and returns it, for the caller to report', async () => {
    const runs = runsOf(run(1, null), run(1.5, null, 2), run(1.2, null))
    const result = await medianRun(3, runs.once)
    expect(result).toMatchObject({code: 2, seconds: 1.5, peakRssMb: null})
    expect(runs.calls()).toBe(2)
  })
})
