/**
 * The decompression floor: reads every object of a day and decodes it with one decoder on
 * `threads` worker threads, keeping nothing. Prints {objects, bytes, rawBytes} as JSON. Run as a
 * child of the benchmark: `node dist/bench/decode-floor.js <lake> <YYYY-MM-DD> <zlib|libdeflate|isal> <threads>`.
 */
import {readFileSync} from 'node:fs'
import {Worker, isMainThread, parentPort, workerData} from 'node:worker_threads'
import {gunzipSync} from 'node:zlib'
import {type GzipDecoder, nativeGunzip} from '../lake/codec/native-gunzip.js'
import {dayObjectFiles} from './day-files.js'

function decodeAll(files: string[], decoder: GzipDecoder): {bytes: number; rawBytes: number} {
  let bytes = 0
  let rawBytes = 0
  for (const file of files) {
    const body = readFileSync(file)
    bytes += body.length
    // node's zlib with 1 MB chunks: the fastest setting measured here (the default 16 KB costs a copy per chunk).
    const text = decoder === 'zlib' ? gunzipSync(body, {chunkSize: 1 << 20}) : nativeGunzip(decoder, body)
    if (!text) throw new Error(`${decoder} could not decode ${file}`)
    rawBytes += text.length
  }
  return {bytes, rawBytes}
}

if (isMainThread) {
  const [lake, day, decoder, threadsText] = process.argv.slice(2)
  const threads = Math.max(1, Number(threadsText ?? 1))
  const files = dayObjectFiles(lake, day)
  const shares = Array.from({length: threads}, (_, t) => files.filter((_, i) => i % threads === t))
  const results = await Promise.all(
    shares.map(
      (share) =>
        new Promise<{bytes: number; rawBytes: number}>((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), {workerData: {files: share, decoder}})
          worker.once('message', resolve)
          worker.once('error', reject)
        }),
    ),
  )
  const sum = results.reduce((a, r) => ({bytes: a.bytes + r.bytes, rawBytes: a.rawBytes + r.rawBytes}), {bytes: 0, rawBytes: 0})
  process.stdout.write(JSON.stringify({objects: files.length, ...sum}) + '\n')
} else {
  const {files, decoder} = workerData as {files: string[]; decoder: GzipDecoder}
  parentPort!.postMessage(decodeAll(files, decoder))
}
