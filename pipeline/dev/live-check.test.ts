import {afterEach, describe, expect, it, vi} from 'vitest'

import {type Audit, type AuditFinding, type AuditReport, LiveCheck} from './live-check.js'

afterEach(() => {
  vi.useRealTimers()
})

const HOUR = '2026-12-02T13'

function report(findings: Partial<AuditFinding>[] = [], hours = [HOUR]): AuditReport {
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    hours: hours.map((hour) => ({hour, ended: false, objects: 1, records: 3, valid: 3, invalid: 0, duplicateRecords: 0})),
    findings: findings.map((f) => ({check: 'gap', severity: 'error', hour: HOUR, key: null, count: 0, message: 'm', ...f})),
  }
}

/** A check whose runs end when the test says, counting how many run at once. */
function gatedAudit(result: AuditReport = report()) {
  const gates: (() => void)[] = []
  const counts = {runs: 0, running: 0, most: 0}
  const audit: Audit = async () => {
    counts.runs++
    counts.running++
    counts.most = Math.max(counts.most, counts.running)
    await new Promise<void>((resolve) => gates.push(resolve))
    counts.running--
    return result
  }
  return {audit, counts, release: () => gates.shift()?.()}
}

/** Resolves once `condition` holds, looked at on every change the live check reports. */
function changes() {
  const waiting: {condition: () => boolean; resolve: () => void}[] = []
  return {
    onChange: () => {
      for (const w of [...waiting]) if (w.condition()) (waiting.splice(waiting.indexOf(w), 1), w.resolve())
    },
    until: (condition: () => boolean) => new Promise<void>((resolve) => (condition() ? resolve() : waiting.push({condition, resolve}))),
  }
}

describe('LiveCheck', () => {
  it('runs one check for a burst of requests, one more for requests during it, and never two at once', async () => {
    const {audit, counts, release} = gatedAudit()
    const seen = changes()
    const live = new LiveCheck({audit, hours: () => [HOUR], onChange: seen.onChange, debounceMs: 5})
    for (let i = 0; i < 20; i++) live.request()
    await seen.until(() => live.state().status === 'running')
    for (let i = 0; i < 20; i++) live.request()
    release()
    await seen.until(() => live.state().runs === 1 && live.state().status === 'running')
    release()
    await seen.until(() => live.state().runs === 2 && live.state().status === 'idle')
    expect(counts).toMatchObject({runs: 2, most: 1})
    await live.close()
  })

  it('gives each hour a verdict from its findings: failed with an error, warning with only warnings, ok without', async () => {
    const hours = ['2026-12-02T11', '2026-12-02T12', HOUR]
    const findings: Partial<AuditFinding>[] = [
      {check: 'freshness', severity: 'warning', hour: hours[0]},
      {check: 'freshness', severity: 'warning', hour: hours[1]},
      {check: 'corrupt-object', severity: 'error', hour: hours[1], key: 'year=2026/a.gz'},
      {check: 'schema-drift', severity: 'warning', hour: null},
    ]
    const seen = changes()
    const live = new LiveCheck({audit: async () => report(findings, hours), hours: () => hours, onChange: seen.onChange, debounceMs: 1})
    live.request()
    await seen.until(() => live.state().runs === 1)
    const state = live.state()
    expect(state.hours.map((h) => [h.hour, h.verdict, h.findings.map((f) => f.check)])).toEqual([
      [hours[0], 'warning', ['freshness']],
      [hours[1], 'failed', ['freshness', 'corrupt-object']],
      [hours[2], 'ok', []],
    ])
    expect(state.other.map((f) => f.check)).toEqual(['schema-drift'])
    expect(state.ok).toBe(false)
    await live.close()
  })

  it('reports a check that cannot run in one line, and runs again when asked', async () => {
    let fail = true
    const seen = changes()
    const audit: Audit = async () => {
      if (fail) throw new Error('cannot list the lake: EACCES\n    at stack')
      return report()
    }
    const live = new LiveCheck({audit, hours: () => [HOUR], onChange: seen.onChange, debounceMs: 1})
    live.request()
    await seen.until(() => live.state().runs === 1)
    expect(live.state().error).toBe('cannot list the lake: EACCES')
    fail = false
    live.request()
    await seen.until(() => live.state().runs === 2)
    expect(live.state()).toMatchObject({error: null, ok: true})
    await live.close()
  })

  it('does not run while nobody looks', async () => {
    vi.useFakeTimers()
    const {audit, counts} = gatedAudit()
    const live = new LiveCheck({audit, hours: () => [HOUR], onChange: () => {}, debounceMs: 1, everyMs: 1000, wanted: () => false})
    live.request()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(counts.runs).toBe(0)
    await live.close()
  })
})
