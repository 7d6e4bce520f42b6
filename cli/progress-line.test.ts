import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {progressLine} from './progress-line.js'

/** A stream that records what is written to it. */
function stream(isTTY: boolean) {
  const written: string[] = []
  return {written, stream: {isTTY, write: (text: string) => written.push(text) > 0} as unknown as NodeJS.WriteStream}
}

describe('progressLine', () => {
  beforeEach(() => {
    vi.useFakeTimers({toFake: ['Date']})
    vi.setSystemTime(new Date('2026-02-10T05:00:00Z'))
  })
  afterEach(() => {
    vi.useRealTimers()
  })
  const later = (ms: number) => vi.setSystemTime(Date.now() + ms)

  it('redraws one line in place on a terminal, at most 10 times a second, and clears it when done', () => {
    const {written, stream: tty} = stream(true)
    const progress = progressLine(tty)
    progress.update('1/3')
    progress.update('2/3')
    later(100)
    progress.update('3/3')
    progress.done()
    expect(written).toEqual(['\r\u001b[2K1/3', '\r\u001b[2K3/3', '\r\u001b[2K'])
  })

  it('writes nothing off a terminal by default', () => {
    const {written, stream: pipe} = stream(false)
    const progress = progressLine(pipe)
    later(60_000)
    progress.update('1/3', true)
    progress.done()
    expect(written).toEqual([])
  })

  it('writes a plain line at most every logEveryMs off a terminal, when asked', () => {
    const {written, stream: pipe} = stream(false)
    const progress = progressLine(pipe, {logEveryMs: 10_000})
    progress.update('at 0 s')
    later(9_999)
    progress.update('at 9.999 s')
    later(1)
    progress.update('at 10 s')
    later(5_000)
    progress.update('at 15 s')
    later(5_000)
    progress.update('at 20 s')
    progress.done()
    expect(written).toEqual(['at 10 s\n', 'at 20 s\n'])
  })
})
