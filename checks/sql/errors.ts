import {CheckError} from '../errors.js'

/** A SQL engine could not run a query, or cannot be used at all (DuckDB without httpfs over S3). Exit 2. */
export class SqlEngineError extends CheckError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'SqlEngineError'
  }
}
