import {describe, expect, it} from 'vitest'
import {cutConcatenated, splitRecords} from './split-records.js'

interface Piece {
  index: number
  value?: unknown
  unparseable?: string
}

function split(text: string): Piece[] {
  const pieces: Piece[] = []
  splitRecords(text, {
    record: (value, index) => pieces.push({index, value}),
    unparseable: (index, _reason, snippet) => pieces.push({index, unparseable: snippet}),
  })
  return pieces
}

describe('splitRecords', () => {
  describe.each([
    ['newline-delimited', '{"a":1}\n{"a":2}\n{"a":3}\n'],
    ['back to back with no delimiter', '{"a":1}{"a":2}{"a":3}'],
    ['a mix of both', '{"a":1}\n{"a":2}{"a":3}'],
    ['CRLF line ends and blank lines', '{"a":1}\r\n\r\n{"a":2}\r\n{"a":3}'],
    ['whitespace between objects', '{"a":1}  {"a":2}\t{"a":3}\n\n'],
  ])('with %s', (_, text) => {
    it('reads the three records in order', () => {
      expect(split(text)).toEqual([1, 2, 3].map((a, index) => ({index, value: {a}})))
    })
  })

  it('does not cut at braces inside strings', () => {
    expect(split('{"u":"a}{b","q":"\\"}"}{"u":"{"}').map((p) => p.value)).toEqual([{u: 'a}{b', q: '"}'}, {u: '{'}])
  })

  it('reports a line that is not JSON and keeps reading after it', () => {
    expect(split('{"a":1}\nGET /p.gif HTTP/1.1\n{"a":2}\n')).toEqual([
      {index: 0, value: {a: 1}},
      {index: 1, unparseable: 'GET /p.gif HTTP/1.1'},
      {index: 2, value: {a: 2}},
    ])
  })

  it('reports a broken object between good ones written back to back', () => {
    const pieces = split('{"a":1}{"a":}{"a":3}')
    expect(pieces.map((p) => p.value ?? p.unparseable)).toEqual([{a: 1}, '{"a":}', {a: 3}])
  })

  it('hands out JSON that is not an object as a record, for the schema to judge', () => {
    expect(split('42\n"text"\n').map((p) => p.value)).toEqual([42, 'text'])
  })
})

describe('cutConcatenated', () => {
  it('keeps text between objects as its own piece', () => {
    expect(cutConcatenated('{"a":1} junk {"b":2}')).toEqual(['{"a":1}', 'junk', '{"b":2}'])
  })
})
