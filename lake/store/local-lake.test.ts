import {execFileSync} from 'node:child_process'
import {mkdirSync, symlinkSync, unlinkSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {LakeUnreachableError, ObjectVanishedError} from '../errors.js'
import {tempLake} from '../../fixtures/test-support/temp-lake.js'
import type {LakeObject} from './lake.js'
import type {LocalLake} from './local-lake.js'

const HOUR_DIR = 'year=2026/month=02/day=10/hour=05'

async function listed(lake: LocalLake, prefix = ''): Promise<LakeObject[]> {
  const objects: LakeObject[] = []
  // The modification time is asserted on its own, below.
  for await (const {modified, ...object} of lake.listObjects(prefix)) objects.push(object)
  return objects
}

function put(lake: LocalLake, relative: string, text: string): void {
  const path = join(lake.url, relative)
  mkdirSync(dirname(path), {recursive: true})
  writeFileSync(path, text)
}

function link(lake: LocalLake, relative: string, target: string): void {
  mkdirSync(dirname(join(lake.url, relative)), {recursive: true})
  symlinkSync(target, join(lake.url, relative))
}

describe('LocalLake listing', () => {
  it('lists a folder of more files than it reads at once in name order, each with its own size, around a subfolder and a broken link', async () => {
    const lake = tempLake()
    // 150 files, sizes unlike their order, a subfolder among them and a link to nothing.
    const names = Array.from({length: 150}, (_, k) => `f${String(k).padStart(3, '0')}.gz`)
    names.forEach((name, k) => put(lake, `${HOUR_DIR}/${name}`, 'x'.repeat((k * 37) % 101)))
    put(lake, `${HOUR_DIR}/f070.d/inner.gz`, 'inner')
    link(lake, `${HOUR_DIR}/f100.link`, join(lake.url, 'nowhere.gz'))
    const expected: LakeObject[] = names.map((name, k) => ({key: `${HOUR_DIR}/${name}`, size: (k * 37) % 101}))
    expected.splice(70, 0, {key: `${HOUR_DIR}/f070.d/inner.gz`, size: 5})
    expected.splice(102, 0, {key: `${HOUR_DIR}/f100.link`, size: 0, refused: 'is a broken symbolic link'})
    expect(await listed(lake)).toEqual(expected)
  })

  it('lists more subfolders than it lists ahead depth first, in name order, between the files around them', async () => {
    const lake = tempLake()
    // 40 folders (each with a file, an empty folder and a folder of two files) between 40 files.
    const expected: LakeObject[] = []
    for (let k = 0; k < 40; k++) {
      const n = String(k).padStart(2, '0')
      put(lake, `day/${n}a.gz`, 'a'.repeat(k))
      expected.push({key: `day/${n}a.gz`, size: k})
      put(lake, `day/${n}b/x.gz`, 'x'.repeat(k % 7))
      mkdirSync(join(lake.url, `day/${n}b/empty`))
      put(lake, `day/${n}b/y/1.gz`, '1')
      put(lake, `day/${n}b/y/2.gz`, '22')
      expected.push({key: `day/${n}b/x.gz`, size: k % 7}, {key: `day/${n}b/y/1.gz`, size: 1}, {key: `day/${n}b/y/2.gz`, size: 2})
    }
    expect(await listed(lake, 'day/')).toEqual(expected)
  })

  it("gives each file's modification time as the time it was written", async () => {
    const lake = tempLake()
    const before = Date.now()
    await lake.write(`${HOUR_DIR}/a.gz`, Buffer.from('a'))
    const objects: LakeObject[] = []
    for await (const listedObject of lake.listObjects('')) objects.push(listedObject)
    const [object] = objects
    expect(object.modified?.getTime()).toBeGreaterThanOrEqual(before - 1000)
    expect(object.modified?.getTime()).toBeLessThanOrEqual(Date.now() + 1000)
  })

  it('deletes an object, and a missing one without complaint', async () => {
    const lake = tempLake()
    put(lake, `${HOUR_DIR}/a`, 'a')
    put(lake, `${HOUR_DIR}/b`, 'b')
    await lake.delete(`${HOUR_DIR}/a`)
    await lake.delete(`${HOUR_DIR}/never-there`)
    expect((await listed(lake)).map((o) => o.key)).toEqual([`${HOUR_DIR}/b`])
  })

  it('lists every file below a prefix with its size, in key order', async () => {
    const lake = tempLake()
    put(lake, `${HOUR_DIR}/b`, 'bb')
    put(lake, `${HOUR_DIR}/a`, 'a')
    expect(await listed(lake, 'year=2026/')).toEqual([{key: `${HOUR_DIR}/a`, size: 1}, {key: `${HOUR_DIR}/b`, size: 2}])
  })

  it('follows a symbolic link to a folder inside the lake, as if the folder were there', async () => {
    const lake = tempLake()
    put(lake, 'archive/hour5/o.gz', 'abc')
    link(lake, HOUR_DIR, join(lake.url, 'archive/hour5'))
    expect(await lake.listDirectories('year=2026/month=02/day=10/')).toEqual(['hour=05'])
    expect(await listed(lake, 'year=2026/')).toEqual([{key: `${HOUR_DIR}/o.gz`, size: 3}])
  })

  it('follows a relative symbolic link to an object inside the lake, and reads it', async () => {
    const lake = tempLake()
    put(lake, 'archive/o.gz', 'abcd')
    link(lake, `${HOUR_DIR}/o.gz`, '../../../../archive/o.gz')
    expect(await listed(lake, 'year=2026/')).toEqual([{key: `${HOUR_DIR}/o.gz`, size: 4}])
    expect((await lake.read(`${HOUR_DIR}/o.gz`)).toString()).toBe('abcd')
  })

  describe.each([
    ['a folder outside the lake', 'folder', /^is a symbolic link to .*, outside the lake folder$/],
    ['an object outside the lake', 'file', /^is a symbolic link to .*, outside the lake folder$/],
    ['nothing (a broken link)', 'missing', /^is a broken symbolic link$/],
  ])('given a symbolic link to %s', (_, kind, reason) => {
    it('lists it as refused, with the reason, and never reads it', async () => {
      const lake = tempLake()
      const outside = tempLake()
      put(outside, 'secret/o.gz', 'secret')
      const target = kind === 'folder' ? join(outside.url, 'secret') : kind === 'file' ? join(outside.url, 'secret/o.gz') : join(lake.url, 'nowhere')
      const key = kind === 'folder' ? HOUR_DIR : `${HOUR_DIR}/o.gz`
      link(lake, key, target)
      const objects = await listed(lake, 'year=2026/')
      expect(objects).toEqual([{key: kind === 'folder' ? `${key}/` : key, size: 0, refused: expect.stringMatching(reason)}])
      if (kind === 'file') await expect(lake.read(key)).rejects.toThrow(/links outside the lake folder/)
    })
  })

  it('lists a symbolic link to a folder above it as a loop, once, instead of walking forever', async () => {
    const lake = tempLake()
    put(lake, `${HOUR_DIR}/o.gz`, 'x')
    link(lake, `${HOUR_DIR}/again`, join(lake.url, 'year=2026'))
    expect(await listed(lake, 'year=2026/')).toEqual([
      {key: `${HOUR_DIR}/again/`, size: 0, refused: 'is a symbolic link to a folder above it (a loop)'},
      {key: `${HOUR_DIR}/o.gz`, size: 1},
    ])
  })

  it('lists a named pipe as refused rather than skipping it', async () => {
    const lake = tempLake()
    mkdirSync(join(lake.url, HOUR_DIR), {recursive: true})
    execFileSync('mkfifo', [join(lake.url, HOUR_DIR, 'pipe')])
    expect(await listed(lake)).toEqual([{key: `${HOUR_DIR}/pipe`, size: 0, refused: 'is not a regular file'}])
  })
})

describe('LocalLake reading', () => {
  it('fails with ObjectVanishedError, naming the key, when a listed object is gone', async () => {
    const lake = tempLake()
    put(lake, `${HOUR_DIR}/o.gz`, 'x')
    unlinkSync(join(lake.url, HOUR_DIR, 'o.gz'))
    const reading = lake.read(`${HOUR_DIR}/o.gz`)
    await expect(reading).rejects.toThrow(ObjectVanishedError)
    await expect(lake.read(`${HOUR_DIR}/o.gz`)).rejects.toMatchObject({key: `${HOUR_DIR}/o.gz`})
  })

  it('refuses a key that climbs out of the folder', async () => {
    await expect(tempLake().read('../etc/passwd')).rejects.toThrow(LakeUnreachableError)
  })
})
