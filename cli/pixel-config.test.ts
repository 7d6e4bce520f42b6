import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {loadPixelConfig} from './pixel-config.js'

let folder: string

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'pixel-config-'))
})

afterEach(async () => {
  await rm(folder, {recursive: true, force: true})
})

async function load(content: unknown) {
  const path = join(folder, 'pixel.config.json')
  await writeFile(path, JSON.stringify(content))
  return loadPixelConfig(folder, {PIXEL_CONFIG: path})
}

describe('the config file\'s athena section', () => {
  it('holds the workgroup, database and raw-lines table of --engine athena', async () => {
    const config = await load({lake: 's3://my-bucket/events/', athena: {workgroup: 'Pixel', database: 'pixel', table: 'events_lines'}})
    expect(config.athena).toEqual({workgroup: 'Pixel', database: 'pixel', table: 'events_lines'})
  })

  describe.each([
    ['a string instead of an object', {athena: 'Pixel'}, /"athena" must be an object such as \{"workgroup": "Pixel"/],
    ['an unknown key', {athena: {workgroup: 'Pixel', outputLocation: 's3://x/'}}, /unknown setting "athena\.outputLocation": use workgroup, database, table$/],
    ['a number for a name', {athena: {table: 7}}, /"athena\.table" must be a non-empty string$/],
    ['an empty name', {athena: {database: ''}}, /"athena\.database" must be a non-empty string$/],
  ])('with %s', (_name, content, message) => {
    it('is refused in one line naming the setting', async () => {
      await expect(load(content)).rejects.toThrow(message)
    })
  })
})
