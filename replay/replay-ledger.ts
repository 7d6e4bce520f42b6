import {type FileHandle, open, readFile} from 'node:fs/promises'
import {LedgerError} from './errors.js'

/** One acknowledged record, one line of the ledger. */
export interface LedgerLine {
  event_id: string
  replay_id: string
  hour: string
  /** When the target acknowledged it, ISO-8601. */
  at: string
}

function describe(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message
}

/**
 * The replay ledger: JSON lines, one per record the target acknowledged, appended and synced to
 * disk before the replay moves on, so an interrupted replay resumes without sending any of them
 * again. A line torn by a crash is ignored (its record is found in the lake instead).
 *
 * @example
 * const ledger = await ReplayLedger.open('events.ndjson.replay-ledger.jsonl')
 * ledger.ids // event ids acknowledged by earlier runs
 * await ledger.append(['0b8f…'], 'replay-…', '2026-02-10T05')
 */
export class ReplayLedger {
  private writing: Promise<void> = Promise.resolve()

  private constructor(
    readonly path: string,
    /** The event ids acknowledged by earlier runs. */
    readonly ids: readonly string[],
    private readonly file: FileHandle | undefined,
  ) {}

  /** Reads the ledger (a missing file is an empty one); `readOnly` (a dry run) never creates it. */
  static async open(path: string, options: {readOnly?: boolean} = {}): Promise<ReplayLedger> {
    let text = ''
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new LedgerError(`cannot read ledger ${path}: ${describe(error)}`, {cause: error})
    }
    const ids: string[] = []
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue
      try {
        const entry = JSON.parse(line) as Partial<LedgerLine>
        if (typeof entry.event_id === 'string') ids.push(entry.event_id)
      } catch {
        // A line cut off by a crash mid-write: its record's ack was never recorded.
      }
    }
    if (options.readOnly) return new ReplayLedger(path, ids, undefined)
    let file: FileHandle
    try {
      file = await open(path, 'a')
      // After a torn last line, start on a fresh one so the next entry is whole.
      if (text !== '' && !text.endsWith('\n')) await file.write('\n')
    } catch (error) {
      throw new LedgerError(`cannot write ledger ${path}: ${describe(error)}`, {cause: error})
    }
    return new ReplayLedger(path, ids, file)
  }

  /** Appends the acknowledged ids and syncs them to disk; calls are written in call order. */
  append(eventIds: readonly string[], replayId: string, hour: string): Promise<void> {
    if (!this.file || eventIds.length === 0) return this.writing
    const at = new Date().toISOString()
    const text = eventIds.map((id) => `${JSON.stringify({event_id: id, replay_id: replayId, hour, at} satisfies LedgerLine)}\n`).join('')
    const file = this.file
    this.writing = this.writing.then(async () => {
      try {
        await file.write(text)
        await file.datasync()
      } catch (error) {
        throw new LedgerError(`cannot write ledger ${this.path}: ${describe(error)}`, {cause: error})
      }
    })
    return this.writing
  }

  async close(): Promise<void> {
    try {
      await this.writing
    } finally {
      await this.file?.close()
    }
  }
}
