import {constants, gunzipSync} from 'node:zlib'
import type {DecodeScratch} from './decode-scratch.js'
import {type GzipDecoder, defaultDecoder, nativeGunzip, nativeGunzipInto} from './native-gunzip.js'

/** The text of an object, and why it could not all be read when it could not. */
export interface DecodedObject {
  text: Buffer
  /** Set when the object is corrupt: `text` then holds what decoded before the damage. */
  corruption?: string
}

/**
 * The most bytes one object may decode to unless told otherwise: 1 GiB. Firehose writes objects of
 * at most 128 MiB before compression (its largest buffer), so anything far larger is hostile (a
 * gzip bomb) or not Firehose's; the bound keeps a check's memory at about this much per worker.
 */
export const DEFAULT_MAX_OBJECT_BYTES = 1 << 30

/** The largest bound a caller may set: text offsets are 32-bit signed in the native scanner. */
export const MAX_OBJECT_BYTES_LIMIT = 2 ** 31 - 1

export interface DecodeOptions {
  /** Decoding stops past this many bytes and the object is reported, not read. @default DEFAULT_MAX_OBJECT_BYTES */
  maxBytes?: number
  /** @default the fastest built (native-gunzip.ts' defaultDecoder) */
  decoder?: GzipDecoder
  /** Decode into this buffer, kept from object to object; the text is then valid until its next use. @default a fresh buffer per object */
  scratch?: DecodeScratch
}

/** Deflate never expands more than about 1032 to 1: a bound on any honest object's output. */
const DEFLATE_MAX_RATIO = 1032

/** The object decodes to more than the bound. */
class TooLarge extends Error {}

/**
 * Why an object over the bound was not read, as a corrupt-object finding says it.
 *
 * @example oversizeCorruption(1 << 30, 'stored') // 'over the --max-object-size of 1024 MiB as stored, so not read'
 */
export function oversizeCorruption(maxBytes: number, as: 'stored' | 'decoded'): string {
  return `over the --max-object-size of ${formatMiB(maxBytes)} ${as === 'stored' ? 'as stored' : 'once decoded'}, so not read`
}

function formatMiB(bytes: number): string {
  return bytes % (1 << 20) === 0 ? `${bytes / (1 << 20)} MiB` : `${bytes} bytes`
}

const GZIP_MAGIC_0 = 0x1f
const GZIP_MAGIC_1 = 0x8b

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1
}

const MIN_CHUNK = 1 << 20
const MAX_CHUNK = 1 << 29

/**
 * The size gzip's trailer gives (the last member's, the whole text for one member), to make room
 * for at once. The trailer is the writer's word, not a fact: never past the bound, nor past what
 * deflate could make of these bytes.
 */
function claimedSize(bytes: Buffer, maxBytes: number): number {
  const size = bytes.length >= 18 ? bytes.readUInt32LE(bytes.length - 4) : 0
  return Math.min(size, bytes.length * DEFLATE_MAX_RATIO, maxBytes)
}

/**
 * The output chunk for the one-shot decoder: a chunk that fits the claimed size whole spares
 * joining 1 MiB chunks afterwards, a copy of every byte.
 */
function outputChunk(bytes: Buffer, maxBytes: number): number {
  return Math.min(Math.max(claimedSize(bytes, maxBytes) + 64, MIN_CHUNK), MAX_CHUNK, Math.max(MIN_CHUNK, bytes.length * DEFLATE_MAX_RATIO), maxBytes + 1)
}

function isTooLarge(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
}

function decodesCleanly(bytes: Buffer, length: number, maxBytes: number): Buffer | undefined {
  try {
    return gunzipSync(bytes.subarray(0, length), {chunkSize: MIN_CHUNK, finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: maxBytes})
  } catch (error) {
    if (isTooLarge(error)) throw new TooLarge()
    return undefined
  }
}

/**
 * Recovers what decodes before the damage. With a sync flush a cut-off stream is no error, so
 * "this prefix decodes" holds for every prefix shorter than the damage: a binary search finds
 * the longest (about 20 decodes, and only for corrupt objects).
 */
function salvage(bytes: Buffer, maxBytes: number): Buffer {
  let good = 0
  let bad = bytes.length
  let best: Buffer = Buffer.alloc(0)
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2)
    const text = decodesCleanly(bytes, mid, maxBytes)
    if (text) {
      good = mid
      best = text
    } else bad = mid
  }
  return best
}

function describeFailure(error: unknown): string {
  const message = (error as Error).message
  if (message === 'unexpected end of file') return 'truncated gzip'
  if (message === 'incorrect header check') return 'bytes after the last gzip member are not gzip'
  return message
}

const DECODER = defaultDecoder()

/**
 * Decodes one lake object: gzip with any number of members back to back, or plain text when the
 * key has no `.gz` suffix and the bytes are not gzip (Firehose without compression). An object
 * that decodes to more than `maxBytes` (a gzip bomb) is corrupt and yields no text: memory and
 * time stay bounded by `maxBytes` whatever the object holds. A native decoder (native-gunzip.ts)
 * reads clean objects; node's zlib reads the rest (damaged, oversized), so they read the same.
 *
 * @example const {text, corruption} = gunzipObject(await lake.read(key), key.endsWith('.gz'))
 */
export function gunzipObject(bytes: Buffer, gzipSuffix: boolean, options: DecodeOptions = {}): DecodedObject {
  const maxBytes = Math.min(options.maxBytes ?? DEFAULT_MAX_OBJECT_BYTES, MAX_OBJECT_BYTES_LIMIT)
  if (!isGzip(bytes)) {
    if (bytes.length > maxBytes) return {text: Buffer.alloc(0), corruption: oversizeCorruption(maxBytes, 'stored')}
    if (!gzipSuffix) return {text: bytes}
    const head = bytes.subarray(0, 4).toString('hex').replace(/(..)(?!$)/g, '$1 ')
    return {text: Buffer.alloc(0), corruption: bytes.length === 0 ? 'empty object, not gzip' : `not gzip (starts with bytes ${head})`}
  }
  const decoder = options.decoder ?? DECODER
  if (decoder !== 'zlib') {
    const text = options.scratch ? nativeGunzipInto(decoder, bytes, maxBytes, options.scratch, claimedSize(bytes, maxBytes)) : nativeGunzip(decoder, bytes, maxBytes)
    if (text) return {text}
  }
  try {
    return {text: gunzipSync(bytes, {chunkSize: outputChunk(bytes, maxBytes), maxOutputLength: maxBytes})}
  } catch (error) {
    if (isTooLarge(error)) return {text: Buffer.alloc(0), corruption: oversizeCorruption(maxBytes, 'decoded')}
    // The one-shot decoder throws its output away on failure; keep what came before the damage.
    try {
      return {text: salvage(bytes, maxBytes), corruption: describeFailure(error)}
    } catch (inner) {
      if (inner instanceof TooLarge) return {text: Buffer.alloc(0), corruption: oversizeCorruption(maxBytes, 'decoded')}
      throw inner
    }
  }
}
