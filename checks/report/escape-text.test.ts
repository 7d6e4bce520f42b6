import {describe, expect, it} from 'vitest'
import {escapeHtml, escapeTerminal, escapeXml, jsonForScript} from './escape-text.js'

describe('escapeTerminal', () => {
  it.each([
    ['an escape sequence that would clear the screen', 'ua\u001b[2J', 'ua\\x1b[2J'],
    ['a carriage return that would overwrite the line', 'ok\rFAKE', 'ok\\x0dFAKE'],
    ['a C1 control character', 'a\u009bb', 'a\\x9bb'],
    ['a bidi override that would reverse the text', 'evil\u202Etxt.exe', 'evil\\u202etxt.exe'],
    ['a newline inside a value', 'line1\nline2', 'line1\\x0aline2'],
  ])('makes %s visible', (_, input, expected) => {
    expect(escapeTerminal(input)).toBe(expected)
  })

  it('leaves ordinary text, including non-ASCII letters, alone', () => {
    expect(escapeTerminal('Mozilla/5.0 (Mac) — café 日本')).toBe('Mozilla/5.0 (Mac) — café 日本')
  })
})

describe('escapeXml', () => {
  it('escapes markup and quotes', () => {
    expect(escapeXml(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &apos;y&apos;)&lt;/script&gt;')
  })

  it('replaces characters XML 1.0 cannot hold', () => {
    expect(escapeXml('a\u0000b\u0008c')).toBe('a\\x00b\\x08c')
  })
})

describe('escapeHtml', () => {
  it.each([
    ['a script element', '</script><script>alert(1)</script>', '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['an attribute breakout', `x" onmouseover='alert(1)'`, 'x&quot; onmouseover=&#39;alert(1)&#39;'],
    ['an entity that would decode to markup', '&lt;img&gt;', '&amp;lt;img&amp;gt;'],
    ['a bidi override that would reorder a key', 'evil\u202Etxt.gz', 'evil\\u202etxt.gz'],
  ])('keeps %s as text', (_, input, expected) => {
    expect(escapeHtml(input)).toBe(expected)
  })
})

describe('jsonForScript', () => {
  const hostile = {key: '</script><script>alert(1)</script>', ua: '<!-- <img src=x onerror=alert(1)> & \u2028\u2029'}

  it('holds no character that can end or bend a script element', () => {
    expect(jsonForScript(hostile)).not.toMatch(/[<>&\u2028\u2029]/)
  })

  it('parses back to the same value', () => {
    expect(JSON.parse(jsonForScript(hostile))).toEqual(hostile)
  })
})
