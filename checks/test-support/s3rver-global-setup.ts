import 'vitest'
import type {TestProject} from 'vitest/node'
import {startS3rver} from './s3rver.js'

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string
  }
}

// One s3rver for the whole run: each test file makes its own bucket, so they never collide.
export default async function setup(project: TestProject) {
  const s3 = await startS3rver()
  project.provide('s3Endpoint', s3.endpoint)
  return () => s3.stop()
}
