// Types for build-native.mjs, which stays plain JavaScript because npm runs it at install time.

/** What this machine lacks to build the native scanner offline, as one phrase, or undefined. */
export function missingPrerequisite(env?: NodeJS.ProcessEnv): string | undefined

/** Where the build script keeps the reason the scanner was not built. */
export const NOT_BUILT_FILE: string
