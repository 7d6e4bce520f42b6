import {checkLakeRoot, discoverObjects} from '../lake/discover-objects.js'
import {DuplicateObjects} from './findings/duplicate-objects.js'
import {ObjectDigests} from './findings/object-digests.js'
import {objectDigest} from '../lake/codec/object-digest.js'
import {findDuplicatePartitions} from './findings/duplicate-partitions.js'
import {DuplicateRecords} from './findings/duplicate-records.js'
import {HourTally} from './findings/hour-tally.js'
import type {Lake} from '../lake/store/lake.js'
import {corruptObjectFinding, lateArrivalFinding, unexpectedKeyFinding, vanishedObjectFinding} from './findings/object-findings.js'
import {ObjectVanishedError} from '../lake/errors.js'
import {Deadline} from './deadline.js'
import {misplacedFindings, schemaFindings, unparseableFindings} from './findings/record-findings.js'
import {CHECKS, type CheckReport, type Finding, type HourSummary, type ReportLimits, type Severity, failsOn} from './report/report.js'
import {type ObjectScan, type QuarantineEntry, locatedFields, scanObject, unreadScan} from './scan/scan-object.js'
import {DEFAULT_MAX_OBJECT_BYTES} from '../lake/codec/gunzip-object.js'
import {ScanPool} from './scan/scan-pool.js'
import {discardWarmScanWorkers} from './scan/warm-scan-workers.js'
import {compileProgram} from './scan/fast-path-compile.js'
import {fastPathOf} from './scan/fast-path.js'
import type {RecordValidator} from './schema/record-validator.js'
import {type Scope, hourEnded} from '../lake/scope.js'
import {findRawIp} from './findings/raw-ip.js'
import type {VolumeLimits} from './findings/volume.js'
import type {HistoryStore} from './history/history-store.js'
import {HourMetricsCollector} from './history/hour-metrics.js'
import {judgeDays, readHistoryWindow} from './judge-days.js'
import type {IpPolicy} from './scan/ip-address.js'
import type {CanaryRule} from './scan/scan-object.js'

export interface CheckOptions {
  lake: Lake
  scope: Scope
  validator: RecordValidator
  /** @default 'event_id' */
  idField?: string
  /** @default 'ts' */
  timeField?: string
  /** @default 15 */
  toleranceMinutes?: number
  /** @default 60 */
  lateAfterMinutes?: number
  /** @default 1 */
  minRecords?: number
  /** @default 'error' */
  failOn?: Severity | 'never'
  /** Worker threads that decode and judge objects; 0 does it in this thread. @default 0 */
  workers?: number
  /** Objects read ahead of the one being judged. @default 16, at least 4 per worker */
  readAhead?: number
  /** The most record ids held in memory before they spill to disk. @default idBudget(400), 12.6 million */
  idBudget?: number
  /**
   * Prove records valid from their bytes where the schema allows (see schema/fast-path.ts), in C++
   * where the native scanner is built; `'javascript'` keeps it in JavaScript. @default true
   */
  fastPath?: boolean | 'javascript'
  /**
   * The most bytes one object may take, stored or decoded; a larger one (a gzip bomb) is a
   * `corrupt-object` and is not read, so memory stays bounded. @default DEFAULT_MAX_OBJECT_BYTES, 1 GiB
   */
  maxObjectBytes?: number
  /** Samples kept per finding. @default 5 */
  maxSamples?: number
  /** The clock, for hours that have not ended yet. @default new Date() */
  now?: Date
  onProgress?: (progress: {done: number; total: number; bytes: number; totalBytes: number}) => void
  /** Advice that does not change the verdict, e.g. a lake with no partitions at all (see checkLakeRoot). */
  onWarning?: (message: string) => void
  /** Receives every schema-invalid or unparseable record, in (partition hour, key, index) order. */
  quarantine?: (entry: QuarantineEntry) => void
  /**
   * Milliseconds the whole check may take; past them it stops with a CheckTimeoutError naming what
   * it was waiting for. @default no limit (each S3 request has its own timeouts)
   */
  timeoutMs?: number
  /** Which records are the canary's; null turns it off. @default {field: 'source', value: 'canary'} */
  canary?: CanaryRule | null
  /** Where each whole day's metrics are recorded, and baselines come from. @default none */
  history?: HistoryStore
  /** Past same weekdays a volume baseline takes the median of. @default 4 */
  baselineWeeks?: number
  /** @default {drop: 0.5, spike: 3} */
  volume?: VolumeLimits
  /** The p95 lag from record time to arrival above which an hour is stale. @default 60 */
  freshnessMinutes?: number
  /** The record field holding the client address. @default 'client_ip' */
  ipField?: string
  /** @default 'anonymise' */
  ipPolicy?: IpPolicy
}

/** The canary's records as the stack's canary writes them. */
export const DEFAULT_CANARY: CanaryRule = {field: 'source', value: 'canary'}

function compareFindings(a: Finding, b: Finding): number {
  const byCheck = CHECKS.indexOf(a.check) - CHECKS.indexOf(b.check)
  if (byCheck !== 0) return byCheck
  if (a.hour !== b.hour) return (a.hour ?? '') < (b.hour ?? '') ? -1 : 1
  return (a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0
}

/**
 * Audits a scope of the lake: lists it, reads every object with bounded read-ahead, and runs
 * every check. Objects are judged in (partition hour, key) order, whatever order reads finish in,
 * so the report is the same on every run.
 *
 * @example const report = await runCheck({lake, scope: dayScope('2026-02-10'), validator})
 */
export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const {lake, scope, validator} = options
  const idField = options.idField ?? 'event_id'
  const timeField = options.timeField ?? 'ts'
  const toleranceMinutes = options.toleranceMinutes ?? 15
  const lateAfterMinutes = options.lateAfterMinutes ?? 60
  const maxSamples = options.maxSamples ?? 5
  const workers = Math.max(0, options.workers ?? 0)
  const readAhead = Math.max(options.readAhead ?? 16, workers * 4, 1)

  const deadline = options.timeoutMs ? new Deadline(options.timeoutMs) : undefined
  const waitFor = <T>(work: Promise<T>, what: string): Promise<T> => (deadline ? deadline.race(work, what) : work)

  const recorded = options.history ? await waitFor(readHistoryWindow(options.history, scope, options.baselineWeeks ?? 4), `the history ${options.history.url}`) : undefined
  const {objects, unexpected, topFolders} = await waitFor(discoverObjects(lake, scope), `the listing of ${lake.url}`)
  const warning = await waitFor(checkLakeRoot(lake, topFolders), `the listing of ${lake.url}`)
  if (warning) options.onWarning?.(warning)

  const now = options.now ?? new Date()
  const hours = new Map<string, HourSummary>(scope.hours.map((hour) => [hour, {hour, objects: 0, records: 0, valid: 0, invalid: 0, duplicateRecords: 0, ended: hourEnded(hour, now), canary: 0, baseline: null, learning: false, bytes: 0, lag: null}]))
  const metrics = new HourMetricsCollector(scope.hours)
  const canary = options.canary === undefined ? DEFAULT_CANARY : (options.canary ?? undefined)
  const ipField = options.ipField ?? 'client_ip'
  const ipPolicy = options.ipPolicy ?? 'anonymise'
  // The canary's own ids, few, so the duplicates of each source can be told apart.
  const canaryDuplicates = new DuplicateRecords(idField, 0, 1024, options.idBudget)
  const rawIp = new HourTally(maxSamples)
  const pathsByHour = new Map<string, Set<string>>()
  const duplicateObjects = new DuplicateObjects()
  const digests = new ObjectDigests(objects)
  const totalBytes = objects.reduce((sum, o) => sum + o.size, 0)
  // Size the id table once: gzip JSON lines run ~40 bytes a record, so this overestimates a little.
  const duplicateRecords = new DuplicateRecords(idField, maxSamples, totalBytes / 40, options.idBudget)
  const unparseable = new HourTally(maxSamples)
  const schema = new HourTally(maxSamples)
  const misplaced = new HourTally(maxSamples)
  const findings: Finding[] = unexpected.map(({key, hour, refused}) => unexpectedKeyFinding(key, hour, refused))
  const summary = {objects: 0, bytes: 0, records: 0, valid: 0, invalid: 0, unparseable: 0, duplicateRecords: 0}
  const fastPathMode = options.fastPath ?? true
  const fields = locatedFields({canary, ipField, ipPolicy})
  // Compiled once, here: workers run this program rather than compile the schema again.
  const program = fastPathMode === false ? undefined : compileProgram(validator.schema, idField, timeField, fields)
  const quarantine = options.quarantine !== undefined
  const maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES
  const toleranceMs = toleranceMinutes * 60_000
  const pool = workers > 0 && objects.length > 0
    ? new ScanPool(Math.min(workers, objects.length), {schema: validator.schema, program, fastPath: program === undefined ? false : fastPathMode, idField, timeField, toleranceMs, maxSamples, quarantine, maxObjectBytes, canary, ipField, ipPolicy})
    : undefined
  if (!pool) void discardWarmScanWorkers()
  const fastPath = program && !pool ? fastPathOf(program, {native: fastPathMode !== 'javascript'}) : undefined
  const scanOptions = {validator, fastPath, idField, timeField, toleranceMs, maxSamples, quarantine, maxObjectBytes, canary, ipField, ipPolicy}
  const unhashedOptions = {...scanOptions, digest: false}

  // An object hashed late (see ObjectDigests), read again; gone since, it copies nothing.
  const digestOf = (key: string) => lake.read(key).then(objectDigest, (error: unknown) => {
    if (error instanceof ObjectVanishedError) return undefined
    throw error
  })
  // Read ahead, decode in parallel, but judge strictly in (partition hour, key) order.
  const pending: Promise<ObjectScan>[] = []
  let next = 0
  const readNext = () => {
    const object = objects[next++]
    // Never read into memory an object too large to judge: say so instead.
    const scan = object.size > maxObjectBytes ? Promise.resolve(unreadScan(object, object.size, maxObjectBytes)) : lake.read(object.key).then((bytes) => {
      const digest = digests.wants(object.size, bytes.length)
      return pool ? pool.scan(object, bytes, {digest}) : scanObject(object, bytes, digest ? scanOptions : unhashedOptions)
    })
    scan.catch(() => {}) // rejections surface when this scan's turn comes
    pending.push(scan)
  }
  while (next < objects.length && pending.length < readAhead) readNext()
  try {
    for (let ordinal = 0; ordinal < objects.length; ordinal++) {
      let scan: ObjectScan | undefined
      try {
        scan = await waitFor(pending.shift()!, `${lake.url.replace(/\/?$/, '/')}${objects[ordinal].key}`)
      } catch (error) {
        // Deleted between the listing and its read: report it and judge the rest of the scope.
        if (!(error instanceof ObjectVanishedError)) throw error
      }
      if (next < objects.length) readNext()
      const object = objects[ordinal]
      if (scan === undefined) {
        findings.push(vanishedObjectFinding(object))
        options.onProgress?.({done: ordinal + 1, total: objects.length, bytes: summary.bytes, totalBytes})
        continue
      }
      const hour = hours.get(scan.hour)!
      hour.objects++
      hour.bytes += scan.bytes
      hour.records += scan.records
      hour.valid += scan.valid
      hour.invalid += scan.invalid
      hour.canary += scan.canary.records
      metrics.add(scan)
      duplicateRecords.see(scan)
      canaryDuplicates.see({key: scan.key, hour: scan.hour, ids: scan.canaryIds, idIndexes: scan.canaryIdIndexes})
      rawIp.add(scan.hour, scan.rawIp, scan.rawIpSamples)
      summary.objects++
      summary.bytes += scan.bytes
      summary.records += scan.records
      summary.valid += scan.valid
      summary.invalid += scan.invalid
      summary.unparseable += scan.unparseable
        if (!pathsByHour.has(scan.hour)) pathsByHour.set(scan.hour, new Set())
      pathsByHour.get(scan.hour)!.add(object.partitionPath)
      unparseable.add(scan.hour, scan.unparseable, scan.unparseableSamples)
      schema.add(scan.hour, scan.invalid, scan.schemaSamples, scan.schemaMessages)
      misplaced.add(scan.hour, scan.misplaced, scan.misplacedSamples)
      for (const entry of scan.quarantined ?? []) options.quarantine?.(entry)
      for (const earlier of await waitFor(digests.settle(scan, digestOf), `${lake.url.replace(/\/?$/, '/')}${object.key}`)) {
        const f = duplicateObjects.see(earlier)
        if (f) findings.push(f)
      }
      for (const f of [duplicateObjects.see(scan), corruptObjectFinding(scan), lateArrivalFinding(object, lateAfterMinutes * 60_000)]) {
        if (f) findings.push(f)
      }
      options.onProgress?.({done: ordinal + 1, total: objects.length, bytes: summary.bytes, totalBytes})
    }
    duplicateRecords.finish()
    canaryDuplicates.finish()
  } finally {
    await pool?.close()
    duplicateRecords.discard()
    canaryDuplicates.discard()
  }

  const hourList = [...hours.values()]
  for (const hour of hourList) {
    hour.duplicateRecords = duplicateRecords.countFor(hour.hour)
    metrics.setDuplicates(hour.hour, hour.duplicateRecords, canaryDuplicates.countFor(hour.hour))
    hour.lag = metrics.lag(hour.hour)
    summary.duplicateRecords += hour.duplicateRecords
  }
  findings.push(
    ...(await judgeDays(scope, hourList, metrics, {
      history: options.history,
      canary: canary !== undefined,
      baselineWeeks: options.baselineWeeks ?? 4,
      volume: options.volume ?? {drop: 0.5, spike: 3},
      freshnessMs: (options.freshnessMinutes ?? 60) * 60_000,
      minRecords: options.minRecords ?? 1,
    }, recorded)),
    ...findRawIp(rawIp.entries(), ipField, ipPolicy),
    ...findDuplicatePartitions(pathsByHour),
    ...duplicateRecords.findings(),
    ...unparseableFindings(unparseable.entries()),
    ...schemaFindings(schema.entries()),
    ...misplacedFindings(misplaced.entries(), toleranceMinutes, timeField),
  )
  findings.sort(compareFindings)
  const failOn = options.failOn ?? 'error'
  return {
    ok: !findings.some((f) => failsOn(f, failOn)),
    scope: {from: scope.from.toISOString(), to: scope.to.toISOString()},
    lake: lake.url,
    summary,
    hours: hourList,
    findings,
    limits: reportLimits(options),
  }
}

/**
 * The limits a check judges by, its options' defaults filled in, as every engine's report states them.
 *
 * @example reportLimits({lake, scope, validator}).freshnessMinutes // 60
 */
export function reportLimits(options: Omit<CheckOptions, 'lake' | 'scope' | 'validator'>): ReportLimits {
  const volume = options.volume ?? {drop: 0.5, spike: 3}
  return {
    failOn: options.failOn ?? 'error',
    minRecords: options.minRecords ?? 1,
    toleranceMinutes: options.toleranceMinutes ?? 15,
    lateAfterMinutes: options.lateAfterMinutes ?? 60,
    freshnessMinutes: options.freshnessMinutes ?? 60,
    volumeDrop: volume.drop,
    volumeSpike: volume.spike,
  }
}
