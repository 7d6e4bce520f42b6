import {PixelError} from '../lake/errors.js'

/** The base of every error the pipeline code throws on purpose. */
export class PipelineError extends PixelError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'PipelineError'
  }
}

/**
 * The stack's properties do not make a deployable pipeline; `problems` lists every one found,
 * so that a user fixes them all in one go.
 */
export class InvalidStackPropsError extends PipelineError {
  readonly problems: readonly string[]

  constructor(problems: readonly string[], options?: {cause?: unknown}) {
    super(`Invalid pixel stack properties:\n- ${problems.join('\n- ')}`, options)
    this.name = 'InvalidStackPropsError'
    this.problems = problems
  }
}

/** The canary's request through the real endpoint did not get the pixel back. */
export class CanaryFailedError extends PipelineError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'CanaryFailedError'
  }
}
