import {randomBytes} from 'node:crypto'
import {mkdir, readdir, readFile, rename, rm, stat, writeFile} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {PixelError} from '../../lake/errors.js'
import type {S3Lake, S3Options} from '../../lake/store/s3-lake.js'
import {HistoryError} from '../errors.js'
import {type HistoryDay, dayOfHistoryKey, historyKey, parseHistoryDay, serializeHistoryDay} from './history-document.js'

/**
 * Where pixel check keeps the metrics of the days it checked: one JSON-lines document per day
 * under `day=YYYY-MM-DD/`, each written whole (a temporary file renamed into place, or one S3 PUT),
 * so two runs at once leave one run's document or the other's, never a torn or merged one.
 */
export interface HistoryStore {
  /** `s3://bucket/prefix/` or an absolute folder path. */
  readonly url: string
  /** The days that have a document, in order. */
  days(): string[]
  /** A day's document, or undefined when the day was never recorded. */
  read(day: string): Promise<HistoryDay | undefined>
  /** Replaces a day's document. */
  write(day: HistoryDay): Promise<void>
  close(): void
}

// A local write in progress (or one a crash left behind) is a dotfile beside its document.
const TEMP = /^day=\d{4}-\d{2}-\d{2}\/\.pixel-history\.jsonl\.[0-9a-f]+\.tmp$/

function refuseForeign(url: string, key: string): never {
  throw new HistoryError(`history ${url} holds ${JSON.stringify(key)}, which pixel check did not write: point --history at a location of its own`)
}

function explain(error: unknown, doing: string): PixelError {
  if (error instanceof PixelError) return new HistoryError(`history: ${error.message}`, {cause: error})
  return new HistoryError(`cannot ${doing}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {cause: error})
}

class LocalHistory implements HistoryStore {
  private known = new Set<string>()

  constructor(readonly url: string) {}

  async open(): Promise<void> {
    try {
      await mkdir(this.url, {recursive: true})
      if (!(await stat(this.url)).isDirectory()) throw new HistoryError(`history ${this.url} is a file, not a folder`)
      for (const entry of await readdir(this.url, {recursive: true, withFileTypes: true})) {
        if (entry.isDirectory()) continue
        const key = join(entry.parentPath, entry.name).slice(this.url.length + 1).split('\\').join('/')
        if (TEMP.test(key)) continue
        const day = dayOfHistoryKey(key)
        if (!day) refuseForeign(this.url, key)
        this.known.add(day)
      }
    } catch (error) {
      throw error instanceof HistoryError ? error : explain(error, `read history folder ${this.url}`)
    }
  }

  days(): string[] {
    return [...this.known].sort()
  }

  async read(day: string): Promise<HistoryDay | undefined> {
    if (!this.known.has(day)) return undefined
    const path = join(this.url, historyKey(day))
    let text
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      throw explain(error, `read history document ${path}`)
    }
    return parseHistoryDay(day, text, path)
  }

  async write(day: HistoryDay): Promise<void> {
    const path = join(this.url, historyKey(day.day))
    const temp = join(this.url, `day=${day.day}`, `.pixel-history.jsonl.${randomBytes(6).toString('hex')}.tmp`)
    try {
      await mkdir(join(this.url, `day=${day.day}`), {recursive: true})
      await writeFile(temp, serializeHistoryDay(day))
      await rename(temp, path)
    } catch (error) {
      await rm(temp, {force: true}).catch(() => {})
      throw explain(error, `write history document ${path}`)
    }
    this.known.add(day.day)
  }

  close(): void {}
}

class S3History implements HistoryStore {
  private known = new Set<string>()
  constructor(private readonly lake: S3Lake) {}

  get url(): string {
    return this.lake.url
  }

  async open(): Promise<void> {
    try {
      for await (const {key} of this.lake.listObjects('')) {
        const day = dayOfHistoryKey(key)
        if (!day) refuseForeign(this.url, key)
        this.known.add(day)
      }
    } catch (error) {
      throw error instanceof HistoryError ? error : explain(error, `list history ${this.url}`)
    }
  }

  days(): string[] {
    return [...this.known].sort()
  }

  async read(day: string): Promise<HistoryDay | undefined> {
    if (!this.known.has(day)) return undefined
    let bytes
    try {
      bytes = await this.lake.read(historyKey(day))
    } catch (error) {
      throw explain(error, `read history document ${this.url}${historyKey(day)}`)
    }
    return parseHistoryDay(day, bytes.toString('utf8'), `${this.url}${historyKey(day)}`)
  }

  async write(day: HistoryDay): Promise<void> {
    try {
      await this.lake.write(historyKey(day.day), Buffer.from(serializeHistoryDay(day)))
    } catch (error) {
      throw explain(error, `write history document ${this.url}${historyKey(day.day)}`)
    }
    this.known.add(day.day)
  }

  close(): void {
    this.lake.close()
  }
}

/**
 * Opens `--history`: an `s3://bucket/prefix/` URL (reached like the lake) or a local folder,
 * created when missing. It lists the location once and refuses one that holds anything pixel
 * did not write, so a wrong location is an error, never a silently empty baseline.
 *
 * @example const history = await openHistory('s3://my-bucket/pixel-history/', {region: 'eu-west-1'})
 */
export async function openHistory(spec: string, s3: S3Options = {}): Promise<HistoryStore> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !spec.startsWith('s3://')) {
    throw new HistoryError(`--history "${spec}" is neither an s3:// URL nor a folder: use s3://bucket/prefix/ or a path`)
  }
  // The AWS SDK is loaded only for an s3:// history (see openLake).
  const store = spec.startsWith('s3://') ? new S3History(new (await import('../../lake/store/s3-lake.js')).S3Lake(spec, s3)) : new LocalHistory(resolve(spec))
  try {
    await store.open()
  } catch (error) {
    store.close()
    throw error
  }
  return store
}
