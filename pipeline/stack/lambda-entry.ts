import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

/**
 * The path of a Lambda entry file next to the pipeline sources: the `.ts` file when running
 * from the repository (tsx, vitest), the compiled `.js` file when running from `dist/`.
 *
 * @example
 * lambdaEntry('handler/pixel-handler') // '/repo/pipeline/handler/pixel-handler.ts'
 */
export function lambdaEntry(relativeToPipeline: string): string {
  const base = fileURLToPath(new URL(`../${relativeToPipeline}`, import.meta.url))
  return existsSync(`${base}.ts`) ? `${base}.ts` : `${base}.js`
}
