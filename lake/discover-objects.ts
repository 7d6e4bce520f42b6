import {LakeRootError} from './errors.js'
import type {Lake, LakeObject} from './store/lake.js'
import {type ObjectKey, parseObjectKey} from './layout/object-key.js'
import {hourOfFolders, isYearFolder, partitionFolders as numbered, partitionRootAbove} from './layout/partition-path.js'
import type {Scope} from './scope.js'

export interface DiscoveredObject extends ObjectKey {
  size: number
}

export interface Discovery {
  /** The objects to read, in (partition hour, key) order: the order that decides originals. */
  objects: DiscoveredObject[]
  /**
   * Keys in the scope that are not read, with the hour their folders name, if any: keys that do
   * not fit the layout, and entries the store refuses (`refused` says why, e.g. a symbolic link
   * out of a local lake).
   */
  unexpected: {key: string; hour: string | null; refused?: string}[]
  /** Top-level folders of the lake, for checkLakeRoot's hint when it holds no partitions at all. */
  topFolders: string[]
}

/** How many top-level folders checkLakeRoot looks into: a bucket root holds a few, not thousands. */
const FOLDERS_LOOKED_INTO = 100

/**
 * Lists the objects of a scope, walking only the folders of its days (whatever their zero
 * padding, so `hour=5/` beside `hour=05/` is seen), never a neighbouring day's objects.
 *
 * @example const {objects, unexpected} = await discoverObjects(lake, dayScope('2026-02-10'))
 */
export async function discoverObjects(lake: Lake, scope: Scope): Promise<Discovery> {
  const inScope = new Set(scope.hours)
  const found: LakeObject[] = []
  const days = [...new Set(scope.hours.map((h) => h.slice(0, 10)))]
  const topFolders = await lake.listDirectories('')
  for (const day of days) {
    const [year, month, date] = day.split('-').map(Number)
    for (const y of numbered(topFolders, 'year', year)) {
      for (const m of numbered(await lake.listDirectories(`${y}/`), 'month', month)) {
        for (const d of numbered(await lake.listDirectories(`${y}/${m}/`), 'day', date)) {
          const dayPrefix = `${y}/${m}/${d}/`
          if (scope.kind !== 'hour') {
            for await (const object of lake.listObjects(dayPrefix)) found.push(object)
            continue
          }
          const hour = Number(scope.hours[0].slice(11, 13))
          for (const h of numbered(await lake.listDirectories(dayPrefix), 'hour', hour)) {
            for await (const object of lake.listObjects(`${dayPrefix}${h}/`)) found.push(object)
          }
        }
      }
    }
  }
  const objects: DiscoveredObject[] = []
  const unexpected: Discovery['unexpected'] = []
  for (const {key, size, modified, refused} of found) {
    const parsed = parseObjectKey(key, modified)
    if (refused !== undefined) unexpected.push({key, hour: parsed?.hour ?? hourOfFolders(key), refused})
    else if (parsed && inScope.has(parsed.hour)) objects.push({...parsed, size})
    else unexpected.push({key, hour: hourOfFolders(key)})
  }
  objects.sort((a, b) => (a.hour !== b.hour ? (a.hour < b.hour ? -1 : 1) : a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  unexpected.sort((a, b) => (a.key < b.key ? -1 : 1))
  return {objects, unexpected, topFolders}
}

/**
 * Judges whether `lake` is the root of the partitions, given its top-level folders. A lake that
 * holds no `year=` folder but names one of them itself (`…/events/year=2026/`) or has folders one
 * level below that hold them (`s3://bucket/` above `events/`) is a usage error: throws a
 * LakeRootError whose message is the `--lake` to pass instead. A lake with no partitions and none
 * below is legitimate (a new pipeline has written nothing yet): returns a warning for it.
 * Returns undefined when the lake holds partitions.
 *
 * @example const warning = await checkLakeRoot(lake, await lake.listDirectories(''))
 */
export async function checkLakeRoot(lake: Lake, topFolders: string[]): Promise<string | undefined> {
  if (topFolders.some(isYearFolder)) return undefined
  const above = partitionRootAbove(lake.url)
  if (above !== null) {
    throw new LakeRootError(`${lake.url} is a partition folder, not the lake: did you mean --lake ${above}?`)
  }
  const below: string[] = []
  for (const folder of topFolders.slice(0, FOLDERS_LOOKED_INTO)) {
    if ((await lake.listDirectories(`${folder}/`)).some(isYearFolder)) below.push(`${lake.url.replace(/\/?$/, '/')}${folder}/`)
  }
  if (below.length > 0) {
    throw new LakeRootError(`${lake.url} holds no year= partitions but a folder below does: did you mean --lake ${below.join(' or --lake ')}?`)
  }
  return `${lake.url} holds no year= partitions at all (nor does any folder below it): is --lake the prefix Firehose writes to?`
}
