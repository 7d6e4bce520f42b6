import {availableParallelism} from 'node:os'
import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{cli,lake,checks,pipeline,replay,fixtures,bench}/**/*.test.ts'],
    globalSetup: ['./fixtures/test-support/moto-global-setup.ts'],
    disableConsoleIntercept: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One test file per core: vitest's default leaves a core free, which on a 2-core CI machine
    // runs the files one at a time (880 s there, against 441 s with two at once). Most files wait
    // on child processes and servers, not on the CPU.
    maxWorkers: availableParallelism(),
    // Under CI, also write the results as JSON: .ci/run prints its closing line from them (one
    // file per Node version it runs the suite on).
    reporters: process.env.CI ? ['default', ['json', {outputFile: process.env.PIXEL_TEST_RESULTS ?? '.vitest-results.json'}]] : ['default'],
  },
})
