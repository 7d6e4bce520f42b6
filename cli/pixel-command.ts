import {Command, Errors} from '@oclif/core'
import {PixelError} from '../lake/errors.js'

/** The exit code for "the command could not run": bad flag, unreadable input, unreachable lake. */
export const EXIT_CANNOT_RUN = 2

// oclif wraps its own parse errors in lines that say nothing about the problem itself.
const NOISE = [/^See more help with --help$/, /^The following errors? occurred:$/]
const ANSI = new RegExp('\\u001b\\[[0-9;]*m', 'g')

function oneLine(error: Error & {parse?: unknown}, commandId: string): string {
  const lines = String(error.message ?? error)
    .replace(ANSI, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !NOISE.some((n) => n.test(l)))
  // "Parsing --flag" heads the flag's own message, which may not name the flag: fold it in.
  const parsing = lines.length > 1 ? /^Parsing (--\S+)$/.exec(lines[0]) : null
  if (parsing) lines.splice(0, 2, lines[1].includes(parsing[1]) ? lines[1] : `${parsing[1]}: ${lines[1]}`)
  const text = lines.join('; ') || 'unknown error'
  if (error instanceof PixelError) return text
  if (error instanceof Errors.CLIError) return 'parse' in error ? `${text} (see pixel ${commandId} --help)` : text
  return `internal error: ${text} (please report it; DEBUG=* shows the stack)`
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
    const exitCode = error instanceof PixelError ? error.exitCode : EXIT_CANNOT_RUN
    if (this.jsonEnabled()) this.logJson({error: {message: line, exitCode}})
    this.logToStderr(`Error: ${line}`)
    this.exit(exitCode)
  }
}
