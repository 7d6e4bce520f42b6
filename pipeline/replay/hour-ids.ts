import {discoverObjects} from '../../checks/discover-objects.js'
import {IdTable} from '../../checks/id-table.js'
import type {Lake} from '../../checks/lake/lake.js'
import {scanObject} from '../../checks/scan-object.js'
import type {RecordValidator} from '../../checks/schema/record-validator.js'
import {hourScope} from '../../checks/scope.js'

/**
 * Every event id already in one hour of the lake, read and decoded exactly as `pixel check`
 * reads it (every object under the hour's folders, whatever their padding), as 16-byte ids.
 *
 * @example const {table, records} = await hourIds(lake, '2026-02-10T05', validator)
 */
export async function hourIds(lake: Lake, hour: string, validator: RecordValidator, table: IdTable = new IdTable()): Promise<{table: IdTable; records: number}> {
  const {objects} = await discoverObjects(lake, hourScope(hour))
  let records = 0
  for (const object of objects) {
    const scan = scanObject(object, await lake.read(object.key), {validator, idField: 'event_id', timeField: 'ts', toleranceMs: 0, maxSamples: 0})
    for (let at = 0; at < scan.ids.length; at += 16) table.add(scan.ids, at, 0)
    records += scan.records
  }
  return {table, records}
}
