import {readFileSync, unlinkSync} from 'node:fs'
import {open, readFile, stat, unlink} from 'node:fs/promises'
import {hostname} from 'node:os'
import {LedgerLockedError} from './errors.js'

/** What a lock file holds: who holds the ledger. */
export interface LockOwner {
  pid: number
  host: string
  /** When the lock was taken, ISO-8601. */
  since: string
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code
}

/** True when `pid` names no running process on this machine (EPERM: it runs, as someone else). */
function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return code(error) === 'ESRCH'
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>
    if (Number.isInteger(owner.pid) && typeof owner.host === 'string') return {pid: owner.pid!, host: owner.host, since: String(owner.since ?? '')}
  } catch {
    // Written torn by a crash between create and write: see isStale.
  }
  return undefined
}

async function createExclusive(path: string, text: string): Promise<boolean> {
  let file
  try {
    file = await open(path, 'wx')
  } catch (error) {
    if (code(error) === 'EEXIST') return false
    throw new LedgerLockedError(`cannot lock the ledger: cannot create ${path}: ${code(error) ?? (error as Error).message}`, {cause: error})
  }
  try {
    await file.writeFile(text)
    await file.datasync()
  } finally {
    await file.close()
  }
  return true
}

async function readOwnerOnce(path: string): Promise<{text: string; owner?: LockOwner} | undefined> {
  try {
    const text = await readFile(path, 'utf8')
    return {text, owner: parseOwner(text)}
  } catch (error) {
    if (code(error) === 'ENOENT') return undefined
    throw new LedgerLockedError(`cannot read the ledger's lock ${path}: ${code(error) ?? (error as Error).message}`, {cause: error})
  }
}

// A lock just created is written an instant later: give its owner that instant to appear.
const OWNER_WAIT_MS = 1000

/** The lock's text and owner; undefined when there is no lock. */
async function readOwner(path: string): Promise<{text: string; owner?: LockOwner} | undefined> {
  const deadline = Date.now() + OWNER_WAIT_MS
  for (;;) {
    const held = await readOwnerOnce(path)
    if (held === undefined || held.owner !== undefined || Date.now() >= deadline) return held
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * An exclusive lock on a replay ledger: the file `<ledger>.lock`, created with O_EXCL, holding the
 * PID and host of the run that holds it. A second run fails at once with one line naming the
 * holder. A lock left by a run that died (its PID gone on this host) is taken over; a takeover
 * goes through `<ledger>.lock.takeover`, also O_EXCL, so two runs finding the same stale lock
 * cannot both take it. The lock is removed on release, and at process exit as a last resort.
 *
 * @example
 * const lock = await LedgerLock.acquire('events.ndjson.replay-ledger.jsonl')
 * try { ... } finally { await lock.release() }
 */
export class LedgerLock {
  private released = false
  private readonly onExit = () => this.releaseSync()

  private constructor(
    readonly path: string,
    private readonly text: string,
  ) {
    process.once('exit', this.onExit)
  }

  /** Takes the lock on `ledgerPath`, or throws LedgerLockedError naming who holds it. */
  static async acquire(ledgerPath: string, options: {pid?: number; host?: string} = {}): Promise<LedgerLock> {
    const path = `${ledgerPath}.lock`
    const text = `${JSON.stringify({pid: options.pid ?? process.pid, host: options.host ?? hostname(), since: new Date().toISOString()} satisfies LockOwner)}\n`
    if (await createExclusive(path, text)) return new LedgerLock(path, text)
    const held = await readOwner(path)
    if (held === undefined) {
      // Released between our try and our look: one more try, and a plain answer if it is taken again.
      if (await createExclusive(path, text)) return new LedgerLock(path, text)
      throw new LedgerLockedError(`ledger ${ledgerPath} is locked by another pixel replay (${path}): wait for it to finish`)
    }
    if (!(await isStale(path, held.owner))) throw lockedBy(ledgerPath, path, held.owner)
    // A stale lock: take it over, one run at a time.
    const takeover = `${path}.takeover`
    if (!(await createExclusive(takeover, text))) {
      throw new LedgerLockedError(`ledger ${ledgerPath} is locked: another pixel replay is taking over its stale lock ${path} (if none is, remove ${takeover})`)
    }
    try {
      const again = await readOwner(path)
      if (again !== undefined && again.text !== held.text) throw lockedBy(ledgerPath, path, again.owner)
      if (again !== undefined) await unlink(path).catch((error) => { if (code(error) !== 'ENOENT') throw error })
      if (!(await createExclusive(path, text))) throw lockedBy(ledgerPath, path, (await readOwner(path))?.owner)
      return new LedgerLock(path, text)
    } finally {
      await unlink(takeover).catch(() => {})
    }
  }

  /** Removes the lock file, if it is still this run's. */
  async release(): Promise<void> {
    if (this.released) return
    this.released = true
    process.off('exit', this.onExit)
    const held = await readOwner(this.path).catch(() => undefined)
    if (held?.text === this.text) await unlink(this.path).catch(() => {})
  }

  private releaseSync(): void {
    if (this.released) return
    this.released = true
    try {
      if (readFileSync(this.path, 'utf8') === this.text) unlinkSync(this.path)
    } catch {
      // Already gone.
    }
  }
}

// A lock without its owner yet is being written by the run that just created it, unless it is older.
const UNWRITTEN_LOCK_MS = 10_000

/**
 * A lock is stale when its holder is a PID that no longer runs on this host. A lock of another
 * host cannot be judged from here. One without a readable owner (a crash between create and
 * write) is stale once it is older than the instant its creator needs to write it.
 */
async function isStale(path: string, owner: LockOwner | undefined): Promise<boolean> {
  if (owner !== undefined) return owner.host === hostname() && isDead(owner.pid)
  try {
    return Date.now() - (await stat(path)).mtimeMs > UNWRITTEN_LOCK_MS
  } catch {
    return true
  }
}

function lockedBy(ledgerPath: string, path: string, owner: LockOwner | undefined): LedgerLockedError {
  if (owner === undefined) return new LedgerLockedError(`ledger ${ledgerPath} is locked by another pixel replay (${path}): wait for it to finish`)
  const where = owner.host === hostname() ? `pid ${owner.pid}` : `pid ${owner.pid} on host ${owner.host}`
  const gone = owner.host === hostname() ? '' : `; if that run is gone, remove ${path}`
  return new LedgerLockedError(`ledger ${ledgerPath} is locked by another pixel replay (${where}, since ${owner.since}): wait for it to finish${gone}`)
}
