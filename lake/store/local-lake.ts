import {mkdir, readdir, readFile, stat, writeFile} from 'node:fs/promises'
import {dirname, join, resolve, sep} from 'node:path'
import {LakeUnreachableError} from '../errors.js'
import type {Lake, LakeObject} from './lake.js'

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR'
}

/** A lake in a local folder: the embedded default, so that demos and tests need no AWS. */
export class LocalLake implements Lake {
  readonly url: string

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

  async listDirectories(prefix: string): Promise<string[]> {
    try {
      const entries = await readdir(join(this.url, prefix), {withFileTypes: true})
      return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort()
    } catch (error) {
      if (isMissing(error)) return []
      throw new LakeUnreachableError(`cannot list ${join(this.url, prefix)}: ${(error as Error).message}`, {cause: error})
    }
  }

  async *listObjects(prefix: string): AsyncIterable<LakeObject> {
    let entries
    try {
      entries = await readdir(join(this.url, prefix), {withFileTypes: true})
    } catch (error) {
      if (isMissing(error)) return
      throw new LakeUnreachableError(`cannot list ${join(this.url, prefix)}: ${(error as Error).message}`, {cause: error})
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      const key = `${prefix}${prefix === '' || prefix.endsWith('/') ? '' : '/'}${entry.name}`
      if (entry.isDirectory()) yield* this.listObjects(`${key}/`)
      else if (entry.isFile()) yield {key, size: (await stat(join(this.url, key))).size}
    }
  }

  async read(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key))
    } catch (error) {
      throw new LakeUnreachableError(`cannot read ${this.pathOf(key)}: ${(error as Error).message}`, {cause: error})
    }
  }

  async write(key: string, body: Uint8Array): Promise<void> {
    const path = this.pathOf(key)
    await mkdir(dirname(path), {recursive: true})
    await writeFile(path, body)
  }

  close(): void {}

  private pathOf(key: string): string {
    const path = resolve(this.url, key)
    // A key is data: never let one climb out of the lake folder.
    if (!path.startsWith(this.url + sep)) throw new LakeUnreachableError(`key ${JSON.stringify(key)} is outside the lake folder`)
    return path
  }
}
