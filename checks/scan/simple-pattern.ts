/**
 * The ECMAScript patterns real schemas use (`^[A-Z]{3}-[0-9]{4}$`, `^u_[0-9]{4,10}$`,
 * `^[a-z]{2}(-[A-Z]{2})?$`, `^(?:free|pro)$`...) compiled into a small automaton that the native
 * scanner (native/fast_scan.cc) runs on a string's UTF-8 bytes, so that a line whose strings have
 * patterns stays in C++. `matchSimplePattern` is its JavaScript twin, held equal to the native
 * matcher and to the RegExp (with ajv's `u` flag) by checks/scan/simple-pattern.test.ts.
 *
 * The subset: literals, `.`, classes (`[...]`, `[^...]`, ranges, `\d \w \s` and their negations),
 * groups `(...)` and `(?:...)`, alternation, the quantifiers `? * + {n} {n,} {n,m}` (greedy or
 * lazy: `test` asks only whether a match exists, which they do not change), and `^` / `$` at
 * the pattern's two ends. Anything else (lookaround, backreferences, `\b`, `\p{...}`, named
 * groups, anchors elsewhere, a pattern of more than MAX_STATES states) is declined: the pattern
 * stays with the RegExp.
 *
 * The pattern is compiled into a nondeterministic automaton (Thompson's construction), then into
 * a deterministic one over the code point intervals its classes tell apart, so that matching is
 * one table lookup per code point. The program, one Int32Array:
 *   [0] symbols S, [1] states N, [2] the start state, [3] flags (1: accept as soon as a state
 *   accepts, the pattern having no final `$`);
 *   [4, 132): the symbol of each ASCII code point;
 *   then S ints: the lowest code point of each symbol's interval, ascending (symbol k covers
 *   [low(k), low(k + 1)));
 *   then N ints: 1 where the state accepts;
 *   then N * S ints: the next state, -1 for none (no match can follow).
 */

const MATCH = 0
const CLASS = 1
const SPLIT = 2
/** Larger automata (long counted repetitions, blow-ups of the subset construction) are left to the RegExp. */
const MAX_STATES = 2000
const MAX_DFA_STATES = 512
const MAX_SYMBOLS = 256
const MAX_CODE_POINT = 0x10ffff

type Ranges = [number, number][]
type Ast =
  | {kind: 'class'; ranges: Ranges}
  | {kind: 'seq'; items: Ast[]}
  | {kind: 'alt'; items: Ast[]}
  | {kind: 'repeat'; min: number; max: number; item: Ast}

class Declined extends Error {}

const DIGIT: Ranges = [[0x30, 0x39]]
const WORD: Ranges = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]]
// ECMAScript's WhiteSpace and LineTerminator: what \s matches.
const SPACE: Ranges = [[0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff]]
// `.` without the s flag: anything but a line terminator.
const LINE_TERMINATORS: Ranges = [[0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]]
// Characters that may be escaped to stand for themselves under the u flag.
const SYNTAX = new Set('^$\\.*+?()[]{}|/')

/** Sorted, merged ranges. */
function normalize(ranges: Ranges): Ranges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0])
  const out: Ranges = []
  for (const [low, high] of sorted) {
    const last = out.at(-1)
    if (last && low <= last[1] + 1) last[1] = Math.max(last[1], high)
    else out.push([low, high])
  }
  return out
}

function complement(ranges: Ranges): Ranges {
  const out: Ranges = []
  let from = 0
  for (const [low, high] of normalize(ranges)) {
    if (low > from) out.push([from, low - 1])
    from = high + 1
  }
  if (from <= MAX_CODE_POINT) out.push([from, MAX_CODE_POINT])
  return out
}

/** Reads a pattern's source, code point by code point, into the AST of the subset. */
class Parser {
  private readonly chars: number[]
  private i = 0

  constructor(source: string) {
    this.chars = [...source].map((c) => c.codePointAt(0)!)
  }

  parse(): {ast: Ast; anchoredStart: boolean; anchoredEnd: boolean} {
    const chars = this.chars
    let end = chars.length
    const anchoredStart = chars[0] === 0x5e
    if (anchoredStart) this.i = 1
    // A final `$` is an anchor unless an odd number of backslashes escapes it.
    let slashes = 0
    for (let k = end - 2; k >= this.i && chars[k] === 0x5c; k--) slashes++
    const anchoredEnd = end > this.i && chars[end - 1] === 0x24 && slashes % 2 === 0
    if (anchoredEnd) end--
    this.chars.length = end
    const ast = this.alternation()
    if (this.i !== end) throw new Declined()
    // `^a|b$` anchors one alternative each: not the subset's shape.
    if ((anchoredStart || anchoredEnd) && ast.kind === 'alt') throw new Declined()
    return {ast, anchoredStart, anchoredEnd}
  }

  private peek(): number | undefined {
    return this.chars[this.i]
  }

  private alternation(): Ast {
    const items = [this.sequence()]
    while (this.peek() === 0x7c) {
      this.i++
      items.push(this.sequence())
    }
    return items.length === 1 ? items[0] : {kind: 'alt', items}
  }

  private sequence(): Ast {
    const items: Ast[] = []
    for (let c = this.peek(); c !== undefined && c !== 0x7c && c !== 0x29; c = this.peek()) items.push(this.quantified(this.atom()))
    return items.length === 1 ? items[0] : {kind: 'seq', items}
  }

  private number(): number | undefined {
    const from = this.i
    let n = 0
    while (this.peek() !== undefined && this.peek()! >= 0x30 && this.peek()! <= 0x39) n = n * 10 + this.chars[this.i++] - 0x30
    return this.i === from ? undefined : n
  }

  private quantified(item: Ast): Ast {
    const c = this.peek()
    let min: number
    let max: number
    if (c === 0x2a) [min, max] = [0, Infinity]
    else if (c === 0x2b) [min, max] = [1, Infinity]
    else if (c === 0x3f) [min, max] = [0, 1]
    else if (c === 0x7b) {
      this.i++
      const low = this.number()
      if (low === undefined) throw new Declined()
      let high: number | undefined = low
      if (this.peek() === 0x2c) {
        this.i++
        high = this.number() ?? Infinity
      }
      if (this.peek() !== 0x7d || high < low || low > 1000 || (high !== Infinity && high > 1000)) throw new Declined()
      ;[min, max] = [low, high]
    } else return item
    this.i++
    if (this.peek() === 0x3f) this.i++ // lazy: the same matches exist
    const next = this.peek()
    if (next === 0x2a || next === 0x2b || next === 0x3f || next === 0x7b) throw new Declined()
    return {kind: 'repeat', min, max, item}
  }

  private atom(): Ast {
    const c = this.chars[this.i++]
    switch (c) {
      case 0x28: {
        // ( or (?: ; lookaround and named groups are outside the subset.
        if (this.peek() === 0x3f) {
          if (this.chars[this.i + 1] !== 0x3a) throw new Declined()
          this.i += 2
        }
        const inner = this.alternation()
        if (this.chars[this.i++] !== 0x29) throw new Declined()
        // A sequence of its own, so that the group's alternation is not taken for the pattern's.
        return {kind: 'seq', items: [inner]}
      }
      case 0x5b:
        return {kind: 'class', ranges: this.characterClass()}
      case 0x2e:
        return {kind: 'class', ranges: complement(LINE_TERMINATORS)}
      case 0x5c:
        return {kind: 'class', ranges: this.escape(false)}
      case 0x5e:
      case 0x24:
      case 0x29:
      case 0x5d:
      case 0x7b:
      case 0x7d:
      case 0x2a:
      case 0x2b:
      case 0x3f:
        throw new Declined()
      default:
        return {kind: 'class', ranges: [[c, c]]}
    }
  }

  /** After a backslash: the ranges it stands for. */
  private escape(inClass: boolean): Ranges {
    const c = this.chars[this.i++]
    if (c === undefined) throw new Declined()
    const ch = String.fromCodePoint(c)
    switch (ch) {
      case 'd': return DIGIT
      case 'D': return complement(DIGIT)
      case 'w': return WORD
      case 'W': return complement(WORD)
      case 's': return SPACE
      case 'S': return complement(SPACE)
      case 't': return [[0x09, 0x09]]
      case 'n': return [[0x0a, 0x0a]]
      case 'v': return [[0x0b, 0x0b]]
      case 'f': return [[0x0c, 0x0c]]
      case 'r': return [[0x0d, 0x0d]]
      case '0': {
        const next = this.peek()
        if (next !== undefined && next >= 0x30 && next <= 0x39) throw new Declined()
        return [[0, 0]]
      }
      case 'x': {
        const hex = this.hex(2)
        return [[hex, hex]]
      }
      case 'u': {
        let code: number
        if (this.peek() === 0x7b) {
          this.i++
          const from = this.i
          while (this.peek() !== undefined && this.peek() !== 0x7d) this.i++
          const text = String.fromCodePoint(...this.chars.slice(from, this.i))
          this.i++
          if (!/^[0-9a-fA-F]{1,6}$/.test(text)) throw new Declined()
          code = Number.parseInt(text, 16)
        } else code = this.hex(4)
        // A surrogate (perhaps half of a pair spelled as two escapes) is left to the RegExp.
        if (code > MAX_CODE_POINT || (code >= 0xd800 && code <= 0xdfff)) throw new Declined()
        return [[code, code]]
      }
      case 'b':
        if (inClass) return [[0x08, 0x08]]
        throw new Declined()
      case '-':
        if (inClass) return [[c, c]]
        throw new Declined()
      default:
        if (SYNTAX.has(ch)) return [[c, c]]
        throw new Declined() // \b, \B, \p, \k, backreferences, \c...
    }
  }

  private hex(count: number): number {
    const text = String.fromCodePoint(...this.chars.slice(this.i, this.i + count))
    if (text.length !== count || !/^[0-9a-fA-F]+$/.test(text)) throw new Declined()
    this.i += count
    return Number.parseInt(text, 16)
  }

  private characterClass(): Ranges {
    let negated = false
    if (this.peek() === 0x5e) {
      negated = true
      this.i++
    }
    const ranges: Ranges = []
    for (;;) {
      const c = this.peek()
      if (c === undefined) throw new Declined()
      if (c === 0x5d) {
        this.i++
        break
      }
      const low = this.classAtom()
      if (this.peek() === 0x2d && this.chars[this.i + 1] !== 0x5d && this.chars[this.i + 1] !== undefined) {
        this.i++
        const high = this.classAtom()
        // Under the u flag a class escape cannot end a range; the RegExp refused those already.
        if (low.length !== 1 || high.length !== 1 || low[0][0] !== low[0][1] || high[0][0] !== high[0][1] || low[0][0] > high[0][0]) throw new Declined()
        ranges.push([low[0][0], high[0][0]])
      } else ranges.push(...low)
    }
    return negated ? complement(ranges) : normalize(ranges)
  }

  private classAtom(): Ranges {
    const c = this.chars[this.i++]
    if (c === 0x5c) return this.escape(true)
    return [[c, c]]
  }
}

/** Thompson's construction, from the end of the pattern backwards: state 0 is MATCH. */
function nfa(ast: Ast): {states: [number, number, number][]; classes: Ranges[]; start: number} {
  const states: [number, number, number][] = [[MATCH, 0, 0]]
  const classes: Ranges[] = []
  const add = (state: [number, number, number]) => {
    if (states.length >= MAX_STATES) throw new Declined()
    states.push(state)
    return states.length - 1
  }
  const emit = (node: Ast, next: number): number => {
    switch (node.kind) {
      case 'class':
        classes.push(node.ranges)
        return add([CLASS, classes.length - 1, next])
      case 'seq': {
        let at = next
        for (let k = node.items.length - 1; k >= 0; k--) at = emit(node.items[k], at)
        return at
      }
      case 'alt': {
        let at = emit(node.items[node.items.length - 1], next)
        for (let k = node.items.length - 2; k >= 0; k--) at = add([SPLIT, emit(node.items[k], next), at])
        return at
      }
      case 'repeat': {
        let at = next
        if (node.max === Infinity) {
          const loop = add([SPLIT, -1, next])
          states[loop][1] = emit(node.item, loop)
          at = loop
        } else {
          for (let k = 0; k < node.max - node.min; k++) at = add([SPLIT, emit(node.item, at), next])
        }
        for (let k = 0; k < node.min; k++) at = emit(node.item, at)
        return at
      }
    }
  }
  return {states, classes, start: emit(ast, 0)}
}

/** The subset construction over the intervals of code points that no class splits. */
function dfa(parsed: {ast: Ast; anchoredStart: boolean; anchoredEnd: boolean}): Int32Array {
  const {states, classes, start} = nfa(parsed.ast)
  // Symbols: the intervals between every class's boundaries.
  const bounds = new Set([0])
  for (const ranges of classes) for (const [low, high] of ranges) bounds.add(low).add(high + 1)
  const lows = [...bounds].filter((b) => b <= MAX_CODE_POINT).sort((a, b) => a - b)
  if (lows.length > MAX_SYMBOLS) throw new Declined()
  const contains = (ranges: Ranges, c: number) => ranges.some(([low, high]) => c >= low && c <= high)
  // Per NFA class state, the symbols it takes.
  const takes = states.map(([op, a]) => (op === CLASS ? lows.map((low) => contains(classes[a], low)) : []))
  const closure = (seeds: number[]): number[] => {
    const seen = new Set<number>()
    const stack = [...seeds]
    while (stack.length > 0) {
      const s = stack.pop()!
      if (seen.has(s)) continue
      seen.add(s)
      if (states[s][0] === SPLIT) stack.push(states[s][1], states[s][2])
    }
    return [...seen].filter((s) => states[s][0] !== SPLIT).sort((a, b) => a - b)
  }
  const startSet = closure([start])
  const sets: number[][] = []
  const index = new Map<string, number>()
  const intern = (set: number[]): number => {
    if (set.length === 0) return -1
    const key = set.join(',')
    let k = index.get(key)
    if (k === undefined) {
      if (sets.length >= MAX_DFA_STATES) throw new Declined()
      k = sets.length
      sets.push(set)
      index.set(key, k)
    }
    return k
  }
  intern(startSet)
  const acceptEarly = !parsed.anchoredEnd
  const transitions: number[][] = []
  for (let k = 0; k < sets.length; k++) {
    const row: number[] = []
    const accepting = sets[k].includes(0)
    for (let symbol = 0; symbol < lows.length; symbol++) {
      // Without a final `$`, a state that accepts has matched already: it needs no way on.
      if (accepting && acceptEarly) {
        row.push(k)
        continue
      }
      const seeds = sets[k].filter((s) => states[s][0] === CLASS && takes[s][symbol]).map((s) => states[s][2])
      // Without a leading `^`, a match may start at any code point.
      if (!parsed.anchoredStart) seeds.push(start)
      row.push(intern(closure(seeds)))
    }
    transitions.push(row)
  }
  const symbolCount = lows.length
  const stateCount = sets.length
  const code = new Int32Array(4 + 128 + symbolCount + stateCount + stateCount * symbolCount)
  code.set([symbolCount, stateCount, 0, acceptEarly ? 1 : 0])
  for (let c = 0; c < 128; c++) {
    let symbol = 0
    while (symbol + 1 < symbolCount && lows[symbol + 1] <= c) symbol++
    code[4 + c] = symbol
  }
  code.set(lows, 4 + 128)
  const acceptAt = 4 + 128 + symbolCount
  sets.forEach((set, k) => {
    code[acceptAt + k] = set.includes(0) ? 1 : 0
  })
  transitions.forEach((row, k) => code.set(row, acceptAt + stateCount + k * symbolCount))
  return code
}

/**
 * The automaton for an ECMAScript pattern (read with the `u` flag, as ajv does), or undefined
 * when the pattern is outside the subset this file describes.
 *
 * @example compileSimplePattern('^[A-Z]{3}-[0-9]{4}$') // Int32Array [...]
 */
export function compileSimplePattern(source: string): Int32Array | undefined {
  try {
    new RegExp(source, 'u')
  } catch {
    return undefined
  }
  try {
    return dfa(new Parser(source).parse())
  } catch (error) {
    if (error instanceof Declined) return undefined
    throw error
  }
}

/**
 * Whether the automaton matches somewhere in `text` (RegExp.test's question): the JavaScript twin
 * of the native matcher, reading the string by code points as the `u` flag does.
 *
 * @example matchSimplePattern(compileSimplePattern('^u_[0-9]{4,10}$')!, 'u_102938') // true
 */
export function matchSimplePattern(code: Int32Array, text: string): boolean {
  const symbols = code[0]
  const stateCount = code[1]
  const acceptEarly = code[3] === 1
  const lowsAt = 4 + 128
  const acceptAt = lowsAt + symbols
  const transitionsAt = acceptAt + stateCount
  let state = code[2]
  for (let i = 0; i < text.length; ) {
    if (acceptEarly && code[acceptAt + state] === 1) return true
    const c = text.codePointAt(i)!
    i += c > 0xffff ? 2 : 1
    let symbol: number
    if (c < 128) symbol = code[4 + c]
    else {
      // The last interval starting at or below c.
      let low = 0
      let high = symbols - 1
      while (low < high) {
        const mid = (low + high + 1) >> 1
        if (code[lowsAt + mid] <= c) low = mid
        else high = mid - 1
      }
      symbol = low
    }
    state = code[transitionsAt + state * symbols + symbol]
    if (state < 0) return false
  }
  return code[acceptAt + state] === 1
}
