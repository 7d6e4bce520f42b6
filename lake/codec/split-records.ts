import {constants, isUtf8} from 'node:buffer'

/** What the splitter hands out for each piece of an object's text. */
export interface RecordSink {
  /** A piece that parsed as JSON, with its place in the object (0-based). */
  record(value: unknown, index: number): void
  /** A piece that is not JSON. `snippet` is its start, to show in samples; `piece` the whole text. */
  unparseable(index: number, reason: string, snippet: string, piece: string): void
}

const SNIPPET = 60

function parsePiece(piece: string, index: number, sink: RecordSink): void {
  try {
    sink.record(JSON.parse(piece), index)
  } catch (error) {
    sink.unparseable(index, (error as Error).message, piece.slice(0, SNIPPET), piece)
  }
}

/**
 * Cuts a line holding several JSON objects written back to back (`{...}{...}`, Firehose's default
 * when no delimiter is added) at the top-level closing braces, skipping braces inside strings.
 * Text between objects becomes a piece of its own, so it is reported rather than lost.
 */
export function cutConcatenated(line: string): string[] {
  const pieces: string[] = []
  let depth = 0
  let inString = false
  let start = 0
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (depth === 0 && line.slice(start, i).trim() !== '') {
        pieces.push(line.slice(start, i).trim())
        start = i
      } else if (depth === 0) start = i
      depth++
    } else if (c === 0x7d || c === 0x5d) {
      depth--
      if (depth === 0) {
        pieces.push(line.slice(start, i + 1))
        start = i + 1
      } else if (depth < 0) depth = 0
    }
  }
  const rest = line.slice(start).trim()
  if (rest !== '') pieces.push(rest)
  return pieces
}

/**
 * Hands out the records of one line: the whole line when it parses (the common case), else the
 * pieces of a line holding several objects back to back.
 *
 * @example splitLine('{"b":2}{"c":3}', 0, sink) // 2: the index after the last piece
 * @returns the index for the next piece
 */
export function splitLine(line: string, index: number, sink: RecordSink): number {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    for (const piece of cutConcatenated(line)) parsePiece(piece, index++, sink)
    return index
  }
  sink.record(value, index)
  return index + 1
}

/** The longest line read as a record: V8's longest string (about 512 MiB); a longer one is reported. */
export const MAX_LINE_BYTES = constants.MAX_STRING_LENGTH

export interface SplitOptions {
  /** Lines longer than this many bytes are unparseable pieces, never decoded. @default MAX_LINE_BYTES */
  maxLineBytes?: number
}

const utf8Slice = Buffer.prototype.utf8Slice as (this: Uint8Array, start: number, end: number) => string

/** The offset of the first byte of [start, end) that breaks UTF-8 (as TextDecoder's fatal mode reads it), or -1. */
export function firstInvalidUtf8(b: Uint8Array, start: number, end: number): number {
  let i = start
  while (i < end) {
    const c = b[i]
    if (c < 0x80) {
      i++
      continue
    }
    // The continuation bytes each lead byte takes, and the range of the first one (no overlong
    // forms, no surrogates, nothing past U+10FFFF).
    let need = 3
    let min = 0x80
    let max = 0xbf
    if (c >= 0xc2 && c <= 0xdf) need = 1
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2
      if (c === 0xe0) min = 0xa0
      if (c === 0xed) max = 0x9f
    } else if (c >= 0xf0 && c <= 0xf4) {
      if (c === 0xf0) min = 0x90
      if (c === 0xf4) max = 0x8f
    } else return i
    if (i + need >= end) return i // cut off by the end of the line
    if (b[i + 1] < min || b[i + 1] > max) return i
    for (let k = 2; k <= need; k++) if (b[i + k] < 0x80 || b[i + k] > 0xbf) return i
    i += need + 1
  }
  return -1
}

function isBlank(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = b[i]
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false
  }
  return true
}

/**
 * Where the objects of a line written back to back start and end, read from its bytes as
 * cutConcatenated reads a string (UTF-8 never puts a brace, quote or backslash byte inside a
 * character), so a line too long to be one string is still cut into its records.
 *
 * @example cutConcatenatedBytes(Buffer.from('{"a":1}{"b":2}'), 0, 14) // [0, 7, 7, 14]
 * @returns start and end offsets, two per piece
 */
export function cutConcatenatedBytes(b: Uint8Array, start: number, end: number): number[] {
  const cuts: number[] = []
  let depth = 0
  let inString = false
  let from = start
  const piece = (s: number, e: number) => {
    while (s < e && isBlank(b, s, s + 1)) s++
    while (e > s && isBlank(b, e - 1, e)) e--
    if (e > s) cuts.push(s, e)
  }
  for (let i = start; i < end; i++) {
    const c = b[i]
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (depth === 0) {
        piece(from, i)
        from = i
      }
      depth++
    } else if (c === 0x7d || c === 0x5d) {
      depth--
      if (depth === 0) {
        piece(from, i + 1)
        from = i + 1
      } else if (depth < 0) depth = 0
    }
  }
  piece(from, end)
  return cuts
}

/**
 * Hands out the records of the line at bytes [start, end) (see splitLine). A line that is not
 * UTF-8 is one unparseable piece: it is not JSON text (RFC 8259 requires UTF-8), and DuckDB and
 * Athena refuse it too. A line longer than any string JavaScript can hold is cut into the objects
 * it holds back to back from its bytes; a piece still too long is one unparseable piece.
 *
 * @param utf8 true when the caller already knows the bytes are UTF-8 (checked for the whole text)
 * @returns the index for the next piece
 */
export function splitLineBytes(bytes: Uint8Array, start: number, end: number, index: number, sink: RecordSink, utf8 = false, options: SplitOptions = {}): number {
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES
  if (end - start > maxLineBytes) {
    const cuts = cutConcatenatedBytes(bytes, start, end)
    for (let k = 0; k < cuts.length; k += 2) {
      const [s, e] = [cuts[k], cuts[k + 1]]
      if (e - s <= maxLineBytes) {
        index = splitLineBytes(bytes, s, e, index, sink, utf8, options)
        continue
      }
      const snippet = utf8Slice.call(bytes, s, s + SNIPPET)
      sink.unparseable(index++, `a piece of ${e - s} bytes with no line break, longer than the longest record pixel reads (${maxLineBytes} bytes)`, snippet, snippet)
    }
    return index
  }
  if (!utf8 && !isUtf8(bytes.subarray(start, end))) {
    const line = utf8Slice.call(bytes, start, end)
    if (line.trim() === '') return index
    const bad = firstInvalidUtf8(bytes, start, end)
    sink.unparseable(index, `not UTF-8: byte 0x${bytes[bad].toString(16).padStart(2, '0')} at offset ${bad - start} of the line`, line.slice(0, SNIPPET), line)
    return index + 1
  }
  const line = utf8Slice.call(bytes, start, end)
  return line.trim() === '' ? index : splitLine(line, index, sink)
}

/**
 * Splits an object's text into records: newline-delimited JSON, JSON objects back to back with no
 * delimiter, or a mix. Given bytes, it cuts lines from the bytes and decodes each on its own, so
 * no text is ever held as one giant string; a line that is not UTF-8 is an unparseable piece.
 *
 * @example splitRecords(Buffer.from('{"a":1}\n{"b":2}{"c":3}'), sink) // sink.record called 3 times
 * @returns how many pieces were handed out
 */
export function splitRecords(text: string | Uint8Array, sink: RecordSink, options: SplitOptions = {}): number {
  let index = 0
  let from = 0
  if (typeof text === 'string') {
    while (from < text.length) {
      let to = text.indexOf('\n', from)
      if (to === -1) to = text.length
      const line = text.slice(from, to)
      from = to + 1
      if (line.trim() !== '') index = splitLine(line, index, sink)
    }
    return index
  }
  // One pass over the whole text (simdutf, many GB/s) spares checking line by line when all is well.
  const utf8 = isUtf8(text)
  while (from < text.length) {
    let to = indexOf.call(text, 0x0a, from)
    if (to === -1) to = text.length
    index = splitLineBytes(text, from, to, index, sink, utf8, options)
    from = to + 1
  }
  return index
}

const indexOf = Buffer.prototype.indexOf as (this: Uint8Array, value: number, byteOffset: number) => number
