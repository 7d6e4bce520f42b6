import {randomBytes} from 'node:crypto'
import type {Stats} from 'node:fs'
import {lstat, mkdir, open, readdir, readFile, realpath, rename, stat, unlink} from 'node:fs/promises'
import {basename, dirname, join, resolve, sep} from 'node:path'
import {LakeUnreachableError, ObjectVanishedError} from '../errors.js'
import type {Lake, LakeObject} from './lake.js'

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR'
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep)
}

// How many of a folder's files are stat'ed at once while listing it.
const STATS_AT_ONCE = 64

// How many of a folder's subfolders are listed ahead of the one being read.
const FOLDERS_AHEAD = 16

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}

/** How a write in progress is named: hidden, beside its object, never listed as one. */
const TEMPORARY = /^\..+\.[0-9a-f]{16}\.pixel-tmp$/

/**
 * The temporary name a write uses before it renames the object into place.
 *
 * @example temporaryName('a.gz') // '.a.gz.1f2e3d4c5b6a7988.pixel-tmp'
 */
export function temporaryName(name: string): string {
  return `.${name}.${randomBytes(8).toString('hex')}.pixel-tmp`
}

/**
 * True for the name of a write in progress (or one a crash cut short): never an object.
 *
 * @example isTemporaryName('.a.gz.1f2e3d4c5b6a7988.pixel-tmp') // true
 */
export function isTemporaryName(name: string): boolean {
  return TEMPORARY.test(name)
}

/**
 * A lake in a local folder: the embedded default, so that demos and tests need no AWS.
 * Symbolic links are followed while they stay inside the lake folder; a link that leaves it, a
 * broken link, a loop or anything that is not a file or folder is listed as refused (a check
 * reports it as an unexpected key), never read and never silently skipped.
 */
export class LocalLake implements Lake {
  readonly url: string
  private realRoot?: Promise<string>

  constructor(folder: string) {
    this.url = resolve(folder)
  }

  /** Fails with a one-line reason when the folder is not there, before any work starts. */
  async assertReachable(): Promise<void> {
    let info
    try {
      info = await stat(this.url)
    } catch (error) {
      throw new LakeUnreachableError(`lake folder ${this.url} does not exist: pass --lake with a folder or s3:// URL`, {cause: error})
    }
    if (!info.isDirectory()) throw new LakeUnreachableError(`lake ${this.url} is a file, not a folder: pass the folder that holds year=YYYY/`)
  }

  /** The lake folder with every symbolic link resolved: what "inside the lake" is measured against. */
  realUrl(): Promise<string> {
    this.realRoot ??= realpath(this.url).catch(() => this.url)
    return this.realRoot
  }

  async listDirectories(prefix: string): Promise<string[]> {
    try {
      const entries = await readdir(join(this.url, prefix), {withFileTypes: true})
      const names: string[] = []
      for (const e of entries) {
        // A linked folder is listed too (and a broken link, which is no file): listObjects decides whether it may be read.
        if (e.isDirectory() || (e.isSymbolicLink() && !(await this.linksToFile(join(this.url, prefix, e.name))))) names.push(e.name)
      }
      return names.sort()
    } catch (error) {
      if (isMissing(error)) return []
      throw new LakeUnreachableError(`cannot list ${join(this.url, prefix)}: ${(error as Error).message}`, {cause: error})
    }
  }

  async *listObjects(prefix: string): AsyncIterable<LakeObject> {
    yield* this.walk(prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`, await this.realUrl(), new Set())
  }

  async read(key: string): Promise<Buffer> {
    const path = this.pathOf(key)
    try {
      const real = await realpath(path)
      if (!isInside(real, await this.realUrl())) throw new LakeUnreachableError(`cannot read ${path}: it links outside the lake folder`)
      return await readFile(real)
    } catch (error) {
      if (error instanceof LakeUnreachableError) throw error
      if (isMissing(error)) throw new ObjectVanishedError(key, `${path} was listed but is gone`, {cause: error})
      throw new LakeUnreachableError(`cannot read ${path}: ${(error as Error).message}`, {cause: error})
    }
  }

  /**
   * Stores an object whole or not at all, as S3's PUT does: written under a hidden temporary
   * name in the same folder, synced to disk, then renamed over the key. A crash (even SIGKILL)
   * leaves the old object or the new one, never a part: at worst a temporary file that listing
   * ignores.
   */
  async write(key: string, body: Uint8Array): Promise<void> {
    const path = this.pathOf(key)
    const folder = dirname(path)
    await mkdir(folder, {recursive: true})
    const temporary = join(folder, temporaryName(basename(path)))
    try {
      const file = await open(temporary, 'wx')
      try {
        await file.writeFile(body)
        await file.sync()
      } finally {
        await file.close()
      }
      await rename(temporary, path)
    } catch (error) {
      await unlink(temporary).catch(() => {})
      throw error
    }
    // The rename itself survives a power cut only once the folder is synced.
    const dir = await open(folder, 'r').catch(() => undefined)
    await dir?.sync().catch(() => {})
    await dir?.close()
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key)
    try {
      await unlink(path)
    } catch (error) {
      if (isMissing(error)) return
      throw new LakeUnreachableError(`cannot delete ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {cause: error})
    }
    const dir = await open(dirname(path), 'r').catch(() => undefined)
    await dir?.sync().catch(() => {})
    await dir?.close()
  }

  close(): void {}

  private pathOf(key: string): string {
    const path = resolve(this.url, key)
    // A key is data: never let one climb out of the lake folder.
    if (!path.startsWith(this.url + sep)) throw new LakeUnreachableError(`key ${JSON.stringify(key)} is outside the lake folder`)
    return path
  }

  private async linksToFile(path: string): Promise<boolean> {
    try {
      return (await stat(path)).isFile()
    } catch {
      return false
    }
  }

  /** Lists the folder `prefix` (ending in `/`, or empty for the root), `ancestors` being the real folders above it. */
  private async *walk(prefix: string, root: string, ancestors: Set<string>): AsyncIterable<LakeObject> {
    const folder = join(this.url, prefix)
    let real: string
    try {
      real = await realpath(folder)
    } catch (error) {
      if (!isMissing(error)) throw new LakeUnreachableError(`cannot list ${folder}: ${(error as Error).message}`, {cause: error})
      if (prefix !== '' && (await lstat(folder).then((s) => s.isSymbolicLink(), () => false))) yield {key: prefix, size: 0, refused: 'is a broken symbolic link'}
      return
    }
    if (!isInside(real, root)) {
      yield {key: prefix, size: 0, refused: `is a symbolic link to ${real}, outside the lake folder`}
      return
    }
    if (ancestors.has(real)) {
      yield {key: prefix, size: 0, refused: 'is a symbolic link to a folder above it (a loop)'}
      return
    }
    let entries
    try {
      entries = await readdir(folder, {withFileTypes: true})
    } catch (error) {
      if (isMissing(error)) return
      throw new LakeUnreachableError(`cannot list ${folder}: ${(error as Error).message}`, {cause: error})
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const below = new Set(ancestors).add(real)
    // Subfolders are listed ahead, a few at a time, and read in name order: one after another, a
    // day's 24 hour folders took three round trips to the file system each (realpath, readdir,
    // stats) while pixel check waited.
    const folders: (Promise<LakeObject[]> | undefined)[] = []
    let foldersFrom = 0
    const foldersUpTo = (k: number) => {
      for (; foldersFrom < entries.length && foldersFrom <= k + FOLDERS_AHEAD; foldersFrom++) {
        const entry = entries[foldersFrom]
        if (!entry.isDirectory() || isTemporaryName(entry.name)) continue
        const pending = collect(this.walk(`${prefix}${entry.name}/`, root, below))
        pending.catch(() => {}) // read below, in its turn
        folders[foldersFrom] = pending
      }
    }
    // The files' stats are asked for a chunk at a time, then read in name order: one after
    // another, a day's 288 took 50 ms of the time before pixel check's first object was read.
    const stats: (Promise<Stats> | undefined)[] = []
    const statsFrom = (from: number) => {
      for (let k = from; k < entries.length && k < from + STATS_AT_ONCE; k++) {
        const entry = entries[k]
        if (entry.isDirectory() || isTemporaryName(entry.name)) continue
        const pending = stat(join(this.url, `${prefix}${entry.name}`))
        pending.catch(() => {}) // read below, in its turn
        stats[k] = pending
      }
    }
    for (let k = 0; k < entries.length; k++) {
      if (k % STATS_AT_ONCE === 0) statsFrom(k)
      const entry = entries[k]
      const key = `${prefix}${entry.name}`
      // A write in progress, or one a crash cut short: never an object (S3 shows no partial PUT).
      if (isTemporaryName(entry.name)) continue
      if (entry.isDirectory()) {
        foldersUpTo(k)
        const pending = folders[k]!
        folders[k] = undefined
        yield* await pending
        continue
      }
      const pending = stats[k]!
      stats[k] = undefined // a folder may hold many files: keep only the stats still to read
      let info
      try {
        info = await pending
      } catch (error) {
        if (entry.isSymbolicLink() && isMissing(error)) yield {key, size: 0, refused: 'is a broken symbolic link'}
        else if (!isMissing(error)) yield {key, size: 0, refused: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`}
        // Otherwise it was deleted between the listing and now: it is not there to list.
        continue
      }
      if (info.isDirectory()) yield* this.walk(`${key}/`, root, below)
      else if (!info.isFile()) yield {key, size: 0, refused: 'is not a regular file'}
      else if (entry.isSymbolicLink()) {
        const target = await realpath(join(this.url, key)).catch(() => undefined)
        if (target === undefined) continue
        if (isInside(target, root)) yield {key, size: info.size, modified: info.mtime}
        else yield {key, size: 0, refused: `is a symbolic link to ${target}, outside the lake folder`}
      } else yield {key, size: info.size, modified: info.mtime}
    }
  }
}
