import {checkLakeRoot, discoverObjects, type DiscoveredObject} from '../../lake/discover-objects.js'
import {DuplicateObjects} from '../findings/duplicate-objects.js'
import {digestsOfEqualSizes} from '../findings/object-digests.js'
import {findDuplicatePartitions} from '../findings/duplicate-partitions.js'
import {HourTally} from '../findings/hour-tally.js'
import {corruptObjectFinding, lateArrivalFinding, unexpectedKeyFinding} from '../findings/object-findings.js'
import {misplacedFindings, schemaFindings, unparseableFindings} from '../findings/record-findings.js'
import {findRawIp} from '../findings/raw-ip.js'
import {HourMetricsCollector} from '../history/hour-metrics.js'
import {judgeDays, readHistoryWindow} from '../judge-days.js'
import {CHECKS, type CheckReport, type Finding, type HourSummary, type Sample, failsOn, finding} from '../report/report.js'
import {DEFAULT_CANARY, type CheckOptions, reportLimits} from '../run-check.js'
import {addressKind} from '../scan/ip-address.js'
import {type ObjectScan, scanObject, unreadScan} from '../scan/scan-object.js'
import {emptySourceMetrics, type SourceMetrics} from '../scan/source-metrics.js'
import {formatDuration, hourEnded, hourStart, HOUR_MS} from '../../lake/scope.js'
import {Deadline} from '../deadline.js'
import {FIELD_SEPARATOR, ITEM_SEPARATOR, checkQueries} from './check-queries.js'
import {SqlEngineError} from './errors.js'
import type {NotChecked} from './schema-sql.js'
import {MAX_QUERY_BYTES, type QueryStats, type SqlExecutor} from './sql-executor.js'

/** What a probe learnt about one object before any SQL ran. */
export interface ProbeResult {
  /** Why it cannot be read whole (not gzip, truncated, too large): a corrupt-object, kept out of SQL. */
  corruption?: string
  /** SHA-256 of its bytes, for duplicate-object. */
  digest?: string
  /** The object judged by the local engine instead (text SQL engines refuse, such as bytes that are not UTF-8). */
  local?: ObjectScan
}

/** Finds what SQL cannot be trusted with before it runs (see duckdb-probe.ts); objects it leaves out go to SQL as they are. */
export type ObjectProbe = (objects: DiscoveredObject[]) => Promise<Map<string, ProbeResult>>

export interface SqlCheckOptions extends CheckOptions {
  executor: SqlExecutor
  probe?: ObjectProbe
  /** The most bytes a query may take. @default MAX_QUERY_BYTES, Athena's limit */
  maxQueryBytes?: number
}

/** The report of a SQL engine: the local engine's report, plus what the engine ran and did not check. */
export interface SqlCheckReport extends CheckReport {
  engine: 'duckdb' | 'athena'
  /** Schema keywords this engine does not check (never silently passed: listed here and in the text report). */
  notChecked: NotChecked[]
  /** One entry per query run. */
  queries: (QueryStats & {label: string; bytes: number})[]
}

function compareFindings(a: Finding, b: Finding): number {
  const byCheck = CHECKS.indexOf(a.check) - CHECKS.indexOf(b.check)
  if (byCheck !== 0) return byCheck
  if (a.hour !== b.hour) return (a.hour ?? '') < (b.hour ?? '') ? -1 : 1
  return (a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0
}

const bytesOf = (sql: string) => Buffer.byteLength(sql, 'utf8')

/**
 * Splits keys into groups whose query stays within `limit` bytes, halving a group until it fits.
 *
 * @example groupKeys(keys, (g) => q.group(executor.linesRelation(g, scope)).details, 262_144)
 */
export function groupKeys(keys: readonly string[], build: (group: readonly string[]) => string, limit: number): string[][] {
  if (keys.length === 0) return []
  if (bytesOf(build(keys)) <= limit) return [[...keys]]
  if (keys.length === 1) throw new SqlEngineError(`the query for ${keys[0]} alone takes ${bytesOf(build(keys))} bytes, more than the limit of ${limit}: the schema compiles to too much SQL; use --engine local`)
  const half = Math.ceil(keys.length / 2)
  return [...groupKeys(keys.slice(0, half), build, limit), ...groupKeys(keys.slice(half), build, limit)]
}

function histogram(text: string | null): [number, number][] {
  if (text === null || text === '') return []
  const parsed = JSON.parse(text) as Record<string, number>
  return Object.entries(parsed).map(([m, n]) => [Number(m), Number(n)] as [number, number]).sort((a, b) => a[0] - b[0])
}

const num = (text: string | null) => (text === null ? 0 : Number(text))

/**
 * Audits a scope of the lake as runCheck does, with the record-level checks run as SQL by an
 * executor (DuckDB in-process, Athena). The listing-only checks (unexpected-key, late-arrival,
 * duplicate-partition, duplicate-object) and the judgement of hours (gap, canary-missing, volume,
 * freshness, schema-drift) are the local engine's own code; lines SQL cannot split into records
 * come back and are judged by the local engine's splitter and validator.
 *
 * @example const report = await runSqlCheck({lake, scope, validator, executor: await DuckdbExecutor.open(lake.url)})
 */
export async function runSqlCheck(options: SqlCheckOptions): Promise<SqlCheckReport> {
  const {lake, scope, validator, executor} = options
  const idField = options.idField ?? 'event_id'
  const timeField = options.timeField ?? 'ts'
  const toleranceMinutes = options.toleranceMinutes ?? 15
  const lateAfterMinutes = options.lateAfterMinutes ?? 60
  const maxSamples = options.maxSamples ?? 5
  const canary = options.canary === undefined ? DEFAULT_CANARY : (options.canary ?? undefined)
  const ipField = options.ipField ?? 'client_ip'
  const ipPolicy = options.ipPolicy ?? 'anonymise'
  const limit = options.maxQueryBytes ?? MAX_QUERY_BYTES
  const deadline = options.timeoutMs ? new Deadline(options.timeoutMs) : undefined
  const waitFor = <T>(work: Promise<T>, what: string): Promise<T> => (deadline ? deadline.race(work, what) : work)

  const recorded = options.history ? await waitFor(readHistoryWindow(options.history, scope, options.baselineWeeks ?? 4), `the history ${options.history.url}`) : undefined
  const {objects, unexpected, topFolders} = await waitFor(discoverObjects(lake, scope), `the listing of ${lake.url}`)
  const warning = await waitFor(checkLakeRoot(lake, topFolders), `the listing of ${lake.url}`)
  if (warning) options.onWarning?.(warning)

  const maxObjectBytes = options.maxObjectBytes ?? 1024 * 1024 * 1024
  const probed: Map<string, ProbeResult> = options.probe ? await waitFor(options.probe(objects), `the objects of ${lake.url}`) : await digestsOfEqualSizes(lake, objects)
  const toSql = objects.filter((o) => o.size <= maxObjectBytes && !probed.get(o.key)?.corruption && !probed.get(o.key)?.local)
  const keys = toSql.map((o) => o.key)

  const queries = checkQueries(executor.dialect, {schema: validator.schema, idField, timeField, toleranceMs: toleranceMinutes * 60_000, canary, ipField, ipPolicy, maxSamples})
  const ran: SqlCheckReport['queries'] = []
  const run = async (sql: string, label: string) => {
    if (bytesOf(sql) > limit) throw new SqlEngineError(`the ${label} query takes ${bytesOf(sql)} bytes, more than the limit of ${limit}: check a smaller scope`)
    const result = await waitFor(executor.query(sql, {label}), `the ${executor.engine} query ${label}`)
    ran.push({label, bytes: bytesOf(sql), ...result.stats})
    return result
  }

  // Per object: what SQL found, gathered into the ObjectScan the local engine would have made.
  const scans = new Map<string, ObjectScan>()
  const byKey = new Map(objects.map((o) => [o.key, o]))
  const scanOf = (key: string): ObjectScan => {
    let scan = scans.get(key)
    if (!scan) {
      const object = byKey.get(key)!
      scan = {...unreadScan(object, object.size, maxObjectBytes), corruption: undefined, digest: probed.get(key)?.digest ?? `unique:${key}`}
      scans.set(key, scan)
    }
    return scan
  }
  const relation = (group: readonly string[]) => executor.linesRelation(group, scope)
  // Objects whose name holds no arrival time (the Kinesis consumer's): SQL is told it.
  const arrivalsOf = (group: readonly string[]) => new Map(group.map((key) => byKey.get(key)!).filter((o) => o.form !== 'firehose').map((o) => [o.key, o.arrival.getTime()]))
  const groups = groupKeys(keys, (group) => {
    const q = queries.group(relation(group), arrivalsOf(group))
    return q.stats.length > q.details.length ? q.stats : q.details
  }, limit)
  const rest = new Map<string, string[]>()
  for (const [g, group] of groups.entries()) {
    const q = queries.group(relation(group), arrivalsOf(group))
    const stats = await run(q.stats, `stats ${g + 1}/${groups.length}`)
    for (const row of stats.rows) {
      const [path, records, valid, canaryRecords, canaryValid, misplaced, rawIp, ipSeen, lagReal, lagCanary, lagMaxReal, lagMaxCanary] = row
      const scan = scanOf(path!)
      scan.records = num(records)
      scan.valid = num(valid)
      scan.invalid = scan.records - scan.valid
      scan.misplaced = num(misplaced)
      scan.rawIp = num(rawIp)
      scan.ipSeen = num(ipSeen)
      const source = (records: number, valid: number, lag: string | null, max: string | null): SourceMetrics => ({...emptySourceMetrics(), records, valid, invalid: records - valid, lag: histogram(lag), lagMaxMs: max === null ? -1 : Number(max)})
      scan.canary = source(num(canaryRecords), num(canaryValid), lagCanary, lagMaxCanary)
      scan.real = source(scan.records - num(canaryRecords), scan.valid - num(canaryValid), lagReal, lagMaxReal)
    }
    const details = await run(q.details, `details ${g + 1}/${groups.length}`)
    for (const [kind, path, a, b] of details.rows) {
      const scan = scanOf(path!)
      if (kind === 'message') {
        const [pointer, message] = splitPair(a!)
        const signature = `${pointer || '/'} ${message}`
        scan.schemaMessages[signature] = (scan.schemaMessages[signature] ?? 0) + num(b)
      } else if (kind === 'invalid') {
        for (const record of a!.split('\u001d')) {
          for (const error of record.split(ITEM_SEPARATOR)) {
            const [pointer, message] = splitPair(error)
            if (scan.schemaSamples.length < maxSamples) scan.schemaSamples.push({key: path!, index: null, pointer, message})
          }
        }
      } else if (kind === 'misplaced') {
        const hour = byKey.get(path!)!.hour
        for (const t of a!.split('\u001d')) {
          const time = Number(t)
          const start = hourStart(hour)
          const off = time < start ? time - start : time - (start + HOUR_MS)
          if (scan.misplacedSamples.length < maxSamples) scan.misplacedSamples.push({key: path!, index: null, pointer: `/${timeField}`, message: `${new Date(time).toISOString()} is ${formatDuration(off)} ${off < 0 ? 'before' : 'after'} its partition hour ${hour}`})
        }
      } else if (kind === 'ipv6') {
        if (addressKind(a!) !== 'full') continue
        scan.rawIp += num(b)
        if (scan.rawIpSamples.length < maxSamples) scan.rawIpSamples.push({key: path!, index: null, pointer: `/${ipField}`, message: 'holds an IPv6 address with bits beyond its /48'})
      } else if (kind === 'rest') {
        if (!rest.has(path!)) rest.set(path!, [])
        rest.get(path!)!.push(a!)
      }
    }
  }
  for (const scan of scans.values()) {
    // IPv4 samples: SQL counted them; say which object without naming the address.
    const ipv4 = scan.rawIp - scan.rawIpSamples.filter((s) => s.message.includes('IPv6')).length
    for (let i = 0; i < ipv4 && scan.rawIpSamples.length < maxSamples; i++) {
      scan.rawIpSamples.push({key: scan.key, index: null, pointer: `/${ipField}`, message: ipPolicy === 'omit' ? 'holds an address though --ip-policy is omit' : 'holds an IPv4 address whose last octet is not 0'})
    }
  }

  // Lines SQL could not split (not JSON, or objects back to back with "}{" inside a string): judged as the local engine judges them.
  const scanOptions = {validator, idField, timeField, toleranceMs: toleranceMinutes * 60_000, maxSamples, canary, ipField, ipPolicy}
  for (const [key, lines] of rest) {
    const object = byKey.get(key)!
    const local = scanObject({...object, key, gzipSuffix: false}, Buffer.from(lines.join('\n'), 'utf8'), scanOptions)
    mergeScan(scanOf(key), local, maxSamples)
  }

  const duplicatesPerKey = new Map<string, {duplicates: number; canary: number; originals: string[]}>()
  if (keys.length > 0) {
    // One query when the scope fits; else groups of objects, each with its own duplicates, and every
    // pair of groups asked for the ids they share, which move each group's original to the earliest.
    const whole = queries.duplicates(relation(keys))
    const dupGroups = bytesOf(whole) <= limit ? [keys] : groupKeys(keys, (group) => queries.sharedIds(relation(group), relation(group)), limit)
    for (const [g, group] of dupGroups.entries()) {
      const duplicates = await run(dupGroups.length === 1 ? whole : queries.duplicates(relation(group)), dupGroups.length === 1 ? 'duplicates' : `duplicates ${g + 1}/${dupGroups.length}`)
      for (const [path, count, canaryCount, originals] of duplicates.rows) {
        duplicatesPerKey.set(path!, {duplicates: num(count), canary: num(canaryCount), originals: originals ? originals.split('\u001d') : []})
      }
    }
    if (dupGroups.length > 1) {
      const shared = new Map<string, Map<string, SharedPlace>>()
      const pairs = dupGroups.length * (dupGroups.length - 1) / 2
      let pair = 0
      for (let i = 0; i < dupGroups.length; i++) {
        for (let j = i + 1; j < dupGroups.length; j++) {
          const result = await run(queries.sharedIds(relation(dupGroups[i]), relation(dupGroups[j])), `shared ids ${++pair}/${pairs}`)
          for (const [id, part, path, hs, nc] of result.rows) {
            if (!shared.has(id!)) shared.set(id!, new Map())
            shared.get(id!)!.set(path!, {group: part === '0' ? i : j, path: path!, hs: Number(hs), canary: num(nc)})
          }
        }
      }
      for (const [path, fix] of acrossGroups(shared)) {
        const entry = duplicatesPerKey.get(path) ?? {duplicates: 0, canary: 0, originals: []}
        entry.duplicates += fix.duplicates
        entry.canary += fix.canary
        entry.originals.push(...fix.originals)
        duplicatesPerKey.set(path, entry)
      }
    }
  }

  // From here on, exactly the local engine's aggregation, object by object in (partition hour, key) order.
  const now = options.now ?? new Date()
  const hours = new Map<string, HourSummary>(scope.hours.map((hour) => [hour, {hour, objects: 0, records: 0, valid: 0, invalid: 0, duplicateRecords: 0, ended: hourEnded(hour, now), canary: 0, baseline: null, learning: false, bytes: 0, lag: null}]))
  const metrics = new HourMetricsCollector(scope.hours)
  const findings: Finding[] = unexpected.map(({key, hour, refused}) => unexpectedKeyFinding(key, hour, refused))
  const summary = {objects: 0, bytes: 0, records: 0, valid: 0, invalid: 0, unparseable: 0, duplicateRecords: 0}
  const pathsByHour = new Map<string, Set<string>>()
  const duplicateObjects = new DuplicateObjects()
  const unparseable = new HourTally(maxSamples)
  const schema = new HourTally(maxSamples)
  const misplaced = new HourTally(maxSamples)
  const rawIp = new HourTally(maxSamples)
  const duplicateTally = new HourTally(maxSamples)
  const duplicatesPerHour = new Map<string, {all: number; canary: number}>()
  for (const object of objects) {
    const probe = probed.get(object.key)
    let scan: ObjectScan
    if (object.size > maxObjectBytes) scan = unreadScan(object, object.size, maxObjectBytes)
    else if (probe?.local) scan = probe.local
    else if (probe?.corruption) scan = {...unreadScan(object, object.size, maxObjectBytes), corruption: `${probe.corruption}; not read by the ${executor.engine} engine`, digest: probe.digest ?? ''}
    else scan = scanOf(object.key)
    // --quarantine: SQL says which objects hold rejected records; only those are read again here, and
    // the local engine's own scan writes their lines (the same records, indexes and order as --engine local).
    if (options.quarantine && !probe?.corruption && object.size <= maxObjectBytes && scan.invalid + scan.unparseable > 0) {
      const rescanned = probe?.local?.quarantined ? probe.local : scanObject(object, await waitFor(lake.read(object.key), `the object ${object.key}`), {...scanOptions, maxObjectBytes, quarantine: true})
      for (const entry of rescanned.quarantined ?? []) options.quarantine(entry)
    }
    const hour = hours.get(scan.hour)!
    hour.objects++
    hour.bytes += scan.bytes
    hour.records += scan.records
    hour.valid += scan.valid
    hour.invalid += scan.invalid
    hour.canary += scan.canary.records
    metrics.add(scan)
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
    const dup = duplicatesPerKey.get(object.key)
    if (dup && dup.duplicates > 0) {
      const samples: Sample[] = dup.originals.slice(0, maxSamples).map((original) => ({key: object.key, index: null, pointer: `/${idField}`, message: `${idField} first seen ${original === '' ? 'earlier in this object' : `in ${original}`}`}))
      duplicateTally.add(scan.hour, dup.duplicates, samples)
      const perHour = duplicatesPerHour.get(scan.hour) ?? {all: 0, canary: 0}
      perHour.all += dup.duplicates
      perHour.canary += dup.canary
      duplicatesPerHour.set(scan.hour, perHour)
    }
    for (const f of [duplicateObjects.see(scan), corruptObjectFinding(scan), lateArrivalFinding(object, lateAfterMinutes * 60_000)]) {
      if (f) findings.push(f)
    }
    options.onProgress?.({done: summary.objects, total: objects.length, bytes: summary.bytes, totalBytes: 0})
  }

  const hourList = [...hours.values()]
  for (const hour of hourList) {
    const dup = duplicatesPerHour.get(hour.hour) ?? {all: 0, canary: 0}
    hour.duplicateRecords = dup.all
    metrics.setDuplicates(hour.hour, dup.all, dup.canary)
    hour.lag = metrics.lag(hour.hour)
    summary.duplicateRecords += dup.all
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
    ...duplicateTally.entries().map(({hour, count, samples}) =>
      finding('duplicate-record', {hour, key: null, count, message: `hour ${hour} holds ${count} extra ${count === 1 ? 'copy' : 'copies'} of records already seen`, samples}),
    ),
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
    engine: executor.engine,
    notChecked: queries.notChecked,
    queries: ran,
  }
}

/** One object holding an id that several groups of the duplicates query hold. */
interface SharedPlace {
  group: number
  path: string
  hs: number
  canary: number
}

/** SQL's order of (partition hour, key): keys compare as UTF-8 bytes (DuckDB) or code points (Trino), which agree. */
function byHourThenKey(a: SharedPlace, b: SharedPlace): number {
  return a.hs !== b.hs ? a.hs - b.hs : Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8'))
}

/**
 * What each group's own duplicates query got wrong about the ids other groups hold too: each
 * group took its first copy of such an id for the original, but only the earliest of all is
 * (by partition hour, then key, as one query over the scope ranks them). Every other group's first
 * copy is one more duplicate, whose original is the earliest; the canary's, likewise.
 */
function acrossGroups(shared: Map<string, Map<string, SharedPlace>>): Map<string, {duplicates: number; canary: number; originals: string[]}> {
  const fixes = new Map<string, {duplicates: number; canary: number; originals: string[]}>()
  const fix = (path: string) => {
    if (!fixes.has(path)) fixes.set(path, {duplicates: 0, canary: 0, originals: []})
    return fixes.get(path)!
  }
  for (const places of shared.values()) {
    const all = [...places.values()].sort(byHourThenKey)
    const firstOf = (list: SharedPlace[]) => {
      const first = new Map<number, SharedPlace>()
      for (const place of list) if (!first.has(place.group)) first.set(place.group, place)
      return first
    }
    const original = all[0]
    for (const [group, place] of firstOf(all)) {
      if (group === original.group) continue
      fix(place.path).duplicates++
      fix(place.path).originals.push(original.path)
    }
    const canary = all.filter((place) => place.canary > 0)
    for (const [group, place] of firstOf(canary)) if (group !== canary[0].group) fix(place.path).canary++
  }
  return fixes
}

function splitPair(text: string): [string, string] {
  const at = text.indexOf(FIELD_SEPARATOR)
  return at < 0 ? ['', text] : [text.slice(0, at), text.slice(at + 1)]
}

/** Adds what the local engine found in an object's leftover lines to what SQL found in the rest of it. */
function mergeScan(into: ObjectScan, from: ObjectScan, maxSamples: number): void {
  into.records += from.records
  into.valid += from.valid
  into.invalid += from.invalid
  into.unparseable += from.unparseable
  into.misplaced += from.misplaced
  into.rawIp += from.rawIp
  into.ipSeen += from.ipSeen
  for (const s of from.unparseableSamples) if (into.unparseableSamples.length < maxSamples) into.unparseableSamples.push({...s, index: null})
  for (const s of from.schemaSamples) if (into.schemaSamples.length < maxSamples) into.schemaSamples.push({...s, index: null})
  for (const s of from.misplacedSamples) if (into.misplacedSamples.length < maxSamples) into.misplacedSamples.push({...s, index: null})
  for (const s of from.rawIpSamples) if (into.rawIpSamples.length < maxSamples) into.rawIpSamples.push({...s, index: null})
  for (const [m, n] of Object.entries(from.schemaMessages)) into.schemaMessages[m] = (into.schemaMessages[m] ?? 0) + n
  for (const source of ['real', 'canary'] as const) {
    const a = into[source]
    const b = from[source]
    a.records += b.records
    a.valid += b.valid
    a.invalid += b.invalid
    const lag = new Map(a.lag)
    for (const [m, n] of b.lag) lag.set(m, (lag.get(m) ?? 0) + n)
    a.lag = [...lag].sort((x, y) => x[0] - y[0])
    a.lagMaxMs = Math.max(a.lagMaxMs, b.lagMaxMs)
  }
}

