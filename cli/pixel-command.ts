import {Command, Errors} from '@oclif/core'
import {CheckError} from '../checks/errors.js'

/** The exit code for "the command could not run": bad flag, unreadable input, unreachable lake. */
export const EXIT_CANNOT_RUN = 2

function oneLine(error: Error & {oclif?: {exit?: number}}, commandId: string): string {
  const first = (error.message ?? String(error)).split('\n').find((l) => l.trim() !== '') ?? 'unknown error'
  if (error instanceof CheckError) return first
  // oclif's own parse errors (unknown flag, bad option value) carry an exit code and a help hint line.
  if (error instanceof Errors.CLIError) return `${first.trim()} (see pixel ${commandId} --help)`
  return `internal error: ${first} (please report it; DEBUG=* shows the stack)`
}

/**
 * The base of every pixel command: any error that stops a command becomes one line on stderr
 * (and a JSON error under --json) with exit code 2, never a stack trace.
 */
export abstract class PixelCommand extends Command {
  protected override async catch(error: Error & {oclif?: {exit?: number}; code?: string}): Promise<void> {
    if (error instanceof Errors.ExitError || error.code === 'EEXIT') throw error
    const line = oneLine(error, this.id ?? '')
    if (process.env.DEBUG) this.logToStderr(error.stack ?? String(error))
    if (this.jsonEnabled()) this.logJson({error: {message: line, exitCode: EXIT_CANNOT_RUN}})
    this.logToStderr(`Error: ${line}`)
    this.exit(EXIT_CANNOT_RUN)
  }
}
