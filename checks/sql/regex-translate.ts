/**
 * Translates an ECMAScript regular expression (as ajv runs a schema's `pattern`, with the `u`
 * flag, or ajv-formats' expressions) into one that RE2 (DuckDB's `regexp_matches`) and Java's
 * syntax (Trino's `regexp_like`) read the same way, or says why it cannot. Only what is known to
 * mean the same in all three is translated; the rest (lookaround, backreferences, Unicode property
 * escapes, `\S` inside a class, ...) is refused, so the keyword is reported as not checked rather
 * than judged differently.
 *
 * @example translateRegex('^[a-z]{2,30}$') // {pattern: '^[a-z]{2,30}\\z'}
 */
export function translateRegex(source: string, flags = ''): {pattern: string} | {reason: string} {
  let out = flags.includes('i') ? '(?i)' : ''
  let i = 0
  const refuse = (what: string) => ({reason: `${what} has no equivalent in RE2 and Java regular expressions`})
  const hex = (code: number) => `\\x{${code.toString(16).toUpperCase()}}`
  // JavaScript's \s: the ASCII spaces, NBSP, the Unicode spaces and separators, BOM.
  const SPACES = '\\t\\n\\x{B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}'

  /** One escape at `i` (the backslash), inside or outside a class; returns the translation or a refusal. */
  const escape = (inClass: boolean): string | {reason: string} => {
    const c = source[i + 1]
    if (c === undefined) return refuse('a trailing backslash')
    i += 2
    if ('dDwWtnrf'.includes(c)) return `\\${c}`
    if (c === 'b' || c === 'B') return inClass ? (c === 'b' ? hex(8) : refuse('\\B in a class')) : `\\${c}`
    if (c === 'v') return hex(11)
    if (c === 's') return inClass ? SPACES : `[${SPACES}]`
    if (c === 'S') return inClass ? refuse('\\S inside a class') : `[^${SPACES}]`
    if (c === '0' && !/[0-9]/.test(source[i] ?? '')) return hex(0)
    if (/[1-9]/.test(c)) return refuse('a backreference')
    if (c === 'x') {
      const h = /^[0-9a-fA-F]{2}/.exec(source.slice(i))
      if (!h) return refuse('a malformed \\x escape')
      i += 2
      return hex(Number.parseInt(h[0], 16))
    }
    if (c === 'u') {
      const braced = /^\{([0-9a-fA-F]{1,6})\}/.exec(source.slice(i))
      if (braced) {
        i += braced[0].length
        return hex(Number.parseInt(braced[1], 16))
      }
      const h = /^[0-9a-fA-F]{4}/.exec(source.slice(i))
      if (!h) return refuse('a malformed \\u escape')
      const code = Number.parseInt(h[0], 16)
      if (code >= 0xd800 && code <= 0xdfff) return refuse('a surrogate escape')
      i += 4
      return hex(code)
    }
    if ('^$\\.*+?()[]{}|/-'.includes(c)) return c === '/' ? '/' : `\\${c}`
    return refuse(`the escape \\${c}`)
  }

  while (i < source.length) {
    const c = source[i]
    if (c === '\\') {
      const t = escape(false)
      if (typeof t !== 'string') return t
      out += t
    } else if (c === '[') {
      i++
      let cls = '['
      if (source[i] === '^') {
        cls += '^'
        i++
      }
      if (source[i] === ']') return refuse('an empty class [] or [^]')
      let closed = false
      while (i < source.length) {
        const d = source[i]
        if (d === ']') {
          closed = true
          i++
          break
        }
        if (d === '\\') {
          const t = escape(true)
          if (typeof t !== 'string') return t
          cls += t
          continue
        }
        // Java reads [ inside a class as a nested class and && as an intersection; JavaScript reads them as themselves.
        if (d === '[' || d === '&' || d === '^') cls += `\\${d}`
        else {
          const code = d.codePointAt(0)!
          cls += code < 0x20 || code > 0x7e ? hex(code) : d
          if (code > 0xffff) i++
        }
        i++
      }
      if (!closed) return refuse('an unclosed class')
      out += `${cls}]`
    } else if (c === '(') {
      if (source.startsWith('(?:', i)) {
        out += '(?:'
        i += 3
      } else if (source.startsWith('(?<', i) && !source.startsWith('(?<=', i) && !source.startsWith('(?<!', i)) {
        // A named group only matters to backreferences, which are refused.
        const end = source.indexOf('>', i)
        if (end < 0) return refuse('a malformed group')
        out += '('
        i = end + 1
      } else if (source[i + 1] === '?') {
        return refuse('a lookahead or lookbehind')
      } else {
        out += '('
        i++
      }
    } else if (c === '.') {
      out += '[^\\n\\r\\x{2028}\\x{2029}]'
      i++
    } else if (c === '$') {
      // JavaScript's $ (no m flag) is the end of the input; Java's also matches before a final newline.
      out += '\\z'
      i++
    } else if (c === '{') {
      const q = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i))
      if (!q) {
        out += '\\{'
        i++
        continue
      }
      if (Number(q[1]) > 1000 || (q[3] !== undefined && q[3] !== '' && Number(q[3]) > 1000)) return refuse('a repetition over 1000')
      out += q[0]
      i += q[0].length
    } else if (c === '}') {
      out += '\\}'
      i++
    } else {
      const code = c.codePointAt(0)!
      out += code < 0x20 || code > 0x7e ? hex(code) : c
      i += code > 0xffff ? 2 : 1
    }
  }
  return {pattern: out}
}
