import {PipelineError} from '../errors.js'

/** The base of what the Kinesis consumer refuses to do; the batch fails and is retried. */
export class ConsumerError extends PipelineError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'ConsumerError'
  }
}

/**
 * Objects of one shard and hour that the consumer would merge do not hold what their names say
 * (the same records as the batch where their sequence ranges overlap): merging or deleting them
 * could lose records, so the batch fails instead and ends, after its retries, in the failure
 * destination for someone to look at.
 */
export class OverlapMismatchError extends ConsumerError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'OverlapMismatchError'
  }
}

/** A Lambda Kinesis event that is not shaped as Lambda sends one. */
export class MalformedKinesisEventError extends ConsumerError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'MalformedKinesisEventError'
  }
}
