import {describe, expect, it} from 'vitest'
import type {NotifySummary} from './notify-summary.js'
import {snsSubject} from './sns-target.js'

function summary(fields: Partial<NotifySummary>): NotifySummary {
  return {verdict: 'failed', scope: '2026-02-10', lake: 's3://b/events/', failOn: 'error', errors: 9, warnings: 5, records: 10, objects: 1, top: [], more: 0, ...fields}
}

describe('snsSubject', () => {
  it('says the verdict, the scope, the counts and the lake', () => {
    expect(snsSubject(summary({}))).toBe('pixel check failed: 2026-02-10, 9 errors, 5 warnings - s3://b/events/')
  })

  it.each([
    ['a long lake', {lake: `s3://b/${'p/'.repeat(60)}`}],
    ['a long range and a long lake', {scope: '2026-02-01 to 2026-02-28', errors: 123456789, warnings: 987654321, lake: `/srv/${'x'.repeat(200)}`}],
    ['a lake folder with non-ASCII, control and bidi characters', {lake: '/srv/läke\u202e\n\u0007'}],
  ])('stays printable ASCII under 100 characters with %s', (_what, fields) => {
    const subject = snsSubject(summary(fields))
    expect(subject.length).toBeLessThan(100)
    expect(subject).toMatch(/^pixel check failed: [\x20-\x7e]+$/)
  })
})
