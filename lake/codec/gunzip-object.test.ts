import {existsSync} from 'node:fs'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {DecodeScratch} from './decode-scratch.js'
import {gunzipObject} from './gunzip-object.js'
import {GZIP_DECODERS} from './native-gunzip.js'

// Where no native decoder was built (no libdeflate-dev or libisal-dev), only zlib is tested;
// CI installs both, and the test below fails there if either is missing.
const NATIVE_DECODERS = GZIP_DECODERS.filter((d) => d !== 'zlib')
const lines = (from: number, n: number) => Array.from({length: n}, (_, i) => `{"n":${from + i}}\n`).join('')

describe.each(GZIP_DECODERS)('gunzipObject with %s', (decoder) => {
  const gunzip = (bytes: Buffer, suffix: boolean) => gunzipObject(bytes, suffix, {decoder})

  it('reads every member of a multi-member gzip object', () => {
    const body = Buffer.concat([gzipSync(lines(0, 3)), gzipSync(lines(3, 2)), gzipSync(lines(5, 1))])
    const decoded = gunzip(body, true)
    expect(decoded.corruption).toBeUndefined()
    expect(decoded.text.toString()).toBe(lines(0, 6))
  })

  it('keeps what decoded before a truncation and reports it', () => {
    const text = lines(0, 5000)
    const whole = gzipSync(text)
    const decoded = gunzip(whole.subarray(0, Math.floor(whole.length / 2)), true)
    expect(decoded.corruption).toMatch(/truncated/)
    expect(decoded.text.length).toBeGreaterThan(0)
    expect(text.startsWith(decoded.text.toString())).toBe(true)
  })

  it('keeps the first member when a later member is cut short', () => {
    const second = gzipSync(lines(3, 100))
    const decoded = gunzip(Buffer.concat([gzipSync(lines(0, 3)), second.subarray(0, 20)]), true)
    expect(decoded.corruption).toBeDefined()
    expect(decoded.text.toString().startsWith(lines(0, 3))).toBe(true)
  })

  it('reports damaged bytes inside a member', () => {
    const body = Buffer.from(gzipSync(lines(0, 2000)))
    body.fill(0x55, 200, 260)
    expect((gunzip(body, true)).corruption).toBeDefined()
  })

  it('reports garbage after the last member instead of dropping it silently', () => {
    const decoded = gunzip(Buffer.concat([gzipSync(lines(0, 3)), Buffer.from('garbage')]), true)
    expect(decoded.corruption).toBeDefined()
    expect(decoded.text.toString()).toBe(lines(0, 3))
  })

  it('reports a .gz object that is not gzip, naming its first bytes', () => {
    const decoded = gunzip(Buffer.from('{"n":1}\n'), true)
    expect(decoded.corruption).toBe('not gzip (starts with bytes 7b 22 6e 22)')
    expect(decoded.text.length).toBe(0)
  })

  it('reports an empty .gz object', () => {
    expect((gunzip(Buffer.alloc(0), true)).corruption).toMatch(/empty/)
  })

  it('reads an object without the .gz suffix as plain text', () => {
    const decoded = gunzip(Buffer.from(lines(0, 2)), false)
    expect(decoded).toEqual({text: Buffer.from(lines(0, 2))})
  })

  it('still gunzips an object without the suffix when its bytes are gzip', () => {
    expect((gunzip(gzipSync(lines(0, 2)), false)).text.toString()).toBe(lines(0, 2))
  })
})

describe('the native gzip decoders', () => {
  it('are built wherever their Debian packages are installed (.ci/run installs both)', () => {
    const expected = [...(existsSync('/usr/include/isa-l/igzip_lib.h') ? ['isal'] : []), ...(existsSync('/usr/include/libdeflate.h') ? ['libdeflate'] : []), 'zlib']
    expect(GZIP_DECODERS).toEqual(expected)
  })

  const text = lines(0, 20_000)
  const whole = gzipSync(text)
  const members = Buffer.concat([gzipSync(lines(0, 7000)), gzipSync(''), gzipSync(lines(7000, 13_000))])
  const damaged = Buffer.from(whole)
  damaged.fill(0x55, 3000, 3060)
  const badCrc = Buffer.from(whole)
  badCrc[badCrc.length - 6] ^= 0xff
  describe.runIf(NATIVE_DECODERS.length > 0).each([
    ['one member', whole],
    ['three members, one empty', members],
    ['a truncation', whole.subarray(0, whole.length - 1000)],
    ['a truncated trailer', whole.subarray(0, whole.length - 3)],
    ['a later member cut short', Buffer.concat([gzipSync(lines(0, 3)), whole.subarray(0, 40)])],
    ['damaged bytes inside a member', damaged],
    ['a wrong CRC', badCrc],
    ['garbage after the last member', Buffer.concat([whole, Buffer.from('garbage')])],
    ['zeros after the last member', Buffer.concat([whole, Buffer.alloc(16)])],
  ])('given %s', (_, body) => {
    it.each(NATIVE_DECODERS)('%s reads it as node\'s zlib does', (decoder) => {
      expect(gunzipObject(body, true, {decoder})).toEqual(gunzipObject(body, true, {decoder: 'zlib'}))
      // Under a bound the text passes: the bomb check too reads the same for every decoder.
      expect(gunzipObject(body, true, {decoder, maxBytes: 100_000})).toEqual(gunzipObject(body, true, {decoder: 'zlib', maxBytes: 100_000}))
    })

    it.each(NATIVE_DECODERS)('%s reads it as node\'s zlib does into a kept scratch buffer', (decoder) => {
      const scratch = new DecodeScratch()
      gunzipObject(gzipSync(lines(0, 50_000)), true, {decoder, scratch}) // leaves other text in it
      expect(gunzipObject(body, true, {decoder, scratch})).toEqual(gunzipObject(body, true, {decoder: 'zlib'}))
      expect(gunzipObject(body, true, {decoder, scratch, maxBytes: 100_000})).toEqual(gunzipObject(body, true, {decoder: 'zlib', maxBytes: 100_000}))
    })
  })

  describe.each(NATIVE_DECODERS)('%s into a kept scratch buffer', (decoder) => {
    it('grows it when a multi-member object holds more than its last member\'s trailer says', () => {
      // 3 MiB of text, then a last member of a few bytes whose trailer is all the decoder is told.
      const big = lines(0, 300_000)
      const body = Buffer.concat([gzipSync(big), gzipSync('{"n":-1}\n')])
      const decoded = gunzipObject(body, true, {decoder, scratch: new DecodeScratch()})
      expect(decoded.corruption).toBeUndefined()
      expect(decoded.text.toString()).toBe(`${big}{"n":-1}\n`)
    })

    it('stops at the bound for a gzip bomb, as without it', () => {
      const bomb = gzipSync(Buffer.alloc(8 << 20, 0x0a), {level: 9})
      const decoded = gunzipObject(bomb, true, {decoder, maxBytes: 1 << 20, scratch: new DecodeScratch()})
      expect(decoded).toEqual({text: Buffer.alloc(0), corruption: 'over the --max-object-size of 1 MiB once decoded, so not read'})
    })

    it('does not make room for the 4 GiB a lying trailer claims', () => {
      const body = gzipSync(lines(0, 3))
      body.writeUInt32LE(0xffffffff, body.length - 4)
      const scratch = new DecodeScratch()
      const decoded = gunzipObject(body, true, {decoder, scratch})
      expect(decoded.corruption).toBeDefined()
      expect(decoded.text.toString()).toBe(lines(0, 3))
      expect(scratch.room(0).length).toBeLessThanOrEqual(1 << 21) // its smallest size, not the claimed 4 GiB nor the 1 GiB bound
    })
  })

  describe('given a gzip bomb (a small object that decodes to far more than the bound)', () => {
    const bomb = gzipSync(Buffer.alloc(64 << 20, 0x0a), {level: 9})

    it('stops at the bound and reports the object, with no text', () => {
      const decoded = gunzipObject(bomb, true, {maxBytes: 1 << 20})
      expect(bomb.length).toBeLessThan(100_000)
      expect(decoded.text.length).toBe(0)
      expect(decoded.corruption).toBe('over the --max-object-size of 1 MiB once decoded, so not read')
    })

    it('stops at the bound when the bomb is also truncated, without salvaging up to it again and again', () => {
      const decoded = gunzipObject(bomb.subarray(0, bomb.length - 100), true, {maxBytes: 1 << 20})
      expect(decoded.text.length).toBe(0)
      expect(decoded.corruption).toMatch(/--max-object-size/)
    })

    it('reads an object right at the bound', () => {
      const text = Buffer.alloc(1 << 20, 0x0a)
      const decoded = gunzipObject(gzipSync(text), true, {maxBytes: 1 << 20})
      expect(decoded.corruption).toBeUndefined()
      expect(decoded.text.equals(text)).toBe(true)
    })
  })

  it('reports a plain object larger than the bound without reading it', () => {
    const decoded = gunzipObject(Buffer.from(lines(0, 1000)), false, {maxBytes: 1000})
    expect(decoded).toEqual({text: Buffer.alloc(0), corruption: 'over the --max-object-size of 1000 bytes as stored, so not read'})
  })

  it('does not trust a gzip trailer that claims a huge size', () => {
    const body = gzipSync(lines(0, 3))
    body.writeUInt32LE(0xffffffff, body.length - 4) // ISIZE: 4 GiB
    const decoded = gunzipObject(body, true)
    expect(decoded.corruption).toBeDefined()
    expect(decoded.text.toString()).toBe(lines(0, 3))
  })
})
