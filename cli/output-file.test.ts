import {mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {InvalidOptionError} from '../lake/errors.js'
import {OutputFile} from './output-file.js'

const scratch = () => mkdtempSync(join(tmpdir(), 'pixel-output-'))

describe('OutputFile', () => {
  it('writes nothing under its name until commit, then the whole file', async () => {
    const dir = scratch()
    const out = await OutputFile.create('--junit', join(dir, 'r.xml'))
    await out.write('<a>')
    expect(readdirSync(dir).filter((f) => f === 'r.xml')).toEqual([])
    await out.write('</a>')
    await out.commit()
    expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toBe('<a></a>')
    expect(readdirSync(dir)).toEqual(['r.xml'])
  })

  it('leaves an earlier file as it was, and no temporary file, when discarded', async () => {
    const dir = scratch()
    writeFileSync(join(dir, 'r.xml'), 'earlier')
    const out = await OutputFile.create('--junit', join(dir, 'r.xml'))
    await out.write('half')
    await out.discard()
    expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toBe('earlier')
    expect(readdirSync(dir)).toEqual(['r.xml'])
  })

  it('replaces an earlier file only on commit', async () => {
    const dir = scratch()
    writeFileSync(join(dir, 'r.xml'), 'earlier')
    const out = await OutputFile.create('--junit', join(dir, 'r.xml'))
    expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toBe('earlier')
    await out.write('new')
    await out.commit()
    expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toBe('new')
  })

  describe.each([
    ['a missing folder', (dir: string) => join(dir, 'missing', 'r.xml'), /^cannot write --junit .*missing\/r\.xml: ENOENT$/],
    ['a folder', (dir: string) => dir, /^cannot write --junit .*: it is a folder; give a file name$/],
    ['a file, as if it were a folder', (dir: string) => {
      writeFileSync(join(dir, 'file'), 'x')
      return join(dir, 'file', 'r.xml')
    }, /^cannot write --junit .*file\/r\.xml: ENOTDIR$/],
  ])('given a path in %s', (_, pathIn, message) => {
    it('refuses it at once, naming the flag', async () => {
      await expect(OutputFile.create('--junit', pathIn(scratch()))).rejects.toThrow(message)
    })
  })

  describe('inside a local lake', () => {
    const lakeWith = () => {
      const lake = scratch()
      mkdirSync(join(lake, 'year=2026'))
      writeFileSync(join(lake, 'year=2026', 'o.gz'), 'object')
      return lake
    }

    it.each([
      ['an object of the lake', (lake: string) => join(lake, 'year=2026', 'o.gz')],
      ['a new file in the lake', (lake: string) => join(lake, 'report.xml')],
      ['a path that climbs back in with ..', (lake: string) => join(lake, 'year=2026', '..', 'year=2026', 'o.gz')],
      ['a link outside the lake to one of its objects', (lake: string) => {
        const link = join(scratch(), 'r.xml')
        symlinkSync(join(lake, 'year=2026', 'o.gz'), link)
        return link
      }],
      ['a file in a folder linked into the lake', (lake: string) => {
        const link = join(scratch(), 'lake-link')
        symlinkSync(join(lake, 'year=2026'), link)
        return join(link, 'r.xml')
      }],
    ])('refuses %s before writing anything', async (_, pathIn) => {
      const lake = lakeWith()
      const attempt = OutputFile.create('--quarantine', pathIn(lake), {lakeFolder: lake})
      await expect(attempt).rejects.toThrow(InvalidOptionError)
      await expect(OutputFile.create('--quarantine', pathIn(lake), {lakeFolder: lake})).rejects.toThrow(/^--quarantine .* is inside the lake .*: write it outside the lake/)
      expect(readFileSync(join(lake, 'year=2026', 'o.gz'), 'utf8')).toBe('object')
      expect(readdirSync(lake, {recursive: true})).toEqual(['year=2026', join('year=2026', 'o.gz')])
    })

    it('accepts a file beside the lake whose name starts like it', async () => {
      const lake = lakeWith()
      const out = await OutputFile.create('--junit', `${lake}-report.xml`, {lakeFolder: lake})
      await out.commit()
      expect(readFileSync(`${lake}-report.xml`, 'utf8')).toBe('')
    })
  })
})
