import {constants, gunzipSync} from 'node:zlib'

/** The text of an object, and why it could not all be read when it could not. */
export interface DecodedObject {
  text: Buffer
  /** Set when the object is corrupt: `text` then holds what decoded before the damage. */
  corruption?: string
}

const GZIP_MAGIC_0 = 0x1f
const GZIP_MAGIC_1 = 0x8b

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1
}

const MIN_CHUNK = 1 << 20
const MAX_CHUNK = 1 << 29

/**
 * The output chunk for the one-shot decoder: gzip's trailer holds the (last member's) size, so a
 * chunk that fits it whole spares joining 1 MiB chunks afterwards, a copy of every byte.
 */
function outputChunk(bytes: Buffer): number {
  const size = bytes.length >= 18 ? bytes.readUInt32LE(bytes.length - 4) : 0
  return Math.min(Math.max(size + 64, MIN_CHUNK), MAX_CHUNK)
}

function decodesCleanly(bytes: Buffer, length: number): Buffer | undefined {
  try {
    return gunzipSync(bytes.subarray(0, length), {chunkSize: MIN_CHUNK, finishFlush: constants.Z_SYNC_FLUSH})
  } catch {
    return undefined
  }
}

/**
 * Recovers what decodes before the damage. With a sync flush a cut-off stream is no error, so
 * "this prefix decodes" holds for every prefix shorter than the damage: a binary search finds
 * the longest (about 20 decodes, and only for corrupt objects).
 */
function salvage(bytes: Buffer): Buffer {
  let good = 0
  let bad = bytes.length
  let best: Buffer = Buffer.alloc(0)
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2)
    const text = decodesCleanly(bytes, mid)
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

/**
 * Decodes one lake object: gzip with any number of members back to back, or plain text when the
 * key has no `.gz` suffix and the bytes are not gzip (Firehose without compression).
 *
 * @example const {text, corruption} = gunzipObject(await lake.read(key), key.endsWith('.gz'))
 */
export function gunzipObject(bytes: Buffer, gzipSuffix: boolean): DecodedObject {
  if (!isGzip(bytes)) {
    if (!gzipSuffix) return {text: bytes}
    const head = bytes.subarray(0, 4).toString('hex').replace(/(..)(?!$)/g, '$1 ')
    return {text: Buffer.alloc(0), corruption: bytes.length === 0 ? 'empty object, not gzip' : `not gzip (starts with bytes ${head})`}
  }
  try {
    return {text: gunzipSync(bytes, {chunkSize: outputChunk(bytes)})}
  } catch (error) {
    // The one-shot decoder throws its output away on failure; keep what came before the damage.
    return {text: salvage(bytes), corruption: describeFailure(error)}
  }
}
