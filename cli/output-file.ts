import {randomBytes} from 'node:crypto'
import {type FileHandle, open, realpath, rename, rm, stat} from 'node:fs/promises'
import {basename, dirname, join, resolve, sep} from 'node:path'
import {InvalidOptionError} from '../lake/errors.js'
import {keepOnExit, removeOnExit} from '../lake/remove-on-exit.js'

function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep)
}

function reason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message
}

/**
 * A file a command writes whole or not at all (`--junit`, `--quarantine`). It is opened before
 * any work, as a temporary file in the same folder, so an unwritable path fails at once; it takes
 * its name only on `commit()`, by a rename, so nobody ever reads half a file and an earlier file is
 * replaced only by a complete one. A path inside a local lake folder (directly, through `..` or
 * through a symbolic link) is refused, so a report can never overwrite the objects it judges.
 *
 * @example
 * const out = await OutputFile.create('--junit', 'pixel-check.xml', {lakeFolder})
 * await out.write(xml)
 * await out.commit()
 */
export class OutputFile {
  private done = false

  private constructor(
    private readonly flag: string,
    private readonly path: string,
    /** The real path the file takes on commit: two outputs with the same target are the same file. */
    readonly target: string,
    private readonly temporary: string,
    private readonly file: FileHandle,
  ) {}

  /**
   * Checks `path` and opens its temporary file; an InvalidOptionError naming `flag` when the path
   * is inside `lakeFolder` (the real path of a local lake), is a folder, or cannot be written.
   */
  static async create(flag: string, path: string, options: {lakeFolder?: string} = {}): Promise<OutputFile> {
    const absolute = resolve(path)
    let folder: string
    try {
      folder = await realpath(dirname(absolute))
    } catch (error) {
      throw new InvalidOptionError(`cannot write ${flag} ${path}: ${reason(error)}`, {cause: error})
    }
    const target = join(folder, basename(absolute))
    // An existing symbolic link is judged by where it points, too.
    const pointsAt = await realpath(target).catch(() => target)
    if (options.lakeFolder !== undefined && (isInside(target, options.lakeFolder) || isInside(pointsAt, options.lakeFolder))) {
      throw new InvalidOptionError(`${flag} ${path} is inside the lake ${options.lakeFolder}: write it outside the lake, so the check never overwrites what it reads`)
    }
    if (await stat(pointsAt).then((s) => s.isDirectory(), () => false)) {
      throw new InvalidOptionError(`cannot write ${flag} ${path}: it is a folder; give a file name`)
    }
    const temporary = join(folder, `.${basename(absolute)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
    let file: FileHandle
    try {
      file = await open(temporary, 'wx')
    } catch (error) {
      throw new InvalidOptionError(`cannot write ${flag} ${path}: ${reason(error)}`, {cause: error})
    }
    removeOnExit(temporary)
    return new OutputFile(flag, path, target, temporary, file)
  }

  /** Appends text to the temporary file. */
  async write(text: string): Promise<void> {
    try {
      await this.file.write(text)
    } catch (error) {
      throw new InvalidOptionError(`cannot write ${this.flag} ${this.path}: ${reason(error)}`, {cause: error})
    }
  }

  /** Gives the finished file its name, replacing any earlier file of that name in one step. */
  async commit(): Promise<void> {
    if (this.done) return
    this.done = true
    try {
      await this.file.close()
      await rename(this.temporary, this.target)
      keepOnExit(this.temporary)
    } catch (error) {
      await this.removeTemporary()
      throw new InvalidOptionError(`cannot write ${this.flag} ${this.path}: ${reason(error)}`, {cause: error})
    }
  }

  /** Removes the temporary file, leaving any earlier file of that name as it was. */
  async discard(): Promise<void> {
    if (this.done) return
    this.done = true
    await this.file.close().catch(() => {})
    await this.removeTemporary()
  }

  private async removeTemporary(): Promise<void> {
    await rm(this.temporary, {force: true})
    keepOnExit(this.temporary)
  }
}
