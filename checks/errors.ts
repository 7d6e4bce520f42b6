import {PixelError} from '../lake/errors.js'

/**
 * Errors that stop a check before it can judge the lake. The CLI turns each into one line and
 * exit code 2; anything else is a bug.
 */
export class CheckError extends PixelError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'CheckError'
  }
}

/** The schema file is missing, not JSON, or not a schema ajv can compile. */
export class SchemaLoadError extends CheckError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'SchemaLoadError'
  }
}

/** The check ran past its `--timeout`; the message names what it was still waiting for. */
export class CheckTimeoutError extends CheckError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'CheckTimeoutError'
  }
}

/** The --history location cannot be read or written, or holds documents pixel did not write. */
export class HistoryError extends CheckError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'HistoryError'
  }
}

/** A file given as a saved report is missing, not JSON, or not what `pixel check --json` prints. */
export class SavedReportError extends CheckError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'SavedReportError'
  }
}
