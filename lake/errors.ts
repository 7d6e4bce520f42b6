/**
 * The root of every error pixel throws on purpose, in every area: a user's mistake or an
 * unusable input, never a bug. The CLI prints its message as one line and exits with
 * `exitCode`; anything that is not a PixelError is reported as an internal error.
 */
export class PixelError extends Error {
  /** The process exit code the CLI ends with: 2, "could not run", unless a subclass says otherwise. */
  readonly exitCode: number = 2

  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'PixelError'
  }
}

/** A flag or setting that cannot be used: a malformed day, a negative tolerance. */
export class InvalidOptionError extends PixelError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'InvalidOptionError'
  }
}

/** The base of the errors of the lake's stores and layout. */
export class LakeError extends PixelError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'LakeError'
  }
}

/** The lake cannot be listed or read: no such folder, no such bucket, no credentials. */
export class LakeUnreachableError extends LakeError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'LakeUnreachableError'
  }
}

/**
 * `--lake` names a folder above the partitions or inside them, not their root: a usage error
 * (exit 2) whose message is the folder to pass instead.
 */
export class LakeRootError extends LakeError {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'LakeRootError'
  }
}

/**
 * An object that was listed is gone when it is read (NoSuchKey, ENOENT): deleted or compacted
 * while the check ran. A check reports it and goes on; it is not a reason to stop.
 */
export class ObjectVanishedError extends LakeError {
  constructor(readonly key: string, message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'ObjectVanishedError'
  }
}
