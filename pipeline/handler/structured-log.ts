/** One structured log entry. Never put a raw client address or a credential in one. */
export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error'
  /** A stable, greppable name for what happened; metric filters match on it. */
  readonly event: string
  readonly [field: string]: unknown
}

export type Logger = (entry: LogEntry) => void

/** Writes one JSON line per entry to stdout, which Lambda ships to CloudWatch Logs. */
export const jsonLineLogger: Logger = (entry) => {
  process.stdout.write(`${JSON.stringify({time: new Date().toISOString(), ...entry})}\n`)
}

/** An error, described for a log without its stack (noise) and with bounded length. */
export function describeError(error: unknown): {error_name: string; error_message: string} {
  if (error instanceof Error) return {error_name: error.name, error_message: error.message.slice(0, 300)}
  return {error_name: typeof error, error_message: String(error).slice(0, 300)}
}
