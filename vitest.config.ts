import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{cli,lake,checks,pipeline,replay,fixtures,bench}/**/*.test.ts'],
    globalSetup: ['./fixtures/test-support/moto-global-setup.ts'],
    disableConsoleIntercept: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Under CI, also write the results as JSON: .ci/run prints its closing line from them (one
    // file per Node version it runs the suite on).
    reporters: process.env.CI ? ['default', ['json', {outputFile: process.env.PIXEL_TEST_RESULTS ?? '.vitest-results.json'}]] : ['default'],
  },
})
