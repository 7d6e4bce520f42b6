import {gunzipObject} from '../lake/codec/gunzip-object.js'
import {splitRecords} from '../lake/codec/split-records.js'
import {checkLakeRoot, discoverObjects} from '../lake/discover-objects.js'
import {IdTable} from '../lake/ids/id-table.js'
import type {Lake} from '../lake/store/lake.js'
import {idBytes} from '../lake/ids/record-id.js'
import type {RecordValidator} from '../checks/schema/record-validator.js'
import {hourScope} from '../lake/scope.js'

/**
 * The event ids of the valid records already in one hour of the lake, read and decoded as
 * `pixel check` reads it (every object under the hour's folders, whatever their padding), as
 * 16-byte ids. A record that fails the schema is not counted as there: its corrected copy
 * (from a quarantine file and a transform) must still be sent. A `lake` above or inside the
 * partitions throws a LakeRootError naming the `--lake` meant, as pixel check does: read there,
 * the hour would look empty and every record would be sent again. A lake with no partitions at
 * all is a new one: nothing to skip (replay says nothing of it, unlike pixel check: filling a
 * new lake, pixel dev's included, is what a replay is for).
 *
 * @example const {table, records} = await hourIds(lake, '2026-02-10T05', validator)
 */
export async function hourIds(lake: Lake, hour: string, validator: RecordValidator, table: IdTable = new IdTable()): Promise<{table: IdTable; records: number}> {
  const {objects, topFolders} = await discoverObjects(lake, hourScope(hour))
  await checkLakeRoot(lake, topFolders)
  const id = Buffer.alloc(16)
  let records = 0
  for (const object of objects) {
    const {text} = gunzipObject(await lake.read(object.key), object.gzipSuffix)
    splitRecords(text, {
      record(value) {
        records++
        if (!validator.isValid(value)) return
        if (idBytes((value as {event_id?: unknown}).event_id, id, 0)) table.add(id, 0, 0)
      },
      unparseable() {},
    })
  }
  return {table, records}
}
