/**
 * How many of a day's records the fast path decides without ajv (not timed): prints
 * {lines, decided, native} as JSON. `node dist/bench/fast-path-share.js <lake> <YYYY-MM-DD> [schema]`.
 */
import {readFileSync} from 'node:fs'
import {compileFastPath} from '../checks/scan/fast-path-compile.js'
import {loadSchema} from '../checks/schema/record-validator.js'
import {gunzipObject} from '../lake/codec/gunzip-object.js'
import {dayObjectFiles} from './day-files.js'

const [lake, day, schemaPath] = process.argv.slice(2)
const fast = compileFastPath(await loadSchema(schemaPath || undefined), 'event_id', 'ts')
let lines = 0
let decided = 0
for (const file of dayObjectFiles(lake, day)) {
  const {text} = gunzipObject(readFileSync(file), true)
  if (!fast) {
    for (let i = text.indexOf(0x0a); i >= 0; i = text.indexOf(0x0a, i + 1)) lines++
    continue
  }
  fast.scanText(text, (line) => {
    lines++
    if (line.valid) decided++
  })
}
process.stdout.write(JSON.stringify({lines, decided, native: fast?.native ?? false}) + '\n')
