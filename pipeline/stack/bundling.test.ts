import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {createPixelApp} from '../pixel-app.js'
import {assemblyFolder} from '../test-support/synth-pixel-stack.js'

describe('Lambda bundling', () => {
  it('bundles both functions with the local esbuild, offline and without Docker', () => {
    const {app} = createPixelApp({nag: false, builtinCloudFormationValidation: false, outdir: assemblyFolder()})
    const assembly = app.synth()
    const assetDirs = Object.values(JSON.parse(readFileSync(join(assembly.directory, 'Pixel.assets.json'), 'utf8')).files as Record<string, {source: {path: string; packaging?: string}}>)
      .filter((file) => file.source.packaging === 'zip')
      .map((file) => join(assembly.directory, file.source.path))
    expect(assetDirs).toHaveLength(2)
    for (const dir of assetDirs) expect(existsSync(join(dir, 'index.js'))).toBe(true)
    const bundles = assetDirs.map((dir) => readFileSync(join(dir, 'index.js'), 'utf8'))
    // The pixel bundle carries the pinned Firehose client rather than relying on the runtime's.
    expect(bundles.some((code) => code.includes('PutRecordCommand'))).toBe(true)
  })
})
