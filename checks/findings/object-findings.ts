import type {ObjectKey} from '../../lake/layout/object-key.js'
import {type Finding, finding} from '../report/report.js'
import type {ObjectScan} from '../scan/scan-object.js'
import {HOUR_MS, formatDuration, hourStart} from '../../lake/scope.js'
import {KEY_LAYOUT} from '../../lake/layout/partition-path.js'

/** A `corrupt-object` finding when the object could not be fully decompressed. */
export function corruptObjectFinding(scan: ObjectScan): Finding | undefined {
  if (scan.corruption === undefined) return undefined
  const kept = scan.records + scan.unparseable
  return finding('corrupt-object', {
    hour: scan.hour,
    key: scan.key,
    count: 1,
    message: `${scan.key} cannot be fully decompressed (${scan.corruption}); ${kept} record${kept === 1 ? '' : 's'} before the damage were read`,
  })
}

/**
 * A `late-arrival` finding when the object arrived (the time in its name) more than `lateAfterMs`
 * after its partition hour ended: reports run before it saw an incomplete hour.
 */
export function lateArrivalFinding(object: ObjectKey, lateAfterMs: number): Finding | undefined {
  const hourEnd = hourStart(object.hour) + HOUR_MS
  const late = object.arrival.getTime() - hourEnd
  if (late <= lateAfterMs) return undefined
  return finding('late-arrival', {
    hour: object.hour,
    key: object.key,
    count: 1,
    message: `${object.key} arrived ${object.arrival.toISOString().replace('.000Z', 'Z')}, ${formatDuration(late)} after hour ${object.hour} ended (limit ${formatDuration(lateAfterMs)})`,
  })
}

/**
 * An `unexpected-key` finding for a key in the scope that was not read: it does not fit the
 * lake's layout, or the store refused it (`refused` says why, e.g. a symbolic link out of the lake).
 */
export function unexpectedKeyFinding(key: string, hour: string | null, refused?: string): Finding {
  return finding('unexpected-key', {
    hour,
    key,
    count: 1,
    message: refused === undefined ? `${key} does not fit ${KEY_LAYOUT}; it was not read` : `${key} ${refused}; it was not read`,
  })
}

/**
 * An `unexpected-key` finding for an object that was listed but was gone when it was read
 * (deleted or compacted while the check ran): its records are not counted, and the audit goes on.
 */
export function vanishedObjectFinding(object: ObjectKey): Finding {
  return finding('unexpected-key', {
    hour: object.hour,
    key: object.key,
    count: 1,
    message: `${object.key} was listed but was gone when it was read (deleted while the check ran?); its records are not counted`,
  })
}
