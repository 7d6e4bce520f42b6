import {PixelError} from '../lake/errors.js'

/**
 * Errors that stop `pixel replay` before or while it runs: the CLI turns each into one line and
 * exit code 2. Records that cannot be sent are not errors: they are counted in the account.
 */
export class ReplayError extends PixelError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'ReplayError'
  }
}

/** A `--from` source is missing, unreadable or of no kind pixel replay knows. */
export class ReplaySourceError extends ReplayError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'ReplaySourceError'
  }
}

/** The `--transform` file is unreadable, not JSON, malformed, or a module without a default function. */
export class TransformFileError extends ReplayError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'TransformFileError'
  }
}

/** The ledger cannot be read or appended to: resuming safely is impossible without it. */
export class LedgerError extends ReplayError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'LedgerError'
  }
}

/** The target refuses the replay as a whole: no such delivery stream, no permission, a bad endpoint. */
export class ReplayTargetError extends ReplayError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'ReplayTargetError'
  }
}

/** Another run holds the ledger's lock: two runs on one ledger would both send everything. */
export class LedgerLockedError extends LedgerError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'LedgerLockedError'
  }
}

/** The ledger was written for another target: its ids say nothing about what this target holds. */
export class LedgerTargetError extends LedgerError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'LedgerTargetError'
  }
}

/** The transform took longer than --transform-timeout on one record, or to load. */
export class TransformTimeoutError extends ReplayError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'TransformTimeoutError'
  }
}
