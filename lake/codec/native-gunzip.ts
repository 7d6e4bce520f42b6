import {join} from 'node:path'
import type {DecodeScratch} from './decode-scratch.js'
import {loadAddon} from '../native-addon.js'
import {PACKAGE_ROOT} from '../package-root.js'

/** A gzip decoder pixel can read lake objects with: node's zlib, or a native one where it builds. */
export type GzipDecoder = 'zlib' | 'libdeflate' | 'isal'

interface Binding {
  decoders: Exclude<GzipDecoder, 'zlib'>[]
  gunzip(decoder: string, bytes: Uint8Array, maxBytes: number): Buffer | undefined
  /** Bytes written into target, -1 when target is too small, undefined as gunzip's. */
  gunzipInto?(decoder: string, bytes: Uint8Array, maxBytes: number, target: Uint8Array): number | undefined
}

/** Where `npm ci` (the build:native script) puts the native decoders. */
export const NATIVE_GUNZIP_PATH = join(PACKAGE_ROOT, 'lake/codec/native/build/Release/fast_gunzip.node')

const binding = loadAddon<Binding>(NATIVE_GUNZIP_PATH)

/** The decoders built here, fastest first as `npm run bench` measured them (ISA-L, then libdeflate), node's zlib last. */
export const GZIP_DECODERS: readonly GzipDecoder[] = [...(['isal', 'libdeflate'] as const).filter((d) => binding?.decoders.includes(d)), 'zlib']

/**
 * The decoder gunzipObject uses: PIXEL_GUNZIP when it names a built decoder, else the fastest built.
 *
 * @example defaultDecoder() // 'isal' where libisal-dev was installed at build time
 */
export function defaultDecoder(): GzipDecoder {
  const wanted = process.env.PIXEL_GUNZIP as GzipDecoder | undefined
  return wanted !== undefined && GZIP_DECODERS.includes(wanted) ? wanted : GZIP_DECODERS[0]
}

/**
 * Decodes whole gzip members back to back with a native decoder; undefined when the bytes are
 * anything else (cut off, damaged, followed by other bytes, more than `maxBytes` of text) or the
 * decoder is not built, so that the caller reads them with node's zlib and damage is reported the
 * same way for every decoder.
 *
 * @example nativeGunzip('libdeflate', body, 1 << 30) ?? gunzipSync(body)
 */
export function nativeGunzip(decoder: Exclude<GzipDecoder, 'zlib'>, bytes: Uint8Array, maxBytes = 2 ** 32): Buffer | undefined {
  return binding?.decoders.includes(decoder) ? binding.gunzip(decoder, bytes, maxBytes) : undefined
}

/**
 * nativeGunzip into a buffer kept from object to object (`scratch`), grown as needed from room for
 * `expected` bytes: the text is a view of it, valid until the scratch is used again. Undefined as
 * nativeGunzip's.
 *
 * @example const text = nativeGunzipInto('isal', body, 1 << 30, scratch, 7_000_000) ?? gunzipSync(body)
 */
export function nativeGunzipInto(decoder: Exclude<GzipDecoder, 'zlib'>, bytes: Uint8Array, maxBytes: number, scratch: DecodeScratch, expected: number): Buffer | undefined {
  if (!binding?.gunzipInto || !binding.decoders.includes(decoder)) return nativeGunzip(decoder, bytes, maxBytes)
  let target = scratch.room(expected)
  for (;;) {
    const written = binding.gunzipInto(decoder, bytes, maxBytes, target)
    if (written === undefined) return undefined
    if (written >= 0) return target.subarray(0, written)
    const larger = Math.min(Math.max(2 * target.length, 4 * bytes.length), maxBytes)
    if (larger <= target.length) return undefined // already at the bound: node's zlib reports it
    target = scratch.room(larger)
  }
}
