/**
 * CPU time of adding a day's record ids to the id table in object-sized batches, as pixel check's
 * duplicate finding does on its main thread: IdTable in JavaScript one `add` at a time, its batch
 * `addAll`, and the native table's `addAll` (where built), each on a fresh table sized as pixel
 * check sizes it, as process CPU (`process.cpuUsage()`) over `reps` runs, sorted.
 *
 *   node dist/bench/id-table-cpu.js [<lake folder> <YYYY-MM-DD>] [reps, default 3]
 *
 * With a lake it takes the ids of every object of the day (read by scanObject first, not timed);
 * without one, 5 million seeded random ids in 288 objects, 1 in 100 of them a copy of an earlier id.
 */
import {readFileSync} from 'node:fs'
import {relative} from 'node:path'
import {compileFastPath} from '../checks/scan/fast-path-compile.js'
import {type ScanOptions, scanObject} from '../checks/scan/scan-object.js'
import {compileValidator, loadSchema} from '../checks/schema/record-validator.js'
import {seededRandom} from '../fixtures/random.js'
import {IdTable} from '../lake/ids/id-table.js'
import {NativeIdTable, nativeIdTableLoaded} from '../lake/ids/native-id-table.js'
import {parseObjectKey} from '../lake/layout/object-key.js'
import {dayObjectFiles} from './day-files.js'

const args = process.argv.slice(2)
const [lake, day] = args.length >= 2 ? args : []
const reps = Math.max(1, Number(args[lake ? 2 : 0] ?? 3))

/** Each object's ids (16 bytes each), and the capacity pixel check would size the table for. */
async function dayIds(): Promise<{batches: Uint8Array[]; capacity: number}> {
  if (!lake) {
    const rand = seededRandom(13)
    const word = () => (rand() * 0x1_0000_0000) >>> 0
    const total = 5_000_000
    const objects = 288
    const batches: Uint8Array[] = []
    for (let o = 0; o < objects; o++) {
      const count = Math.floor(total / objects)
      const words = new Uint32Array(count * 4)
      for (let i = 0; i < words.length; i++) words[i] = word()
      const bytes = new Uint8Array(words.buffer)
      for (let i = 0; i < count; i++) {
        if (rand() >= 0.01 || o + i === 0) continue
        const from = batches.length > 0 && rand() < 0.5 ? batches[Math.floor(rand() * batches.length)] : bytes.subarray(0, i * 16)
        const at = Math.floor(rand() * (from.length / 16)) * 16
        bytes.set(from.subarray(at, at + 16), i * 16)
      }
      batches.push(bytes)
    }
    return {batches, capacity: total}
  }
  const schema = await loadSchema()
  const options: ScanOptions = {validator: compileValidator(schema), fastPath: compileFastPath(schema, 'event_id', 'ts'), idField: 'event_id', timeField: 'ts', toleranceMs: 15 * 60_000, maxSamples: 10}
  const files = dayObjectFiles(lake, day)
  let bytes = 0
  const batches = files.map((file) => {
    const body = readFileSync(file)
    bytes += body.length
    return scanObject(parseObjectKey(relative(lake, file))!, body, options).ids
  })
  return {batches, capacity: bytes / 40}
}

const {batches, capacity} = await dayIds()
const ids = batches.reduce((sum, b) => sum + b.length / 16, 0)
const out = new Int32Array(2 * Math.max(...batches.map((b) => b.length / 16)))

const runs: Record<string, () => number> = {
  'javascript, add per id': () => {
    const table = new IdTable(capacity)
    let copies = 0
    batches.forEach((batch, owner) => {
      for (let o = 0; o < batch.length; o += 16) if (table.add(batch, o, owner) >= 0) copies++
    })
    return copies
  },
  'javascript, addAll': () => {
    const table = new IdTable(capacity)
    return batches.reduce((copies, batch, owner) => copies + table.addAll(batch, batch.length / 16, owner, out), 0)
  },
  ...(nativeIdTableLoaded && {
    'native, addAll': () => {
      const table = new NativeIdTable(capacity)
      return batches.reduce((copies, batch, owner) => copies + table.addAll(batch, batch.length / 16, owner, out), 0)
    },
  }),
}

const result: Record<string, {cpuSeconds: number[]; usPerId: number; copies: number}> = {}
for (const [name, run] of Object.entries(runs)) {
  let copies = 0
  const seconds = Array.from({length: reps}, () => {
    const before = process.cpuUsage()
    copies = run()
    const used = process.cpuUsage(before)
    return (used.user + used.system) / 1e6
  }).sort((a, b) => a - b)
  result[name] = {cpuSeconds: seconds.map((s) => Number(s.toFixed(3))), usPerId: Number(((seconds[Math.floor(reps / 2)] * 1e6) / ids).toFixed(4)), copies}
}
console.log(JSON.stringify({lake: lake ?? 'seeded random ids', day, ids, objects: batches.length, capacity: Math.round(capacity), result}, null, 1))
