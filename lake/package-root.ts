import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as {name?: string}).name === 'pixel') return dir
    if (dirname(dir) === dir) throw new Error(`pixel's package.json not found above ${from}`)
  }
}

/**
 * The folder of pixel's package.json, the same whether the code runs from the sources or from
 * dist/ (a path relative to import.meta.url would differ between the two).
 *
 * @example join(PACKAGE_ROOT, 'fixtures/sample-lake')
 */
export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)))
