import {PixelError} from '../../lake/errors.js'

/** The base of the errors of notifications: a target that cannot be used, a delivery that failed. */
export class NotifyError extends PixelError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'NotifyError'
  }
}

/**
 * A `--notify` target (or `notify` in the config file) that cannot be used: an unknown scheme, a
 * malformed ARN or URL, plain http to another machine. A bad flag: exit 2 before the lake is read.
 * Its message names the target with any secret in it redacted.
 */
export class InvalidNotifyTargetError extends NotifyError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'InvalidNotifyTargetError'
  }
}

/**
 * One attempt at delivering a notification failed. `retryable` says whether another attempt can
 * help (a 5xx or 429 answer, a timeout, a dropped connection) or not (a 4xx answer, a refused
 * request). Its message never holds the target's secret: callers redact before building it.
 */
export class DeliveryError extends NotifyError {
  /** How long the server asked to wait before the next attempt (a Retry-After header), if it did. */
  retryAfterMs?: number

  constructor(message: string, readonly retryable: boolean, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'DeliveryError'
  }
}
