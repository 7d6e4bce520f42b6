import {rmSync} from 'node:fs'

/*
 * Temporary files and folders of this process (spilled ids, reports not yet renamed into place),
 * removed on every way out short of SIGKILL: process.exit, and SIGINT, SIGTERM or SIGHUP, which
 * would otherwise end the process without running any finally. The signal still ends the process
 * when nothing else listens for it, as if it had never been caught.
 */
const paths = new Set<string>()
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

function removeAll(): void {
  for (const path of paths) rmSync(path, {recursive: true, force: true})
  paths.clear()
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll()
  unwatch()
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

function unwatch(): void {
  process.off('exit', removeAll)
  for (const signal of SIGNALS) process.off(signal, onSignal)
}

/**
 * Removes `path` (a file, or a folder with all it holds) however the process ends, until
 * `keepOnExit(path)` says it is finished or gone.
 *
 * @example removeOnExit(spillDir); ...; rmSync(spillDir, {recursive: true}); keepOnExit(spillDir)
 */
export function removeOnExit(path: string): void {
  if (paths.size === 0) {
    process.on('exit', removeAll)
    for (const signal of SIGNALS) process.on(signal, onSignal)
  }
  paths.add(path)
}

/** Stops watching `path`: it was renamed into place or removed already. */
export function keepOnExit(path: string): void {
  if (!paths.delete(path)) return
  if (paths.size === 0) unwatch()
}
