import {describe, expect, it} from 'vitest'
import {FieldLocator, type LocatedValue} from './field-locator.js'

function locate(lines: string[], name: string): (string | null)[] {
  const text = Buffer.from(lines.join('\n'))
  const locator = new FieldLocator(text, name)
  const out: LocatedValue = {start: 0, end: 0, string: false, escaped: false}
  let start = 0
  return lines.map((line) => {
    const end = start + Buffer.byteLength(line)
    const found = locator.find(start, end, out) ? `${out.string ? (out.escaped ? 'e' : 's') : 'l'}:${text.toString('utf8', out.start, out.end)}` : null
    start = end + 1
    return found
  })
}

describe('FieldLocator', () => {
  it('finds a top-level string or literal value in each line, and nothing where a line lacks it', () => {
    expect(locate(['{"a":1,"source":"canary"}', '{"a":2}', '{"source" : 7 }', '{"b":"source","source":"pixel"}'], 'source'))
      .toEqual(['s:canary', null, 'l:7', 's:pixel'])
  })

  it('skips the same name inside a nested object when the schema allows maps', () => {
    expect(locate(['{"params":{"source":"canary"},"source":"pixel"}', '{"params":{"source":"canary"}}', '{"page":"x{y","source":"canary"}'], 'source'))
      .toEqual(['s:pixel', null, 's:canary'])
  })

  it('skips the name inside an array of objects and inside strings with escapes, and takes the last of repeated names', () => {
    expect(locate(['{"list":[{"source":"canary"}],"source":"pixel"}', '{"ua":"a \\"q\\" {","source":"canary"}', '{"source":"pixel","source":"canary"}'], 'source'))
      .toEqual(['s:pixel', 's:canary', 's:canary'])
  })

  it('reads a string with escapes to its real closing quote, and says it is escaped', () => {
    expect(locate(['{"source":"can\\"ary","b":1}', '{"source":"caf\\u00e9"}'], 'source')).toEqual(['e:can\\"ary', 'e:caf\\u00e9'])
  })

  it('does not take a value that merely reads like the name', () => {
    expect(locate(['{"badge":"source","x":"y"}'], 'source')).toEqual([null])
  })
})
