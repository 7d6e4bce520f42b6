import type {QuarantineEntry} from '../checks/scan/scan-object.js'
import type {OutputFile} from './output-file.js'

/**
 * The `--quarantine` file: one JSON line per rejected record, appended in the order the check
 * judges them; buffered, so a day with many bad records costs one write per 1 MB. It takes its
 * name only when the check has finished (see OutputFile).
 *
 * @example
 * const quarantine = new QuarantineFile(await OutputFile.create('--quarantine', 'q.jsonl'))
 * quarantine.add(entry)
 * await quarantine.commit()
 */
export class QuarantineFile {
  private chunks: string[] = []
  private size = 0
  private writing: Promise<unknown> = Promise.resolve()

  constructor(private readonly out: OutputFile) {}

  add(entry: QuarantineEntry): void {
    const line = JSON.stringify(entry.line === undefined
      ? {key: entry.key, index: entry.index, hour: entry.hour, errors: entry.errors, record: entry.record}
      : {key: entry.key, index: entry.index, hour: entry.hour, errors: entry.errors, line: entry.line}) + '\n'
    this.chunks.push(line)
    this.size += line.length
    if (this.size >= 1 << 20) this.flush()
  }

  /** Writes what is buffered and gives the file its name; a write that failed surfaces here. */
  async commit(): Promise<void> {
    this.flush()
    await this.writing
    await this.out.commit()
  }

  private flush(): void {
    if (this.chunks.length === 0) return
    const text = this.chunks.join('')
    this.chunks = []
    this.size = 0
    this.writing = this.writing.then(() => this.out.write(text))
    this.writing.catch(() => {}) // a failure surfaces from commit(); until then it is not unhandled
  }
}
