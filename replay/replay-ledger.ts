import {type FileHandle, open, readFile} from 'node:fs/promises'
import {LedgerError, LedgerTargetError} from './errors.js'

/** One acknowledged record, one line of the ledger. */
export interface LedgerLine {
  event_id: string
  replay_id: string
  hour: string
  /** When the target acknowledged it, ISO-8601. */
  at: string
}

/**
 * What a ledger's acknowledgements were acknowledged by. Firehose: the stream, the endpoint the
 * client called (`aws` for AWS's own), the region and, once the stream was described, the
 * account. A lake (`--to lake`): its URL, and for S3 the endpoint. Never credentials.
 */
export type LedgerTarget =
  | {to: 'firehose'; stream: string; endpoint: string; region: string; account?: string}
  | {to: 'lake'; lake: string; endpoint?: string}

/** The ledger's first line. */
export interface LedgerHeader {
  pixel_replay_ledger: 1
  target: LedgerTarget
  /** The `--from` of the run that created it; for people reading the file, never compared. */
  sources: string[]
  created: string
}

/**
 * A target in words, for messages.
 *
 * @example describeTarget({to: 'lake', lake: '/data/lake'}) // 'the lake /data/lake'
 */
export function describeTarget(target: LedgerTarget): string {
  if (target.to === 'lake') return `the lake ${target.lake}${target.endpoint ? ` at ${target.endpoint}` : ''}`
  return `Firehose stream ${target.stream} at ${target.endpoint} (${target.region}${target.account ? `, account ${target.account}` : ''})`
}

/** Same target: every field both sides know agrees (a dry run does not learn the account). */
function sameTarget(a: LedgerTarget, b: LedgerTarget): boolean {
  if (a.to === 'lake' || b.to === 'lake') return a.to === 'lake' && b.to === 'lake' && a.lake === b.lake && (a.endpoint ?? '') === (b.endpoint ?? '')
  const account = a.account === undefined || b.account === undefined || a.account === b.account
  return account && a.stream === b.stream && a.endpoint === b.endpoint && a.region === b.region
}

function describe(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message
}

function isHeader(value: unknown): value is LedgerHeader {
  const v = value as Partial<LedgerHeader> | null
  return typeof v === 'object' && v !== null && v.pixel_replay_ledger === 1 && typeof v.target === 'object' && v.target !== null && (v.target.to === 'firehose' || v.target.to === 'lake')
}

function isEntry(value: unknown): value is LedgerLine {
  return typeof value === 'object' && value !== null && typeof (value as LedgerLine).event_id === 'string'
}

// How every line pixel writes starts (JSON.stringify keeps the key order).
const HEADER_START = '{"pixel_replay_ledger":'
const ENTRY_START = '{"event_id":'

/** A line cut off by a crash mid-write: the start of a line pixel writes, never anything else. */
function isTorn(body: string, start: string): boolean {
  return body.length < start.length ? start.startsWith(body) : body.startsWith(start)
}

/** What a ledger file holds: its header, its ids, and how many bytes of it are whole lines. */
interface LedgerContent {
  header?: LedgerHeader
  ids: string[]
  wholeBytes: number
}

/** Reads the text of a ledger; throws LedgerError naming the first line that is not one. */
function parseLedger(path: string, text: string): LedgerContent {
  const ids: string[] = []
  let header: LedgerHeader | undefined
  let at = 0
  let line = 0
  while (at < text.length) {
    const end = text.indexOf('\n', at)
    const whole = end !== -1
    const body = text.slice(at, whole ? end : text.length)
    line++
    // The last line without its newline was cut off by a crash mid-append: its ack was never
    // recorded (the record is found in the lake instead). Anything else must be a ledger line.
    let value: unknown
    try {
      value = JSON.parse(body)
    } catch {
      if (!whole && isTorn(body, line === 1 ? HEADER_START : ENTRY_START)) break
      value = undefined
    }
    if (line === 1) {
      if (isHeader(value)) header = value
      else if (isEntry(value)) throw new LedgerTargetError(`ledger ${path} does not say which target it belongs to (written before pixel recorded it): pass --ledger with a new file; its records are skipped only if the lake already holds them`)
      else throw new LedgerError(`ledger ${path} line 1 is not a pixel replay ledger header: pass --ledger with a new file, or remove this one if it is not a ledger`)
    } else if (!isEntry(value)) {
      throw new LedgerError(`ledger ${path} line ${line} is not a ledger entry ({"event_id", ...}): the file is damaged; repair or remove that line`)
    } else ids.push(value.event_id)
    if (!whole) return {header, ids, wholeBytes: text.length}
    at = end + 1
  }
  return {header, ids, wholeBytes: Buffer.byteLength(text.slice(0, at))}
}

/**
 * The replay ledger: JSON lines. The first names the target the ledger belongs to
 * (`{"pixel_replay_ledger": 1, "target": {...}, "sources": [...], "created"}`); each next one is a
 * record the target acknowledged (`{"event_id", "replay_id", "hour", "at"}`), appended and synced
 * to disk before the replay moves on, so an interrupted replay resumes without sending any of them
 * again. A ledger of another target is refused: its ids say nothing of what this target holds.
 * A last line torn by a crash is dropped; any other line that is not a ledger line is an error.
 *
 * @example
 * const ledger = await ReplayLedger.open('events.ndjson.replay-ledger.jsonl', {target: {to: 'lake', lake: '/data/lake'}})
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

  /**
   * Reads the ledger (a missing or empty file is a new one, whose header is written at once) and
   * checks that it belongs to `target`; `readOnly` (a dry run) never creates or changes it.
   */
  static async open(path: string, options: {target: LedgerTarget; sources?: readonly string[]; readOnly?: boolean}): Promise<ReplayLedger> {
    let text = ''
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new LedgerError(`cannot read ledger ${path}: ${describe(error)}`, {cause: error})
    }
    const content = parseLedger(path, text)
    if (content.header && !sameTarget(content.header.target, options.target)) {
      throw new LedgerTargetError(`ledger ${path} belongs to ${describeTarget(content.header.target)}, not to ${describeTarget(options.target)}: pass --ledger with another file for this target`)
    }
    if (options.readOnly) return new ReplayLedger(path, content.ids, undefined)
    let file: FileHandle
    try {
      file = await open(path, 'a+')
      // A torn last line (or a header torn before any entry) is cut off so the next entry is whole.
      if (content.wholeBytes < Buffer.byteLength(text)) await file.truncate(content.wholeBytes)
      else if (text !== '' && !text.endsWith('\n')) await file.write('\n')
      if (!content.header) {
        if (content.wholeBytes > 0) await file.truncate(0)
        const header: LedgerHeader = {pixel_replay_ledger: 1, target: options.target, sources: [...(options.sources ?? [])], created: new Date().toISOString()}
        await file.write(`${JSON.stringify(header)}\n`)
        await file.datasync()
      }
    } catch (error) {
      throw new LedgerError(`cannot write ledger ${path}: ${describe(error)}`, {cause: error})
    }
    return new ReplayLedger(path, content.ids, file)
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
