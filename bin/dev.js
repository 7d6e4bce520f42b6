#!/usr/bin/env -S node --import tsx
// The development entry: runs the TypeScript sources, ignoring dist/ and the committed manifest.
process.env.OCLIF_SKIP_NEW_VERSION_CHECK ??= 'true'
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
process.env.NODE_ENV = 'development'
const {execute, Plugin} = await import('@oclif/core')
const root = new URL('..', import.meta.url).pathname
// oclif's loadOptions.ignoreManifest does not reach the root plugin: hand it one loaded without it.
const plugin = new Plugin({root, isRoot: true, ignoreManifest: true})
await plugin.load()
await execute({development: true, dir: import.meta.url, loadOptions: {root, plugins: new Map([[plugin.name, plugin]])}})
