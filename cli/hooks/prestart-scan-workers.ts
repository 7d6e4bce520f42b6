import {availableParallelism} from 'node:os'
import type {Hook} from '@oclif/core'
import {prestartScanWorkers} from '../../checks/scan/warm-scan-workers.js'

/**
 * How many scan workers `pixel check` with these arguments will use, read before oclif parses
 * them (the command's own parse stays the judge of every flag): its --concurrency, else one per
 * core; 0 when it will not scan here (another engine, help) or the value is not a count.
 *
 * @example workersFor(['--lake', 'lake', '--concurrency', '4']) // 4
 */
export function workersFor(argv: string[]): number {
  let workers = availableParallelism()
  for (let k = 0; k < argv.length; k++) {
    const equals = argv[k].startsWith('--') ? argv[k].indexOf('=') : -1
    const name = equals < 0 ? argv[k] : argv[k].slice(0, equals)
    const inline = equals < 0 ? undefined : argv[k].slice(equals + 1)
    if (name === '--') break
    if (name === '--help' || name === '-h') return 0
    if (name !== '--engine' && name !== '--concurrency') continue
    const value = inline ?? argv[++k]
    if (name === '--engine' && value !== 'local') return 0
    if (name === '--concurrency') workers = /^\d{1,2}$/.test(value ?? '') ? Number(value) : 0
  }
  return workers
}

/**
 * oclif's init hook: before the check command is even loaded, its scan workers start, so that
 * their start overlaps the main thread's (loading the command, compiling the schema, listing).
 */
const hook: Hook<'init'> = async function (options) {
  if (options.id !== 'check') return
  prestartScanWorkers(Math.min(64, workersFor(options.argv)))
}

export default hook
