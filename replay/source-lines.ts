import {isUtf8} from 'node:buffer'
import {Readable} from 'node:stream'
import {createGunzip} from 'node:zlib'
import {cutConcatenated} from '../lake/codec/split-records.js'

/** What one line of a source holds: records, or text that is not one, each with its index. */
export type SourcePiece = {index: number; value: unknown; problem?: undefined} | {index: number; value?: undefined; problem: string}

/** Pending text without a newline is searched for whole objects written back to back past this. */
const CUT_AT = 8 * 1024 * 1024

const GZIP_MAGIC = [0x1f, 0x8b]

function describeGzipFailure(error: unknown): string {
  const message = (error as Error).message
  if (message === 'unexpected end of file') return 'truncated gzip'
  if (message === 'incorrect header check') return 'bytes after the last gzip member are not gzip'
  return message
}

/**
 * The bytes of a source as text bytes: gunzipped, as they stream, when they start with gzip's
 * magic bytes (1f 8b), whatever the name says; as they are otherwise. Damage in a gzip stream
 * ends it: `onCorruption` says why, and what came before is kept.
 *
 * @example for await (const chunk of decodedChunks(createReadStream(path), (why) => warn(why))) ...
 */
export async function* decodedChunks(input: AsyncIterable<Buffer>, onCorruption: (reason: string) => void): AsyncGenerator<Buffer> {
  const iterator = input[Symbol.asyncIterator]()
  let head: Buffer = Buffer.alloc(0)
  let done = false
  while (head.length < GZIP_MAGIC.length && !done) {
    const next = await iterator.next()
    if (next.done) done = true
    else head = head.length === 0 ? next.value : Buffer.concat([head, next.value])
  }
  async function* whole(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head
    if (done) return
    for (;;) {
      const next = await iterator.next()
      if (next.done) return
      yield next.value
    }
  }
  if (!(head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1])) {
    yield* whole()
    return
  }
  const gunzip = createGunzip()
  const source = Readable.from(whole())
  source.on('error', (error) => gunzip.destroy(error))
  source.pipe(gunzip)
  try {
    for await (const chunk of gunzip) yield chunk as Buffer
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code?.startsWith('Z_')) onCorruption(describeGzipFailure(error))
    else throw error
  } finally {
    source.destroy()
  }
}

/**
 * The end of the last whole JSON object or array at the top level of `bytes` (braces inside
 * strings skipped), or 0: where text written back to back without newlines can be cut.
 */
function lastTopLevelEnd(bytes: Buffer): number {
  let depth = 0
  let inString = false
  let end = 0
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) depth++
    else if ((c === 0x7d || c === 0x5d) && depth > 0 && --depth === 0) end = i + 1
  }
  return end
}

/**
 * Cuts text bytes into lines as they stream, never holding more than one line (and, for objects
 * written back to back without newlines, never more than about 8 MiB: whole objects are cut off
 * as they complete). A run of bytes past that without a newline or a whole object cannot hold a
 * record Firehose takes (1,000 KiB at most): it is handed out as `{tooLong}` once, and skipped.
 *
 * @example for await (const line of sourceLines(chunks)) if ('text' in line) parse(line.text)
 */
export async function* sourceLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<{bytes: Buffer} | {tooLong: number}> {
  let pending: Buffer[] = []
  let pendingBytes = 0
  let skipping = 0
  const take = (tail: Buffer): Buffer => {
    const line = pendingBytes === 0 ? tail : Buffer.concat([...pending, tail])
    pending = []
    pendingBytes = 0
    return line
  }
  for await (const chunk of chunks) {
    let from = 0
    for (;;) {
      const newline = chunk.indexOf(0x0a, from)
      if (newline === -1) break
      if (skipping > 0) {
        yield {tooLong: skipping + newline - from}
        skipping = 0
      } else yield {bytes: take(chunk.subarray(from, newline))}
      from = newline + 1
    }
    if (from === chunk.length) continue
    if (skipping > 0) {
      skipping += chunk.length - from
      continue
    }
    pending.push(chunk.subarray(from))
    pendingBytes += chunk.length - from
    if (pendingBytes < CUT_AT) continue
    const text = take(Buffer.alloc(0))
    const end = lastTopLevelEnd(text)
    if (end > 0) {
      yield {bytes: text.subarray(0, end)}
      if (end < text.length) {
        pending = [text.subarray(end)]
        pendingBytes = text.length - end
      }
    }
    if (pendingBytes >= CUT_AT || end === 0) {
      skipping = pendingBytes === 0 ? text.length : pendingBytes
      pending = []
      pendingBytes = 0
    }
  }
  if (skipping > 0) yield {tooLong: skipping}
  else if (pendingBytes > 0) yield {bytes: take(Buffer.alloc(0))}
}

function parse(text: string): {ok: true; value: unknown} | {ok: false; reason: string} {
  try {
    return {ok: true, value: JSON.parse(text)}
  } catch (error) {
    return {ok: false, reason: (error as Error).message}
  }
}

/**
 * The pieces of one line: its record when it parses; the records of a line holding several
 * written back to back (each, and any text between them, a piece); else the whole line as one
 * piece that is not JSON. A line is counted once, however it is broken.
 *
 * @example linePieces(Buffer.from('{"a":1}{"b":2}'), 0) // two records, indexes 0 and 1
 */
export function linePieces(bytes: Buffer, index: number): SourcePiece[] {
  if (!isUtf8(bytes)) return [{index, problem: 'not valid UTF-8'}]
  const text = bytes.toString('utf8')
  if (text.trim() === '') return []
  const whole = parse(text)
  if (whole.ok) return [{index, value: whole.value}]
  const parts = cutConcatenated(text)
  if (parts.length > 1) {
    // Only a part shaped like an object or array can be a record: the rest is not parsed (a throw each).
    const parsed = parts.map((part) => (/^[{[][^]*[}\]]$/.test(part) ? parse(part) : {ok: false as const, reason: `"${part.slice(0, 20)}" is not JSON`}))
    if (parsed.some((p) => p.ok)) return parsed.map((p, i) => (p.ok ? {index: index + i, value: p.value} : {index: index + i, problem: `not JSON: ${p.reason}`}))
  }
  return [{index, problem: `not JSON: ${whole.reason}`}]
}
