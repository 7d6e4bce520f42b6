import {CheckError} from '../../errors.js'

/**
 * The base of the errors of the Athena engine: each stops the check with one line (exit 2) that
 * names the query (its label and id) and what to do.
 */
export class AthenaError extends CheckError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'AthenaError'
  }
}

/** Athena cannot be reached or refuses the request: credentials, permissions, no such workgroup. */
export class AthenaUnreachableError extends AthenaError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'AthenaUnreachableError'
  }
}

/**
 * A query ended FAILED; the message carries Athena's StateChangeReason, and `path` the object it
 * names, when it names one (a corrupt object fails the query that reads it).
 */
export class AthenaQueryFailedError extends AthenaError {
  readonly path?: string

  constructor(
    readonly queryId: string,
    message: string,
    options?: {cause?: unknown; path?: string},
  ) {
    super(message, options)
    this.name = 'AthenaQueryFailedError'
    this.path = options?.path
  }
}

/** A query was cancelled by someone other than pixel (the console, another user, a quota). */
export class AthenaQueryCancelledError extends AthenaError {
  constructor(
    readonly queryId: string,
    message: string,
    options?: {cause?: unknown},
  ) {
    super(message, options)
    this.name = 'AthenaQueryCancelledError'
  }
}

/** Athena cancelled a query because it scanned more than the workgroup allows per query. */
export class AthenaScanLimitError extends AthenaError {
  constructor(
    readonly queryId: string,
    message: string,
    options?: {cause?: unknown},
  ) {
    super(message, options)
    this.name = 'AthenaScanLimitError'
  }
}

/** A query string over Athena's 262,144 bytes, refused before it is sent. */
export class AthenaQueryTooLongError extends AthenaError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'AthenaQueryTooLongError'
  }
}

/** The check was interrupted (Ctrl-C, SIGTERM): the running queries were stopped. */
export class AthenaInterruptedError extends AthenaError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'AthenaInterruptedError'
  }
}
