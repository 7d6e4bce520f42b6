/**
 * The node zlib decompression floor: reads every object of a day and gunzips it in one thread,
 * keeping nothing. Prints {objects, bytes, rawBytes} as JSON. Run as a child of the benchmark:
 * `node dist/bench/zlib-floor.js <lake> <YYYY-MM-DD>`.
 */
import {readFileSync} from 'node:fs'
import {gunzipSync} from 'node:zlib'
import {dayObjectFiles} from './day-files.js'

const [lake, day] = process.argv.slice(2)
let bytes = 0
let rawBytes = 0
const files = dayObjectFiles(lake, day)
for (const file of files) {
  const body = readFileSync(file)
  bytes += body.length
  // 1 MB chunks: the fastest setting measured here (the default 16 KB costs a copy per chunk).
  rawBytes += gunzipSync(body, {chunkSize: 1 << 20}).length
}
process.stdout.write(JSON.stringify({objects: files.length, bytes, rawBytes}) + '\n')
