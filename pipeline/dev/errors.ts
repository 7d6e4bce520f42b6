import {PipelineError} from '../errors.js'

/** The Firehose error names the dev server answers with, as the real service spells them. */
export type FirehoseErrorType =
  | 'ValidationException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'InvalidArgumentException'
  | 'ResourceNotFoundException'
  | 'ServiceUnavailableException'

/**
 * A Firehose call that fails whole. It becomes the service's error answer: the HTTP status,
 * `x-amzn-ErrorType` and `{"__type", "message"}`, which every AWS SDK maps to its exception class.
 */
export class FirehoseApiError extends PipelineError {
  readonly type: FirehoseErrorType
  readonly status: number

  constructor(type: FirehoseErrorType, message: string, status = type === 'ServiceUnavailableException' ? 503 : 400) {
    super(message)
    this.name = 'FirehoseApiError'
    this.type = type
    this.status = status
  }
}

/** The delivery buffer no longer takes records: the server is flushing before it exits. */
export class DeliveryClosedError extends PipelineError {
  constructor() {
    super('the delivery stream is shutting down')
    this.name = 'DeliveryClosedError'
  }
}

/** Some records could not be written to the lake, even after retries. */
export class DeliveryFailedError extends PipelineError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'DeliveryFailedError'
  }
}

/** The Kinesis error names the dev server answers with, as the real service spells them. */
export type KinesisErrorType =
  | 'ValidationException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'InvalidArgumentException'
  | 'ResourceNotFoundException'
  | 'ExpiredIteratorException'
  | 'ProvisionedThroughputExceededException'

/** A Kinesis call that fails whole; it becomes the service's error answer, as `FirehoseApiError` does. */
export class KinesisApiError extends PipelineError {
  readonly type: KinesisErrorType
  readonly status = 400

  constructor(type: KinesisErrorType, message: string) {
    super(message)
    this.name = 'KinesisApiError'
    this.type = type
  }
}
