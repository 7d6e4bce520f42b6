import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Plugin, settings} from '@oclif/core'
import {expect, it} from 'vitest'
import {PACKAGE_ROOT} from '../lake/package-root.js'

it('commits an oclif.manifest.json that matches the commands as built', async () => {
  // Read the built dist/ (npm test builds first), as `oclif manifest` does.
  settings.enableAutoTranspile = false
  // As `oclif manifest` does: a flag's noCacheDefault (a default computed per run) stays out of it.
  const plugin = new Plugin({root: PACKAGE_ROOT, ignoreManifest: true, isRoot: true, errorOnManifestCreate: true, respectNoCacheDefault: true})
  await plugin.load()
  const fresh = JSON.parse(JSON.stringify(plugin.manifest.commands)) as Record<string, unknown>
  const committed = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'oclif.manifest.json'), 'utf8')).commands as Record<string, unknown>
  expect(Object.keys(committed).sort(), 'oclif.manifest.json is stale: run npm run manifest').toEqual(Object.keys(fresh).sort())
  for (const id of Object.keys(fresh)) expect(committed[id], `oclif.manifest.json is stale for ${id}: run npm run manifest`).toEqual(fresh[id])
})
