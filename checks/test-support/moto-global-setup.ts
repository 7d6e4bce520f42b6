import 'vitest'
import type {TestProject} from 'vitest/node'
import {startMoto} from './moto-server.js'

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string
  }
}

// One moto server for the whole run: each test file makes its own bucket, so they never collide.
export default async function setup(project: TestProject) {
  const moto = await startMoto()
  project.provide('s3Endpoint', moto.endpoint)
  return () => moto.stop()
}
