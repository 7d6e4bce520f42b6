import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {TransformFileError} from './errors.js'
import {compileTransform, loadTransform} from './transform-file.js'

type Rec = Record<string, unknown>

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pixel-transform-')), name)
  writeFileSync(path, text)
  return path
}

describe('the ops of a transform file', () => {
  describe.each([
    {op: {op: 'set', pointer: '/source', value: 'pixel'}, input: {source: 'bot'}, output: {source: 'pixel'}},
    {op: {op: 'set', pointer: '/params/ref', value: 'x'}, input: {}, output: {params: {ref: 'x'}}},
    {op: {op: 'replace', pointer: '/ts', regex: '^(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2})$', with: '$1T$2.000Z'}, input: {ts: '2026-02-10 05:01:02'}, output: {ts: '2026-02-10T05:01:02.000Z'}},
    {op: {op: 'replace', pointer: '/badge', regex: '-', with: '_'}, input: {badge: 'a-b-c'}, output: {badge: 'a_b_c'}},
    {op: {op: 'replace', pointer: '/n', regex: '1', with: '2'}, input: {n: 1}, output: {n: 1}},
    {op: {op: 'remove', pointer: '/evil'}, input: {evil: 1, ok: 2}, output: {ok: 2}},
    {op: {op: 'remove', pointer: '/a~1b'}, input: {'a/b': 1}, output: {}},
    {op: {op: 'cast', pointer: '/schema_version', to: 'integer'}, input: {schema_version: '1'}, output: {schema_version: 1}},
    {op: {op: 'cast', pointer: '/schema_version', to: 'integer'}, input: {schema_version: '1.5'}, output: {schema_version: '1.5'}},
    {op: {op: 'cast', pointer: '/flag', to: 'boolean'}, input: {flag: 'false'}, output: {flag: false}},
    {op: {op: 'cast', pointer: '/campaign', to: 'null'}, input: {campaign: ''}, output: {campaign: null}},
    {op: {op: 'cast', pointer: '/id', to: 'string'}, input: {id: 42}, output: {id: '42'}},
  ])('$op.op $op.pointer on $input', ({op, input, output}) => {
    it(`gives ${JSON.stringify(output)}, leaving the input as it was`, () => {
      const before = structuredClone(input)
      expect(compileTransform({flows: [{ops: [op]}]})(input)).toEqual(output)
      expect(input).toEqual(before)
    })
  })
})

describe('the flows of a transform file', () => {
  const fix = compileTransform({
    flows: [
      {when: [{pointer: '/source', equals: 'bot'}, {pointer: '/badge', exists: true}], ops: [{op: 'set', pointer: '/source', value: 'pixel'}]},
      {when: [{pointer: '/ts', matches: '^\\d{4}-\\d{2}-\\d{2} '}], ops: [{op: 'set', pointer: '/fixed', value: 'ts'}]},
      {when: [{pointer: '/source', equals: 'bot'}], ops: [{op: 'set', pointer: '/fixed', value: 'second'}]},
      {when: [{pointer: '/evil', exists: false}, {pointer: '/kind', equals: 'last'}], ops: [{op: 'set', pointer: '/fixed', value: 'last'}]},
    ],
  })

  it('applies only the first flow whose conditions all hold', () => {
    expect(fix({source: 'bot', badge: 'b'})).toEqual({source: 'pixel', badge: 'b'})
    expect(fix({source: 'bot'})).toEqual({source: 'bot', fixed: 'second'})
    expect(fix({ts: '2026-02-10 05:00:00', source: 'bot', badge: 'b'})).toEqual({ts: '2026-02-10 05:00:00', source: 'pixel', badge: 'b'})
    expect(fix({ts: '2026-02-10 05:00:00'})).toEqual({ts: '2026-02-10 05:00:00', fixed: 'ts'})
  })

  it('passes a record no flow matches unchanged', () => {
    expect(fix({kind: 'last', evil: 1})).toEqual({kind: 'last', evil: 1})
    expect(fix({kind: 'last'})).toEqual({kind: 'last', fixed: 'last'})
  })

  it('matches every record with a flow that has no conditions', () => {
    expect(compileTransform({flows: [{ops: [{op: 'remove', pointer: '/x'}]}]})({x: 1, y: 2})).toEqual({y: 2})
  })
})

describe('a transform file that is wrong', () => {
  describe.each([
    {spec: {}, message: /flows: must be a non-empty array/},
    {spec: {flows: [], extra: 1}, message: /unknown field "extra"/},
    {spec: {flows: [{ops: [{op: 'sett', pointer: '/a', value: 1}]}]}, message: /flows\[0\]\.ops\[0\]\.op: unknown op "sett" \(use set, replace, remove or cast\)/},
    {spec: {flows: [{ops: [{op: 'set', pointer: 'source', value: 1}]}]}, message: /flows\[0\]\.ops\[0\]\.pointer: "source" is not a JSON pointer/},
    {spec: {flows: [{ops: [{op: 'remove', pointer: ''}]}]}, message: /cannot change the whole record/},
    {spec: {flows: [{ops: [{op: 'replace', pointer: '/a', regex: '(', with: ''}]}]}, message: /flows\[0\]\.ops\[0\]\.regex: is not a valid regular expression/},
    {spec: {flows: [{ops: [{op: 'cast', pointer: '/a', to: 'date'}]}]}, message: /\.to: must be one of string, integer, number, boolean, null/},
    {spec: {flows: [{when: [{pointer: '/a'}], ops: []}]}, message: /flows\[0\]\.when\[0\]: needs exactly one of equals, matches, exists/},
    {spec: {flows: [{ops: [{op: 'set', pointer: '/a'}]}]}, message: /set needs a "value"/},
  ])('$spec', ({spec, message}) => {
    it('is refused with one line naming the place', () => {
      expect(() => compileTransform(spec, 'fix.json')).toThrow(TransformFileError)
      expect(() => compileTransform(spec, 'fix.json')).toThrow(message)
    })
  })

  it('is refused when it is not JSON or missing', async () => {
    await expect(loadTransform(file('fix.json', '{"flows": ['))).rejects.toThrow(/^transform file .*fix\.json is not JSON/)
    await expect(loadTransform('/nonexistent/fix.json')).rejects.toThrow(/^cannot read transform file \/nonexistent\/fix\.json: ENOENT$/)
  })
})

describe('a transform module', () => {
  it('loads the default export and uses it as the transform', async () => {
    const fix = await loadTransform(file('fix.mjs', 'export default (r) => (r.drop ? null : {...r, badge: r.badge.toUpperCase()})'))
    expect(await fix({badge: 'abc'})).toEqual({badge: 'ABC'})
    expect(await fix({badge: 'abc', drop: true})).toBeNull()
  })

  it('is refused without a default function', async () => {
    await expect(loadTransform(file('fix.mjs', 'export const fix = (r) => r'))).rejects.toThrow(/has no default export \(record\) => record \| null/)
    await expect(loadTransform(file('broken.mjs', 'export default (r) => {'))).rejects.toThrow(/^cannot load transform module/)
  })
})

describe('loading a transform file from disk', () => {
  it('compiles the JSON file it reads', async () => {
    const fix = await loadTransform(file('fix.json', JSON.stringify({flows: [{ops: [{op: 'cast', pointer: '/v', to: 'number'}]}]})))
    expect(fix({v: '2.5'} as Rec)).toEqual({v: 2.5})
  })
})
