import {describe, expect, it} from 'vitest'
import {isUtf8} from 'node:buffer'
import {seededRandom} from '../../fixtures/random.js'
import {cutConcatenated, cutConcatenatedBytes, firstInvalidUtf8, splitRecords} from './split-records.js'

interface Piece {
  index: number
  value?: unknown
  unparseable?: string
  reason?: string
}

function split(text: string | Uint8Array, maxLineBytes?: number): Piece[] {
  const pieces: Piece[] = []
  splitRecords(text, {
    record: (value, index) => pieces.push({index, value}),
    unparseable: (index, reason, snippet) => pieces.push({index, unparseable: snippet, reason}),
  }, {maxLineBytes})
  return pieces
}

/** The pieces without their reasons, for comparing the string and byte forms. */
const shapes = (pieces: Piece[]) => pieces.map(({index, value, unparseable}) => ({index, value, unparseable}))

/** `{"a":"` BYTES `"}` as bytes. */
const recordWith = (...bytes: number[]) => Buffer.concat([Buffer.from('{"a":"'), Buffer.from(bytes), Buffer.from('"}')])

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
    expect(shapes(split('{"a":1}\nGET /p.gif HTTP/1.1\n{"a":2}\n'))).toEqual([
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

describe('splitRecords given bytes', () => {
  it.each([
    ['newline-delimited', '{"a":1}\n{"a":2}\n{"a":3}\n'],
    ['back to back, broken pieces and non-JSON lines', '{"a":1}{"a":}{"a":3}\nGET /p.gif\n\n  \n42'],
    ['CRLF line ends and non-ASCII text', '{"a":"caf\u00e9 \u2603 \ud83d\ude00"}\r\n{"a":"\ufffd"}\r\n'],
  ])('hands out what the string form hands out, given %s', (_, text) => {
    expect(shapes(split(Buffer.from(text)))).toEqual(shapes(split(text)))
  })

  describe.each([
    ['the bytes ff fe', [0xff, 0xfe], 'byte 0xff at offset 6'],
    ['a lone continuation byte', [0x80], 'byte 0x80 at offset 6'],
    ['an overlong slash', [0xc0, 0xaf], 'byte 0xc0 at offset 6'],
    ['a UTF-16 surrogate', [0x41, 0xed, 0xa0, 0x80], 'byte 0xed at offset 7'],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 'byte 0xf4 at offset 6'],
    ['a three-byte character cut short', [0xe2, 0x82], 'byte 0xe2 at offset 6'],
  ])('given a record holding %s', (_, bytes, where) => {
    it('reports that record as unparseable, naming the byte, and reads its neighbours', () => {
      const text = Buffer.concat([Buffer.from('{"a":1}\n'), recordWith(...bytes), Buffer.from('\n{"a":3}')])
      const pieces = split(text)
      expect(pieces.map((p) => p.value ?? 'unparseable')).toEqual([{a: 1}, 'unparseable', {a: 3}])
      expect(pieces[1]).toMatchObject({index: 1, reason: `not UTF-8: ${where} of the line`})
    })
  })

  it('reads well-formed multi-byte characters at the end of a line', () => {
    expect(split(Buffer.from('{"a":"\u00e9"}\n{"a":"\ud83d\ude00"}')).map((p) => p.value)).toEqual([{a: '\u00e9'}, {a: '\ud83d\ude00'}])
  })

  it('cuts a line longer than the longest record into the objects it holds back to back, from its bytes', () => {
    const records = Array.from({length: 5}, (_, i) => ({i, u: 'caf\u00e9 '.repeat(5)}))
    const line = records.map((r) => JSON.stringify(r)).join(' ')
    expect(split(Buffer.from(`{"a":1}\n${line}\n{"a":3}`), 100).map((p) => p.value)).toEqual([{a: 1}, ...records, {a: 3}])
  })

  it('reports a piece longer than the longest record as one unparseable piece, and reads the pieces around it', () => {
    const long = `{"a":"${'x'.repeat(200)}"}`
    const pieces = split(Buffer.from(`{"a":1}\n{"b":1}${long}{"b":2}\n{"a":3}`), 100)
    expect(pieces.map((p) => p.value ?? p.unparseable)).toEqual([{a: 1}, {b: 1}, long.slice(0, 60), {b: 2}, {a: 3}])
    expect(pieces[2]).toMatchObject({index: 2, reason: `a piece of ${long.length} bytes with no line break, longer than the longest record pixel reads (100 bytes)`})
  })

  it('skips a blank line longer than the longest record', () => {
    expect(split(Buffer.from(`{"a":1}\n${' '.repeat(300)}\n{"a":3}`), 100).map((p) => p.index)).toEqual([0, 1])
  })

  it('cuts bytes where cutConcatenated cuts the same text', () => {
    const rand = seededRandom(9)
    const alphabet = ['{', '}', '[', ']', '"', '\\', ' ', 'a', '\u00e9', ':', ',']
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({length: 1 + Math.floor(rand() * 30)}, () => alphabet[Math.floor(rand() * alphabet.length)]).join('')
      const bytes = Buffer.from(text)
      const cuts = cutConcatenatedBytes(bytes, 0, bytes.length)
      const pieces: string[] = []
      for (let k = 0; k < cuts.length; k += 2) pieces.push(bytes.toString('utf8', cuts[k], cuts[k + 1]))
      expect(pieces, text).toEqual(cutConcatenated(text))
    }
  })
})

describe('firstInvalidUtf8', () => {
  it('finds a bad byte exactly when Node\'s UTF-8 check fails, over thousands of random byte strings', () => {
    const rand = seededRandom(7)
    const pool = [0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xa0, 0xed, 0x9f, 0xef, 0xf0, 0x90, 0xf4, 0x8f, 0xf5, 0xff]
    let invalid = 0
    for (let n = 0; n < 5000; n++) {
      const bytes = Uint8Array.from({length: 1 + Math.floor(rand() * 6)}, () => pool[Math.floor(rand() * pool.length)])
      const at = firstInvalidUtf8(bytes, 0, bytes.length)
      expect(at === -1, Buffer.from(bytes).toString('hex')).toBe(isUtf8(bytes))
      if (at >= 0) {
        invalid++
        expect(isUtf8(bytes.subarray(0, at)), Buffer.from(bytes).toString('hex')).toBe(true)
      }
    }
    expect(invalid).toBeGreaterThan(1000)
    expect(invalid).toBeLessThan(5000)
  })
})

describe('cutConcatenated', () => {
  it('keeps text between objects as its own piece', () => {
    expect(cutConcatenated('{"a":1} junk {"b":2}')).toEqual(['{"a":1}', 'junk', '{"b":2}'])
  })
})
