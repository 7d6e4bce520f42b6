import {existsSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {LakeUnreachableError} from '../errors.js'
import {openLake} from './open-lake.js'

const scratch = () => mkdtempSync(join(tmpdir(), 'pixel-open-lake-'))

describe('openLake', () => {
  it('refuses a missing folder, naming it, when reading', async () => {
    const missing = join(scratch(), 'no-lake')
    await expect(openLake(missing)).rejects.toThrow(`lake folder ${missing} does not exist`)
  })

  it('creates a missing folder for a command that writes a new lake', async () => {
    const missing = join(scratch(), 'new', 'lake')
    const lake = await openLake(missing, {}, {create: true})
    expect(existsSync(missing)).toBe(true)
    expect(lake.url).toBe(missing)
  })

  it('says why it cannot create the folder, in one line', async () => {
    const file = join(scratch(), 'a-file')
    writeFileSync(file, 'x')
    const opening = openLake(join(file, 'lake'), {}, {create: true})
    await expect(opening).rejects.toThrow(LakeUnreachableError)
    await expect(openLake(join(file, 'lake'), {}, {create: true})).rejects.toThrow(/^cannot create lake folder .*a-file\/lake: ENOTDIR$/)
  })

  it('refuses a URL of another scheme', async () => {
    await expect(openLake('gs://bucket/events/')).rejects.toThrow(/neither an s3:\/\/ URL nor a folder/)
  })
})
