/** One stored object, with its key relative to the lake's prefix. */
export interface LakeObject {
  key: string
  size: number
  /** When the store last wrote it (S3's LastModified, a file's mtime), where the store says. */
  modified?: Date
  /**
   * Why the store will not read this entry, when it will not: a symbolic link that leaves a local
   * lake, a broken link, a loop, a device. Such an entry is reported, never read.
   */
  refused?: string
}

/**
 * A lake: a local folder or an S3 prefix holding `year=/month=/day=/hour=` partitions.
 * Keys are always relative to the lake's root and use `/`.
 */
export interface Lake {
  /** How the lake is named in reports: `s3://bucket/prefix/` or an absolute folder path. */
  readonly url: string
  /** The immediate sub-directories (common prefixes) below `prefix`, as names like `month=02`. */
  listDirectories(prefix: string): Promise<string[]>
  /** Every object below `prefix`, at any depth, page by page. */
  listObjects(prefix: string): AsyncIterable<LakeObject>
  /** The whole body of one object. */
  read(key: string): Promise<Buffer>
  /** Stores one object (creating folders as needed). */
  write(key: string, body: Uint8Array): Promise<void>
  /** Removes one object; one that is not there is no error (S3's DELETE is the same). */
  delete(key: string): Promise<void>
  /** Releases sockets; the lake is unusable after. */
  close(): void
}
