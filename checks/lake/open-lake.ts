import {LakeUnreachableError} from '../errors.js'
import type {Lake} from './lake.js'
import {LocalLake} from './local-lake.js'
import {type S3Options, S3Lake} from './s3-lake.js'

/**
 * Opens the lake named by `--lake`: an `s3://bucket/prefix/` URL or a local folder.
 * Checks that it can be reached, so a wrong name fails at once with one line.
 *
 * @example const lake = await openLake('fixtures/sample-lake')
 */
export async function openLake(spec: string, s3: S3Options = {}): Promise<Lake> {
  if (spec.startsWith('s3://')) {
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
  await lake.assertReachable()
  return lake
}
