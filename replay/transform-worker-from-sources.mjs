// Starts the transform worker from its TypeScript source (tests, bin/dev.js): worker threads do
// not inherit the parent's loader, so register tsx here before importing it.
import {register} from 'tsx/esm/api'

register()
await import('./transform-worker.ts')
