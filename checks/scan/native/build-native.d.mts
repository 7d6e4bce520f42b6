// Types for build-native.mjs, which stays plain JavaScript because npm runs it at install time.

/** What this machine lacks to build the native scanner offline, as one phrase, or undefined. */
export function missingPrerequisite(env?: NodeJS.ProcessEnv): string | undefined

/** Where the build script keeps the reason the scanner was not built. */
export const NOT_BUILT_FILE: string

/** The one line of node-gyp's output that says why a build failed (the compiler's first error first). */
export function buildFailure(output: string): string
