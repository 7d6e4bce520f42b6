/** Past this, a scratch buffer is let go after its object instead of kept for the next one. */
const KEEP_AT_MOST = 256 * 1024 * 1024
/** Room a growing buffer adds past what is asked, at most: an object a little larger than the last needs no new buffer. */
const HEADROOM_AT_MOST = 32 * 1024 * 1024

/**
 * A buffer that decoded objects are written into, one after another, on one thread. Writing into
 * memory already touched spares a page fault per 4 KiB that a fresh buffer per object costs (on
 * a day of lake objects, a third of the decoding's CPU). A text decoded into it is valid only
 * until the next decode with the same scratch: callers copy whatever they keep.
 *
 * @example const scratch = new DecodeScratch(); const {text} = gunzipObject(body, true, {scratch}); …; scratch.release()
 */
export class DecodeScratch {
  private buffer = Buffer.alloc(0)

  /**
   * A buffer of at least `bytes` (its contents are not kept when it grows). It grows to twice what
   * is asked (up to 32 MiB more): a day's objects differ in size, and each larger one than the
   * largest so far would otherwise fault in a fresh buffer. Room never written costs no memory.
   */
  room(bytes: number): Buffer {
    if (this.buffer.length < bytes) this.buffer = Buffer.allocUnsafeSlow(Math.max(bytes + Math.min(bytes, HEADROOM_AT_MOST), 1 << 20))
    return this.buffer
  }

  /** Call when done with the last text: an unusually large buffer is given back. */
  release(): void {
    if (this.buffer.length > KEEP_AT_MOST) this.buffer = Buffer.alloc(0)
  }
}
