
import type {AthenaEngineStats} from '../checks/engine/athena/athena-executor.js'
import {failedOnData, findUnreadableObjects} from '../checks/engine/athena/unreadable-objects.js'
import {digestsOfEqualSizes} from '../checks/findings/object-digests.js'
import {type CheckOptions, DEFAULT_CANARY} from '../checks/run-check.js'
import {scanObject} from '../checks/scan/scan-object.js'
import {type ObjectProbe, type ProbeResult, type SqlCheckReport, runSqlCheck} from '../checks/sql/run-sql-check.js'
import {DEFAULT_MAX_OBJECT_BYTES} from '../lake/codec/gunzip-object.js'
import {type DiscoveredObject, discoverObjects} from '../lake/discover-objects.js'
import type {Lake} from '../lake/store/lake.js'
import {type AthenaEngineFlags, openAthenaEngine} from './athena-engine.js'
import type {PixelConfig} from './pixel-config.js'

/** The report of `--engine athena`: the SQL engines' report, with what Athena ran and cost. */
export type AthenaCheckReport = SqlCheckReport & {engineStats: AthenaEngineStats}

/**
 * `pixel check --engine athena`: the SQL checks run in Athena over the raw-lines table, the
 * listing-only checks on the lake's listing as with every engine. The executor is told the
 * scope's listing first, so that whole, finished hours are read by their partition alone.
 * Objects the table cannot reach as the local engine reads them (a folder such as `hour=7/`, a
 * name without `.gz`, which the table reads as plain text even when it holds gzip) are read and
 * judged here by the local engine instead.
 * A corrupt object fails the Athena query that reads it: then the objects Athena cannot read
 * are found (findUnreadableObjects), reported as `corrupt-object` with Athena's reason, and the
 * rest of the scope is checked again without them. `engineStats` counts every query run,
 * the failed first attempt included.
 *
 * @example const report = await runAthenaCheck(options, lake, flags, config)
 */
export async function runAthenaCheck(options: CheckOptions, lake: Lake, flags: AthenaEngineFlags, config: PixelConfig): Promise<AthenaCheckReport> {
  const {executor, release} = await openAthenaEngine(flags, config, lake.url)
  try {
    const listedAt = new Date()
    const {objects, unexpected} = await discoverObjects(lake, options.scope)
    executor.knowListing([...objects.map((o) => o.key), ...unexpected.map((u) => u.key)], listedAt)
    const maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES
    const scanOptions = {
      validator: options.validator,
      idField: options.idField ?? 'event_id',
      timeField: options.timeField ?? 'ts',
      toleranceMs: (options.toleranceMinutes ?? 15) * 60_000,
      maxSamples: options.maxSamples ?? 5,
      canary: options.canary === undefined ? DEFAULT_CANARY : (options.canary ?? undefined),
      ipField: options.ipField ?? 'client_ip',
      ipPolicy: options.ipPolicy ?? 'anonymise',
      quarantine: options.quarantine !== undefined,
      maxObjectBytes,
    }
    const probe = (unreadable: ReadonlyMap<string, string>): ObjectProbe => async (listed: DiscoveredObject[]) => {
      const probed: Map<string, ProbeResult> = await digestsOfEqualSizes(lake, listed)
      for (const object of listed) {
        const reason = unreadable.get(object.key)
        if (reason !== undefined) probed.set(object.key, {...probed.get(object.key), corruption: `Athena cannot read it: ${reason}`})
        else if (!executor.canRead(object.key) && object.size <= maxObjectBytes) {
          probed.set(object.key, {...probed.get(object.key), local: scanObject(object, await lake.read(object.key), scanOptions)})
        }
      }
      return probed
    }
    let report: SqlCheckReport
    try {
      report = await runSqlCheck({...options, executor, probe: probe(new Map())})
    } catch (error) {
      if (!failedOnData(error)) throw error
      const unreadable = await findUnreadableObjects(executor, objects.filter((o) => executor.canRead(o.key)).map((o) => o.key), options.scope)
      if (unreadable.size === 0) throw error
      report = await runSqlCheck({...options, executor, probe: probe(unreadable)})
    }
    return {...report, engineStats: await executor.engineStats()}
  } finally {
    release()
    await executor.close()
  }
}

