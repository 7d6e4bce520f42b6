import type {Lake, LakeObject} from './lake.js'

/**
 * A view of `lake` below `prefix` (ending in `/`): keys are relative to the prefix. It lets a
 * writer of `year=…` keys write, say, under `errors/partitioning-failed/` of the same store.
 *
 * @example const errors = prefixedLake(bucketRoot, 'errors/partitioning-failed/')
 */
export function prefixedLake(lake: Lake, prefix: string): Lake {
  if (prefix !== '' && !prefix.endsWith('/')) throw new RangeError(`a lake prefix ends with /: ${JSON.stringify(prefix)}`)
  return {
    url: `${lake.url.replace(/\/?$/, '/')}${prefix}`,
    listDirectories: (below) => lake.listDirectories(prefix + below),
    async *listObjects(below): AsyncIterable<LakeObject> {
      for await (const object of lake.listObjects(prefix + below)) yield {...object, key: object.key.slice(prefix.length)}
    },
    read: (key) => lake.read(prefix + key),
    write: (key, body) => lake.write(prefix + key, body),
    delete: (key) => lake.delete(prefix + key),
    close: () => lake.close(),
  }
}
