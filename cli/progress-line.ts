/**
 * A one-line progress report on stderr, redrawn in place at most 10 times a second when stderr is
 * a terminal. Elsewhere (CI logs, pipes) it stays silent, unless `logEveryMs` asks for a plain line
 * that often, for runs long enough that silence would look like a hang.
 *
 * @example const progress = progressLine(); progress.update('12/144 objects'); progress.done()
 * @example const progress = progressLine(process.stderr, {logEveryMs: 10_000}) // a line every 10 s off a terminal
 */
export function progressLine(stream: NodeJS.WriteStream = process.stderr, options: {logEveryMs?: number} = {}) {
  let last = 0
  let shown = false
  let logged = Date.now()
  return {
    update(text: string, force = false) {
      const now = Date.now()
      if (!stream.isTTY) {
        if (options.logEveryMs === undefined || now - logged < options.logEveryMs) return
        logged = now
        stream.write(`${text}\n`)
        return
      }
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
