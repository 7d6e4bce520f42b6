import {describe, expect, it} from 'vitest'
import {type DigestedObject, ObjectDigests} from './object-digests.js'

/** A scan of `key` read at `bytes`, hashed to `digest` ('' when it was not hashed). */
function scan(key: string, bytes: number, digest = '', records = 3): DigestedObject {
  return {key, hour: '2026-02-10T00', digest, bytes, records, unparseable: 0}
}

/** Hashes as a lake read again would: the key itself stands for its bytes' digest. */
const digestOf = async (key: string) => `sha-of-${key}`

describe('ObjectDigests.wants', () => {
  const digests = new ObjectDigests([{size: 100}, {size: 200}, {size: 200}, {size: 300}])

  it.each([
    ['an object whose listed size is its own and reads at that size', 100, 100, false],
    ['an object whose listed size another object shares', 200, 200, true],
    ['an object read at a length other than its listed size', 300, 301, true],
    ['an object read at a length another object is listed at', 300, 100, true],
  ])('%s: %s', (_, listed, read, wanted) => {
    expect(digests.wants(listed, read)).toBe(wanted)
  })
})

describe('ObjectDigests.settle', () => {
  it('leaves an unhashed object unhashed while no hashed object shares its length', async () => {
    const digests = new ObjectDigests([])
    const first = scan('a', 100)
    expect(await digests.settle(first, digestOf)).toEqual([])
    expect(await digests.settle(scan('b', 200, 'sha-b'), digestOf)).toEqual([])
    expect(first.digest).toBe('')
  })

  it('hands back the earlier unhashed object, now hashed, when a hashed one of its length follows', async () => {
    const digests = new ObjectDigests([])
    await digests.settle(scan('a', 100), digestOf)
    expect(await digests.settle(scan('b', 100, 'sha-b'), digestOf)).toEqual([scan('a', 100, 'sha-of-a')])
  })

  it('hands back the earlier object only once', async () => {
    const digests = new ObjectDigests([])
    await digests.settle(scan('a', 100), digestOf)
    await digests.settle(scan('b', 100, 'sha-b'), digestOf)
    expect(await digests.settle(scan('c', 100, 'sha-c'), digestOf)).toEqual([])
  })

  it('hashes an unhashed object that follows a hashed one of its length', async () => {
    const digests = new ObjectDigests([])
    await digests.settle(scan('a', 100, 'sha-a'), digestOf)
    const later = scan('b', 100)
    expect(await digests.settle(later, digestOf)).toEqual([])
    expect(later.digest).toBe('sha-of-b')
  })

  it('ignores objects without records, which copy nothing that matters', async () => {
    const digests = new ObjectDigests([])
    await digests.settle(scan('a', 20, '', 0), digestOf)
    expect(await digests.settle(scan('b', 20, 'sha-b'), digestOf)).toEqual([])
  })

  it('drops an earlier object that is gone when it is read again', async () => {
    const digests = new ObjectDigests([])
    await digests.settle(scan('a', 100), digestOf)
    expect(await digests.settle(scan('b', 100, 'sha-b'), async () => undefined)).toEqual([])
  })

  it('leaves a later object unhashed when it is gone when read again', async () => {
    const digests = new ObjectDigests([])
    await digests.settle(scan('a', 100, 'sha-a'), digestOf)
    const later = scan('b', 100)
    await digests.settle(later, async () => undefined)
    expect(later.digest).toBe('')
  })
})
