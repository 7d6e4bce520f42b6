import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {LedgerLockedError} from './errors.js'
import {LedgerLock} from './ledger-lock.js'

function ledgerPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'pixel-lock-')), 'replay.ledger.jsonl')
}

/** The PID of a process that has ended: nothing runs under it (until the kernel reuses it). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!
}

describe('the ledger lock', () => {
  it('holds the PID and host, refuses a second holder with one line, and is gone once released', async () => {
    const path = ledgerPath()
    const lock = await LedgerLock.acquire(path)
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toMatchObject({pid: process.pid, host: hostname()})
    const second = LedgerLock.acquire(path)
    await expect(second).rejects.toThrow(LedgerLockedError)
    await expect(second).rejects.toThrow(new RegExp(`^ledger ${path} is locked by another pixel replay \\(pid ${process.pid}, since .*\\): wait for it to finish$`))
    await lock.release()
    expect(existsSync(`${path}.lock`)).toBe(false)
    await (await LedgerLock.acquire(path)).release()
  })

  it('gives the lock to exactly one of many runs asking at once', async () => {
    const path = ledgerPath()
    const tries = await Promise.allSettled(Array.from({length: 8}, () => LedgerLock.acquire(path)))
    expect(tries.filter((t) => t.status === 'fulfilled')).toHaveLength(1)
    for (const t of tries) if (t.status === 'fulfilled') await t.value.release()
  })

  it('takes over a lock whose PID is gone on this host, and only once when two runs find it', async () => {
    const path = ledgerPath()
    writeFileSync(`${path}.lock`, JSON.stringify({pid: deadPid(), host: hostname(), since: '2026-02-10T06:00:00.000Z'}))
    const tries = await Promise.allSettled([LedgerLock.acquire(path), LedgerLock.acquire(path)])
    expect(tries.filter((t) => t.status === 'fulfilled')).toHaveLength(1)
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).pid).toBe(process.pid)
    for (const t of tries) if (t.status === 'fulfilled') await t.value.release()
    expect(existsSync(`${path}.lock.takeover`)).toBe(false)
  })

  it('leaves a lock of another host alone, saying how to remove it if that run is gone', async () => {
    const path = ledgerPath()
    writeFileSync(`${path}.lock`, JSON.stringify({pid: 1, host: 'elsewhere.example', since: '2026-02-10T06:00:00.000Z'}))
    await expect(LedgerLock.acquire(path)).rejects.toThrow(`(pid 1 on host elsewhere.example, since 2026-02-10T06:00:00.000Z): wait for it to finish; if that run is gone, remove ${path}.lock`)
  })

  it('waits for a lock still being written, and takes over one left empty by a crash', async () => {
    const path = ledgerPath()
    writeFileSync(`${path}.lock`, '')
    await expect(LedgerLock.acquire(path)).rejects.toThrow(LedgerLockedError)
    const past = new Date(Date.now() - 60_000)
    utimesSync(`${path}.lock`, past, past)
    await (await LedgerLock.acquire(path)).release()
  })

  it('never removes a lock that another run has taken since', async () => {
    const path = ledgerPath()
    const lock = await LedgerLock.acquire(path)
    const other = JSON.stringify({pid: 1, host: 'elsewhere.example', since: 'now'})
    writeFileSync(`${path}.lock`, other)
    await lock.release()
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(other)
  })
})
