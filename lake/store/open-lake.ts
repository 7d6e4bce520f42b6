import {mkdir} from 'node:fs/promises'
import {LakeUnreachableError} from '../errors.js'
import type {Lake} from './lake.js'
import {LocalLake} from './local-lake.js'
import type {S3Options} from './s3-lake.js'

/**
 * Opens the lake named by `--lake`: an `s3://bucket/prefix/` URL or a local folder.
 * Checks that it can be reached, so a wrong name fails at once with one line. A command that
 * writes a new lake (pixel dev, pixel fixtures generate) passes `create` to make a missing folder.
 *
 * @example const lake = await openLake('fixtures/sample-lake')
 */
export async function openLake(spec: string, s3: S3Options = {}, options: {create?: boolean} = {}): Promise<Lake> {
  if (spec.startsWith('s3://')) {
    // Loaded here, not above: the AWS SDK takes a fifth of a second to load, which a local lake never needs.
    const {S3Lake} = await import('./s3-lake.js')
    const lake = new S3Lake(spec, s3)
    try {
      await lake.assertReachable()
    } catch (error) {
      lake.close()
      throw error
    }
    return lake
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new LakeUnreachableError(`lake "${spec}" is neither an s3:// URL nor a folder: use s3://bucket/prefix/ or a path`)
  }
  const lake = new LocalLake(spec)
  if (options.create) {
    try {
      await mkdir(lake.url, {recursive: true})
    } catch (error) {
      throw new LakeUnreachableError(`cannot create lake folder ${lake.url}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {cause: error})
    }
  }
  await lake.assertReachable()
  return lake
}
