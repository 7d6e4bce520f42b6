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

/**
 * Splits an object's text into records: newline-delimited JSON, JSON objects back to back with no
 * delimiter, or a mix.
 *
 * @example splitRecords('{"a":1}\n{"b":2}{"c":3}', sink) // sink.record called 3 times
 * @returns how many pieces were handed out
 */
export function splitRecords(text: string, sink: RecordSink): number {
  let index = 0
  let from = 0
  while (from < text.length) {
    let to = text.indexOf('\n', from)
    if (to === -1) to = text.length
    const line = text.slice(from, to)
    from = to + 1
    if (line.trim() !== '') index = splitLine(line, index, sink)
  }
  return index
}
