import {describe, expect, it} from 'vitest'
import {emptySourceMetrics, tallyFields} from './source-metrics.js'

describe('tallyFields', () => {
  it('names each field by its JSON pointer, with ~ and / escaped as RFC 6901 says', () => {
    const metrics = emptySourceMetrics()
    tallyFields({'a/b': 1, 'c~d': null, 'e~/f': 'x', plain: {'in/ner': true}}, metrics)
    expect(Object.keys(metrics.fields).sort()).toEqual(['/a~1b', '/c~0d', '/e~0~1f', '/plain', '/plain/in~1ner'])
    expect(metrics.fields['/c~0d']).toEqual({present: 1, nulls: 1, types: {null: 1}})
  })
})
