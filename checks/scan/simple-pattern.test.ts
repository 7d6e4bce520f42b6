import {describe, expect, it} from 'vitest'
import {seededRandom} from '../../fixtures/random.js'
import {schemaCorpus} from '../../fixtures/schema-records.js'
import {nativePatternTest, nativeScannerLoaded} from './native-scan.js'
import {compileSimplePattern, matchSimplePattern} from './simple-pattern.js'

/** Every `pattern` in a schema, however deep. */
function patternsIn(schema: unknown, out: string[] = []): string[] {
  if (typeof schema !== 'object' || schema === null) return out
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'pattern' && typeof value === 'string') out.push(value)
    else patternsIn(value, out)
  }
  return out
}

const corpusPatterns = [...new Set(schemaCorpus().flatMap(({schema}) => patternsIn(schema)))]

// Shapes real schemas use, and the corners of the subset: unanchored, one-sided anchors,
// alternation, nested and counted groups, lazy quantifiers, negated classes, `.`, \s, \w, \d,
// escapes of every kind, non-ASCII and astral literals and ranges.
const PATTERNS = [
  ...corpusPatterns,
  '^[A-Za-z0-9_-]{8,64}$', '^(?:free|pro|team)$', '^(free|pro)?$', 'abc', 'a|b|cd', '^ab', 'cd$', '', '^$', '^', '$',
  '^[a-z]+(?:-[a-z]+)*$', '^\\d{3}-\\d{2}(\\d{2})?$', '^\\w+@\\w+\\.\\w{2,}$', '^[^@\\s]+@[^@\\s]+$', '^.{1,5}$', '^.*$', 'x.+?y',
  '^\\s*\\S+\\s*$', '^[\\d\\s]*$', '^[\\W]+$', '^\\D\\S\\W$', '^[.$^*+?(){}|/\\\\-]+$', '^\\$\\^\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\/\\\\$',
  '^[\\t\\n\\v\\f\\r\\b\\0]+$', '^\\x41\\u0042\\u{1F600}$', '^[é-ü]+$', '^caf[eé]$', '^[😀-😏]{2}$', '^😀+$', '^[^a-z]{0,3}$', '^[]$', '^[^]$',
  '^a{0}b{2,}c{1,1}$', '^(ab|a)(bc|c)$', '^(a*)*b$', '^(a|ab)*c$', '^[-a]+$', '^[a-]+$', '^[a-z-0]+$', '^(?:(?:a|b)c){2,3}$', '^a??b*?c+?d{1,2}?$',
  '\\$$', '\\\\$', '^\\\\\\$$',
]

// Declined: outside the subset, so the RegExp keeps them.
const DECLINED = ['^(?=a)a$', '^(?!a).$', '(?<=a)b', '(?<!a)b', '^(a)\\1$', '\\bword\\b', '\\Bx', '^\\p{L}+$', '^(?<name>a)$', '^a|b$', '^a$|^b$', 'a^b', 'a$b',
  '^\\cA$', '^[\\p{L}]$', '^a{1001}$', '^(?:a{1,1000}){1,1000}$', '^\\ud83d\\ude00$', '[']

// Strings drawn from each pattern's own characters and from hard cases: non-ASCII, astral
// characters, line terminators, escapes' characters, NUL.
const EXTRA = ['a', 'b', 'c', 'z', 'A', 'Z', '0', '9', '_', '-', '.', ' ', '\t', '\n', '\r', '\u2028', '\u00a0', '\ufeff', '\u0000', '\b', 'é', 'ü', 'ß', '€', '😀', '😏', '😐', '\u{10ffff}', '$', '^', '\\', '/', '@', '"', '(', '|']

function strings(pattern: string, rand: () => number, count: number): string[] {
  const own = [...pattern].filter((c) => !'^$\\[](){}*+?|'.includes(c))
  const alphabet = [...own, ...own, ...EXTRA]
  const out = ['', 'ABC-1234', 'u_102938', '3.12.0', 'web-shop', 'en-US', 'free', 'pro', 'team', 'ab', 'abc', 'aab', 'abcd']
  for (let k = 0; k < count; k++) {
    const length = Math.floor(rand() * (rand() < 0.8 ? 12 : 70))
    out.push(Array.from({length}, () => alphabet[Math.floor(rand() * alphabet.length)]).join(''))
  }
  return out
}

describe('compileSimplePattern', () => {
  it('compiles every pattern of the schema corpus', () => {
    expect(corpusPatterns.length).toBeGreaterThan(10)
    for (const pattern of corpusPatterns) expect(compileSimplePattern(pattern), pattern).toBeDefined()
  })

  it.each(DECLINED)('leaves %j to the RegExp', (pattern) => {
    expect(compileSimplePattern(pattern)).toBeUndefined()
  })
})

describe.each(PATTERNS)('the automaton of %j', (pattern) => {
  const code = compileSimplePattern(pattern)!
  const regexp = new RegExp(pattern, 'u')
  const texts = strings(pattern, seededRandom(pattern.length * 7919 + 1), 3000)

  it('is compiled', () => {
    expect(code).toBeDefined()
  })

  it('answers as the RegExp does, in JavaScript', () => {
    const wrong = texts.filter((text) => matchSimplePattern(code, text) !== regexp.test(text))
    expect(wrong).toEqual([])
  })

  it.runIf(nativeScannerLoaded && code !== undefined)('answers as the RegExp does, in C++ on the UTF-8 bytes', () => {
    const wrong = texts.filter((text) => nativePatternTest(code, Buffer.from(text, 'utf8')) !== regexp.test(text))
    expect(wrong).toEqual([])
  })
})

describe('the generated strings', () => {
  it('both match and miss for most patterns, so that the comparison says something', () => {
    const both = PATTERNS.filter((pattern) => {
      const regexp = new RegExp(pattern, 'u')
      const results = new Set(strings(pattern, seededRandom(pattern.length * 7919 + 1), 3000).map((t) => regexp.test(t)))
      return results.size === 2
    })
    expect(both.length).toBeGreaterThan(PATTERNS.length * 0.7)
  })
})
