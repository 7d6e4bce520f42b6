#!/usr/bin/env node
// The installed entry: runs the compiled commands in dist/ through the committed manifest.
process.env.OCLIF_SKIP_NEW_VERSION_CHECK ??= 'true'
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
// oclif's own Node version check loads all of semver (47 files, about 10 ms of every command);
// package.json's engines (node >= 20.19) already ask for more than oclif's.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= 'true'
// Node 22 and later keep the modules' compiled code on disk between runs (under the temporary
// folder): a check of one object on Node 24 took 0.37 s instead of 0.43. Node 20 has no such cache.
const {enableCompileCache} = await import('node:module')
enableCompileCache?.()
const {execute, settings} = await import('@oclif/core')
// Always the compiled dist/, even under NODE_ENV=test or development (bin/dev.js runs the sources).
settings.enableAutoTranspile = false
await execute({dir: import.meta.url})
