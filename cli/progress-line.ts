/**
 * A one-line progress report on stderr, redrawn in place at most 10 times a second, and only when
 * stderr is a terminal (CI logs and pipes stay clean).
 *
 * @example const progress = progressLine(); progress.update('12/144 objects'); progress.done()
 */
export function progressLine(stream: NodeJS.WriteStream = process.stderr) {
  let last = 0
  let shown = false
  return {
    update(text: string, force = false) {
      if (!stream.isTTY) return
      const now = Date.now()
      if (!force && now - last < 100) return
      last = now
      shown = true
      stream.write(`\r\u001b[2K${text}`)
    },
    done() {
      if (shown) stream.write('\r\u001b[2K')
      shown = false
    },
  }
}
