#!/usr/bin/env -S node --import tsx
// The development entry: runs the TypeScript sources, ignoring dist/ and the manifest.
process.env.OCLIF_SKIP_NEW_VERSION_CHECK ??= 'true'
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
const {execute} = await import('@oclif/core')
await execute({development: true, dir: import.meta.url, loadOptions: {root: new URL('..', import.meta.url).pathname, ignoreManifest: true}})
