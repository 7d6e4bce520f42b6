/**
 * Errors that stop a check before it can judge the lake. The CLI turns each into one line and
 * exit code 2; anything else is a bug.
 */
export class CheckError extends Error {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'CheckError'
  }
}

/** A flag or setting that cannot be used: a malformed day, a negative tolerance. */
export class InvalidOptionError extends CheckError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'InvalidOptionError'
  }
}

/** The schema file is missing, not JSON, or not a schema ajv can compile. */
export class SchemaLoadError extends CheckError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'SchemaLoadError'
  }
}

/** The lake cannot be listed or read: no such folder, no such bucket, no credentials. */
export class LakeUnreachableError extends CheckError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'LakeUnreachableError'
  }
}
