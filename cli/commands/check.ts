import {availableParallelism} from 'node:os'
import {Flags} from '@oclif/core'
import {idBudget} from '../../checks/findings/duplicate-records.js'
import {DEFAULT_MAX_OBJECT_BYTES, MAX_OBJECT_BYTES_LIMIT} from '../../lake/codec/gunzip-object.js'
import {InvalidOptionError} from '../../lake/errors.js'
import {LocalLake} from '../../lake/store/local-lake.js'
import {openLake} from '../../lake/store/open-lake.js'
import type {CheckReport} from '../../checks/report/report.js'
import {type CheckOptions, runCheck} from '../../checks/run-check.js'
import {nativeScannerNote} from '../../checks/scan/native-scan.js'
import {PIXEL_EVENT_SCHEMA_PATH, compileValidator, loadSchema, schemaWarnings} from '../../checks/schema/record-validator.js'
import {dayScope, hourScope, rangeScope} from '../../lake/scope.js'
import {formatBytesOf} from '../../checks/report/format-bytes.js'
import {terminalReport} from '../../checks/report/terminal-report.js'
import {athenaFlags, athenaTargetFor, awsOptionsFor, durationFlag, lakeFlags, parseMinutes} from '../flags.js'
import {loadPixelConfig} from '../pixel-config.js'
import {OutputFile} from '../output-file.js'
import {PixelCommand} from '../pixel-command.js'
import {QuarantineFile} from '../quarantine-file.js'
import {progressLine} from '../progress-line.js'
import type {HistoryStore} from '../../checks/history/history-store.js'
import {notifyTargets} from '../../checks/notify/notify-target.js'
import type {NotificationResult} from '../../checks/notify/send-notifications.js'
import type {IpPolicy} from '../../checks/scan/ip-address.js'
import type {CanaryRule} from '../../checks/scan/scan-object.js'
import {type SqlCheckReport} from '../../checks/sql/run-sql-check.js'
import type {AthenaCheckReport} from '../athena-check.js'
import {escapeTerminal} from '../../checks/report/escape-text.js'

/** The lines a SQL engine adds to the text report: what it ran, and every schema keyword it did not check. */
async function engineLines(report: (CheckReport & {engine: 'local'}) | SqlCheckReport): Promise<string> {
  if (!('notChecked' in report)) return ''
  const seconds = report.queries.reduce((sum, q) => sum + (q.elapsedMs ?? 0), 0) / 1000
  const lines = [``, `engine: ${report.engine}, ${report.queries.length} queries, ${seconds.toFixed(1)} s in queries`]
  if ('engineStats' in report) {
    const {engineStatsLine} = await import('../../checks/engine/athena/athena-executor.js')
    lines.push(escapeTerminal(engineStatsLine((report as AthenaCheckReport).engineStats)))
  }
  for (const n of report.notChecked) lines.push(`not checked on this engine: ${escapeTerminal(n.pointer)} (${n.keyword}): ${escapeTerminal(n.reason)}`)
  return lines.join('\n')
}

/**
 * Reads `--canary FIELD=VALUE` (the value may hold `=`), or `none` for no canary.
 *
 * @example parseCanary('source=canary') // {field: 'source', value: 'canary'}
 */
export function parseCanary(text: string): CanaryRule | null {
  if (text === 'none') return null
  const at = text.indexOf('=')
  if (at <= 0) throw new InvalidOptionError(`--canary "${text}" is not FIELD=VALUE: use e.g. source=canary, or none`)
  return {field: text.slice(0, at), value: text.slice(at + 1)}
}

function ratio(input: string, flag: string): number {
  const value = Number(input)
  if (input.trim() === '' || !Number.isFinite(value) || value <= 0) throw new InvalidOptionError(`${flag} "${input}" is not a positive ratio: use e.g. 0.5 or 3`)
  return value
}

const MIB = 1024 * 1024

export default class Check extends PixelCommand {
  static override summary = 'Audit a day (an hour, or a range of days) of the lake: did it land complete, once, and well-formed?'

  static override description = `Reads every object of the scope from S3 or a local folder, decodes it (gzip, several members, \
newline-delimited or back-to-back JSON), validates every record against the JSON Schema, and reports gaps, duplicate \
partitions, objects and records, corrupt objects, unparseable records, schema failures, misplaced records, late arrivals \
and unexpected keys.

Exit codes: 0 no finding at or above --fail-on; 1 there are; 2 the check could not run (bad flag, unreadable schema, \
lake unreachable), with one line saying why.`

  static override examples = [
    {description: 'Audit the bundled sample lake', command: '<%= config.bin %> <%= command.id %> --lake fixtures/sample-lake --day 2026-02-10'},
    {description: 'Audit yesterday in S3, writing JUnit XML for CI', command: '<%= config.bin %> <%= command.id %> --lake s3://my-bucket/events/ --day yesterday --junit pixel-check.xml'},
    {description: 'Audit yesterday and write the HTML report for people (one file, works offline)', command: '<%= config.bin %> <%= command.id %> --day yesterday --html pixel-check.html'},
    {description: 'One hour, as JSON, failing on warnings too', command: '<%= config.bin %> <%= command.id %> --hour 2026-02-10T05 --json --fail-on warning'},
    {
      description: 'Tell Slack and an SNS topic when yesterday fails, linking to the CI run',
      command: '<%= config.bin %> <%= command.id %> --day yesterday --notify slack:https://hooks.slack.com/services/T000/B000/XXXX --notify sns:arn:aws:sns:eu-west-1:123456789012:pixel-alerts --report-url https://github.com/acme/site/actions/runs/1',
    },
  ]

  static override enableJsonFlag = true

  static override flags = {
    ...lakeFlags,
    day: Flags.string({
      description: 'The UTC day to audit: YYYY-MM-DD, yesterday or today (the default is yesterday).',
      helpValue: 'YYYY-MM-DD|yesterday|today',
      exclusive: ['hour', 'from', 'to'],
    }),
    hour: Flags.string({
      description: 'One UTC hour to audit instead of a day, e.g. 2026-02-10T05.',
      helpValue: 'YYYY-MM-DDTHH',
      exclusive: ['day', 'from', 'to'],
    }),
    from: Flags.string({
      description: 'The first UTC day of a range audited as one report, with --to, e.g. 2026-02-01 (duplicates are found across the whole range).',
      helpValue: 'YYYY-MM-DD',
      exclusive: ['day', 'hour'],
    }),
    to: Flags.string({
      description: 'The last UTC day (included) of a range started by --from, e.g. 2026-02-28.',
      helpValue: 'YYYY-MM-DD',
      exclusive: ['day', 'hour'],
    }),
    schema: Flags.string({
      description: 'A JSON Schema file (draft-07 or 2020-12) every record must pass (default: the shipped pixel event schema).',
      helpValue: 'FILE',
    }),
    'id-field': Flags.string({description: 'The record field holding its unique id, for duplicate detection, e.g. event_id.', default: 'event_id', helpValue: 'NAME'}),
    'time-field': Flags.string({description: 'The record field holding its ISO-8601 event time, e.g. ts.', default: 'ts', helpValue: 'NAME'}),
    'min-records': Flags.integer({description: 'An hour with fewer records than this is a gap, e.g. 100 for a busy badge.', default: 1, min: 0}),
    tolerance: durationFlag({description: 'How far a record\'s time may lie outside its partition hour before it is misplaced, e.g. 15m.', default: 15, examples: '15m|90s|1h'}),
    'late-after': durationFlag({description: 'How long after its hour ends an object may arrive before it is late, e.g. 60m.', default: 60, examples: '60m|2h'}),
    'fail-on': Flags.string({description: 'The lowest severity that makes the exit code 1, e.g. warning.', options: ['error', 'warning', 'never'], default: 'error'}),
    junit: Flags.string({description: 'Also write JUnit XML (one test case per check per hour) to this file, e.g. pixel-check.xml.', helpValue: 'FILE'}),
    html: Flags.string({
      description: 'Also write the report as one self-contained HTML page (works offline; loads nothing) to this file, e.g. pixel-check.html.',
      helpValue: 'FILE',
    }),
    quarantine: Flags.string({
      description: 'Also write every schema-invalid or unparseable record, whole, as JSON lines {key, index, hour, errors, record|line} to this file (pixel replay reads it), e.g. quarantine.jsonl.',
      helpValue: 'FILE',
    }),
    'memory-budget': Flags.integer({
      description: 'Megabytes for duplicate detection; past it, record ids spill to a temporary folder, e.g. 400 (about 12 million ids).',
      default: 400,
      min: 1,
    }),
    'max-object-size': Flags.integer({
      description: 'Megabytes (MiB) one object may take, stored or decompressed; a larger one (a gzip bomb) is a corrupt-object and is not read, e.g. 1024. Memory peaks near this much per worker.',
      default: DEFAULT_MAX_OBJECT_BYTES / MIB,
      min: 1,
      max: Math.floor(MAX_OBJECT_BYTES_LIMIT / MIB),
    }),
    timeout: Flags.custom<number>({
      description: 'Give up when the whole check takes longer than this, exiting 2 with one line naming the object or listing it waited for, e.g. 2h (default: no limit; every S3 request still gives up after its own timeouts and 5 tries).',
      helpValue: '90s|30m|2h',
      parse: async (input) => {
        const minutes = parseMinutes(input, '--timeout')
        if (!(minutes > 0)) throw new InvalidOptionError(`--timeout "${input}" is no time at all: give a duration such as 30m or 2h, or leave it out for no limit`)
        return minutes
      },
    })(),
    history: Flags.string({
      description: 'Where to record each checked day\'s metrics and learn baselines from: an s3://bucket/prefix/ URL or a folder of its own (also PIXEL_HISTORY or "history" in the config file), e.g. s3://my-bucket/pixel-history/.',
      env: 'PIXEL_HISTORY',
      helpValue: 's3://BUCKET/PREFIX/|DIR',
    }),
    canary: Flags.string({
      description: 'Which records are the canary\'s, as FIELD=VALUE, or none; gap and volume count only the others, e.g. source=canary.',
      default: 'source=canary',
      helpValue: 'FIELD=VALUE|none',
    }),
    'baseline-weeks': Flags.integer({description: 'Past same weekdays whose median is an hour\'s volume baseline (at least 3 of them must be recorded), e.g. 4.', default: 4, min: 1, max: 52}),
    'volume-drop': Flags.custom<number>({
      description: 'An hour below this share of its baseline is a volume error, e.g. 0.5.',
      default: 0.5,
      helpValue: 'RATIO',
      parse: async (input) => ratio(input, '--volume-drop'),
    })(),
    'volume-spike': Flags.custom<number>({
      description: 'An hour above this multiple of its baseline is a volume warning, e.g. 3.',
      default: 3,
      helpValue: 'RATIO',
      parse: async (input) => ratio(input, '--volume-spike'),
    })(),
    freshness: durationFlag({description: 'An hour whose p95 lag from record time to object arrival exceeds this is stale, e.g. 60m.', default: 60, examples: '60m|2h'}),
    'ip-field': Flags.string({description: 'The record field holding the client address, for the raw-ip check, e.g. client_ip.', default: 'client_ip', helpValue: 'NAME'}),
    'ip-policy': Flags.string({
      description: 'What the address field may hold, as the stack\'s pixel:clientIp: anonymise (IPv4 /24, IPv6 /48), omit (nothing) or full, e.g. anonymise.',
      options: ['anonymise', 'omit', 'full'],
      default: 'anonymise',
    }),
    notify: Flags.string({
      description: 'Also send the verdict here when it reaches --fail-on (see --notify-on), repeatable: sns:ARN (a topic), slack:URL (an incoming webhook) or webhook:URL (POSTs the JSON report); https only (http only to this machine). Else PIXEL_NOTIFY (targets separated by spaces) or "notify" in the config file, e.g. slack:https://hooks.slack.com/services/T000/B000/XXXX.',
      helpValue: 'sns:ARN|slack:URL|webhook:URL',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'notify-on': Flags.string({
      description: 'When --notify sends: failure (the report is not ok, exit code 1) or always (every run, a heartbeat), e.g. always.',
      options: ['failure', 'always'],
      default: 'failure',
    }),
    'report-url': Flags.string({
      description: 'A link to the full report (the CI run, a published --html file) that Slack and SNS notifications carry, e.g. https://github.com/acme/site/actions/runs/1.',
      helpValue: 'URL',
    }),
    'notify-timeout': durationFlag({
      description: 'How long one notification attempt may take before it is abandoned (3 attempts in all, backing off), e.g. 10s.',
      default: 10 / 60,
      examples: '10s|30s|1m',
    }),
    ...athenaFlags,
    engine: Flags.string({
      description: 'Where the record-level checks run: local (read every object here), duckdb (DuckDB in-process over a folder lake) or athena (in Athena, where the data is), e.g. duckdb. The findings, reports and exit codes are the same.',
      options: ['local', 'duckdb', 'athena'],
      default: 'local',
    }),
    concurrency: Flags.integer({
      description: 'Worker threads that decode and validate objects in parallel, e.g. 4 (default: one per core; 0 works in one thread).',
      default: async () => availableParallelism(),
      noCacheDefault: true,
      min: 0,
      max: 64,
    }),
  }

  async run(): Promise<CheckReport & {warnings: string[]; notifications?: NotificationResult[]}> {
    const {flags} = await this.parse(Check)
    const config = await loadPixelConfig(this.config.configDir)
    const lakeSpec = flags.lake ?? config.lake
    if (!lakeSpec) this.error('no lake given: pass --lake s3://bucket/prefix/ or a folder, set PIXEL_LAKE, or set "lake" in pixel.config.json', {exit: 2})
    // Before anything is read: a target that cannot be used is a bad flag, not a warning at the end.
    const targets = notifyTargets(flags.notify, process.env.PIXEL_NOTIFY, config.notify)
    const reportUrl = flags['report-url']
    if (reportUrl !== undefined && !/^https?:\/\/[^\s]+$/i.test(reportUrl)) throw new InvalidOptionError('--report-url is not an http(s) URL: give the address of the report, e.g. https://github.com/acme/site/actions/runs/1')
    if (!(flags['notify-timeout'] > 0)) throw new InvalidOptionError('--notify-timeout is no time at all: give a duration such as 10s')
    const failOn = flags['fail-on'] as 'error' | 'warning' | 'never'
    // Before the lake is listed: --engine athena without where to run is a bad flag.
    if (flags.engine === 'athena') athenaTargetFor(flags, config)
    // Said on a terminal only: npm hides the install script's line, and scripts need no noise.
    const native = process.stderr.isTTY ? nativeScannerNote() : undefined
    if (native) process.stderr.write(`Warning: ${native}\n`) // one line: oclif's warn wraps to the terminal width
    const progress = progressLine()
    // Kept for --json too, where oclif's warn prints nothing: a script must see them as well.
    const warnings: string[] = []
    const warn = (message: string) => {
      warnings.push(message)
      this.warn(message)
    }
    let lake
    const outputs: OutputFile[] = []
    let history: HistoryStore | undefined
    try {
      const scope = flags.hour ? hourScope(flags.hour) : flags.from || flags.to ? rangeScope(flags.from, flags.to) : dayScope(flags.day ?? 'yesterday')
      if (flags['volume-spike'] <= flags['volume-drop']) throw new InvalidOptionError(`--volume-spike ${flags['volume-spike']} must be above --volume-drop ${flags['volume-drop']}`)
      const canary = parseCanary(flags.canary)
      const schemaPath = flags.schema ?? config.schema
      const schema = await loadSchema(schemaPath)
      for (const warning of schemaWarnings(schema, schemaPath ?? PIXEL_EVENT_SCHEMA_PATH)) warn(warning)
      const validator = compileValidator(schema, schemaPath)
      const s3 = {
        ...awsOptionsFor('s3', flags, config),
        maxSockets: Math.max(16, flags.concurrency * 4),
      }
      lake = await openLake(lakeSpec, s3)
      // Before a single object is read: an output that cannot be written, or would land in the lake, stops here.
      const lakeFolder = lake instanceof LocalLake ? await lake.realUrl() : undefined
      const output = async (flag: string, path: string | undefined) => {
        if (path === undefined) return undefined
        const out = await OutputFile.create(flag, path, {lakeFolder})
        outputs.push(out)
        return out
      }
      const junit = await output('--junit', flags.junit)
      const html = await output('--html', flags.html)
      const quarantineOut = await output('--quarantine', flags.quarantine)
      const named: [string, string | undefined, OutputFile | undefined][] = [['--junit', flags.junit, junit], ['--html', flags.html, html], ['--quarantine', flags.quarantine, quarantineOut]]
      for (const [i, [flag, path, out]] of named.entries()) {
        const same = named.slice(i + 1).find(([, , other]) => out && other && other.target === out.target)
        if (same) throw new InvalidOptionError(`${flag} and ${same[0]} name the same file ${path}: give each its own`)
      }
      const quarantine = quarantineOut && new QuarantineFile(quarantineOut)
      const historySpec = flags.history ?? config.history
      if (historySpec) history = await (await import('../../checks/history/history-store.js')).openHistory(historySpec, s3)
      const engine = flags.engine as 'local' | 'duckdb' | 'athena'
      const common: CheckOptions = {
        lake,
        scope,
        validator,
        idField: flags['id-field'],
        timeField: flags['time-field'],
        toleranceMinutes: flags.tolerance,
        lateAfterMinutes: flags['late-after'],
        timeoutMs: flags.timeout === undefined ? undefined : flags.timeout * 60_000,
        minRecords: flags['min-records'],
        failOn,
        workers: flags.concurrency,
        idBudget: idBudget(flags['memory-budget']),
        maxObjectBytes: flags['max-object-size'] * MIB,
        onProgress: ({done, total, bytes, totalBytes}) =>
          progress.update(`reading ${done}/${total} objects, ${formatBytesOf(bytes, totalBytes)}`, done === total),
        onWarning: warn,
        quarantine: quarantine && ((entry) => quarantine!.add(entry)),
        canary,
        history,
        baselineWeeks: flags['baseline-weeks'],
        volume: {drop: flags['volume-drop'], spike: flags['volume-spike']},
        freshnessMinutes: flags.freshness,
        ipField: flags['ip-field'],
        ipPolicy: flags['ip-policy'] as IpPolicy,
      }
      // The SQL engines load DuckDB or the AWS SDK, which the local engine never needs: only when asked.
      const report: (CheckReport & {engine: 'local'}) | SqlCheckReport = engine === 'local'
        ? {...(await runCheck(common)), engine: 'local' as const}
        : engine === 'athena'
          ? await (await import('../athena-check.js')).runAthenaCheck(common, lake, flags, config)
          : await (await import('../../checks/sql/sql-engines.js')).runEngine(engine, common, lake)
      await quarantine?.commit()
      progress.done()
      if (junit) {
        await junit.write((await import('../../checks/report/junit-report.js')).junitReport(report, failOn))
        await junit.commit()
      }
      const printed = {...report, warnings}
      if (html) {
        // The page holds what --json prints, so that pixel report draws a saved one the same.
        await html.write((await import('../../checks/report/html-report.js')).htmlReport(printed))
        await html.commit()
      }
      if (!this.jsonEnabled()) this.log(`${terminalReport(report, failOn, {color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR}).trimEnd()}${await engineLines(report)}`)
      if (!report.ok) process.exitCode = 1
      if (targets.length === 0) return printed
      // After the report is out: a notification can fail, but never hide the report or change the exit code.
      const {notificationWarning, sendNotifications} = await import('../../checks/notify/send-notifications.js')
      const notifications = await sendNotifications(printed, {
        targets,
        when: flags['notify-on'] as 'failure' | 'always',
        failOn,
        reportUrl,
        timeoutMs: flags['notify-timeout'] * 60_000,
        sns: awsOptionsFor('sns', flags, config),
      })
      for (const result of notifications) if (!result.ok) process.stderr.write(`Warning: ${notificationWarning(result)}\n`)
      return {...printed, notifications}
    } finally {
      progress.done()
      lake?.close()
      // Whatever was not finished is removed; an earlier file of the same name stays as it was.
      await Promise.all(outputs.map((out) => out.discard()))
      history?.close()
    }
  }
}
