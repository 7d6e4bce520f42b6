import {join} from 'node:path'
import {Flags} from '@oclif/core'
import type {Lake} from '../../lake/store/lake.js'
import {openLake} from '../../lake/store/open-lake.js'
import {PIXEL_EVENT_SCHEMA_PATH, compileValidator, loadSchema, schemaWarnings} from '../../checks/schema/record-validator.js'
import {HOUR_MS, hourScope, hourStart} from '../../lake/scope.js'
import {FIREHOSE_TIMEOUTS, assertStream, firehoseClient} from '../../replay/firehose-sender.js'
import {LedgerLock} from '../../replay/ledger-lock.js'
import {firehoseTarget, lakeTarget} from '../../replay/ledger-target.js'
import {type LedgerTarget, ReplayLedger} from '../../replay/replay-ledger.js'
import {replayReportText} from '../../replay/replay-report.js'
import {LEDGER_SUFFIX, type ResolvedSource, closeSources, resolveSources} from '../../replay/replay-sources.js'
import {type ReplayAccount, type ReplayTarget, accountAddsUp, runReplay} from '../../replay/run-replay.js'
import {type BatchTransform, startTransform} from '../../replay/transform-runner.js'
import {type ReplayVerification, verifyReplay} from '../../replay/verify-replay.js'
import {awsOptionsFor, lakeFlags, serviceEndpointFlags} from '../flags.js'
import {loadPixelConfig} from '../pixel-config.js'
import {PixelCommand} from '../pixel-command.js'
import {progressLine} from '../progress-line.js'
import {InvalidOptionError} from '../../lake/errors.js'

export type ReplayOutput = ReplayAccount & {warnings: string[]; verify?: ReplayVerification}

/**
 * The ledger's default place: beside the first source that is a file or folder (never inside a
 * folder it reads), else in the working folder, named after the hour.
 */
function defaultLedger(sources: readonly string[], hour: string): string {
  const local = sources.find((s) => !s.startsWith('s3://') && !s.startsWith('kinesis://'))
  return local ? `${local.replace(/[/\\]+$/, '')}${LEDGER_SUFFIX}` : join(process.cwd(), `pixel-replay-${hour}${LEDGER_SUFFIX}`)
}

/** `--start`, checked: an ISO 8601 time with a zone. */
function startOf(start: string | undefined): Date | undefined {
  if (start === undefined) return undefined
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})$/.test(start.trim()) ? new Date(start.trim()) : new Date(Number.NaN)
  if (Number.isNaN(at.getTime())) throw new InvalidOptionError(`--start "${start}" is not a time: use ISO 8601 with a zone, e.g. 2026-02-10T04:00:00Z`)
  return at
}

const TIMEOUT = /^(\d+(?:\.\d+)?)(ms|s|m)?$/

/** A time limit flag: `5` or `5s` (seconds), `500ms`, `1m`; in milliseconds. */
const timeoutFlag = Flags.custom<number>({
  parse: async (input, _context, opts) => {
    const match = TIMEOUT.exec(input.trim())
    const ms = match ? Number(match[1]) * (match[2] === 'ms' ? 1 : match[2] === 'm' ? 60_000 : 1000) : Number.NaN
    if (!(ms >= 1)) throw new InvalidOptionError(`--${opts.name} "${input}" is not a time limit: use seconds (5) or 500ms, 5s, 1m`)
    return ms
  },
})

export default class Replay extends PixelCommand {
  static override summary = 'Backfill one hour: send records through Firehose (or into the lake) exactly once, and prove it.'

  static override description = `Reads records from NDJSON or gzip files and folders, an hour of a lake (s3:// or a folder \
holding year=), a pixel check --quarantine file, or a Kinesis stream's retention (kinesis://STREAM from --start); applies --transform; marks each record source "replay" with this \
run's replay_id (event_id and ts are kept); leaves out records that fail the schema, lie outside --hour or exceed \
Firehose's 1,000 KiB, and skips ids already in that hour of --lake, in the ledger, or earlier in the sources. The rest \
go through PutRecordBatch (only failed records are retried, with exponential backoff and jitter) or, with --to lake, \
straight into the hour's partition. Each acknowledged record is appended to the ledger, so an interrupted replay \
resumes without sending anything twice, and a second run sends nothing.

It ends with the account: read = sent + skippedDuplicate + invalid + outOfHour + oversize + failed (records a \
transform drops count as invalid). Exit codes: 0 all sent; 1 some failed (or --verify failed); 2 the replay could not \
run (bad flag, missing source, bad transform file, a transform out of time on a record, unknown stream, a ledger \
of another target or locked by another run, a --lake above or inside the partitions), with one line saying why.`

  static override examples = [
    {description: 'See what a replay of a recovered file would do', command: '<%= config.bin %> <%= command.id %> --hour 2026-02-10T13 --from recovered.ndjson.gz --lake s3://my-bucket/events/ --dry-run'},
    {description: 'Replay it through the stream, then prove the hour', command: '<%= config.bin %> <%= command.id %> --hour 2026-02-10T13 --from recovered.ndjson.gz --lake s3://my-bucket/events/ --stream pixel-events --verify'},
    {description: 'Fix the records a pixel check --quarantine q.jsonl set aside and write them straight into the lake', command: '<%= config.bin %> <%= command.id %> --hour 2026-02-10T12 --from q.jsonl --transform fix.json --to lake --lake s3://my-bucket/events/'},
    {description: 'Rebuild an hour from the stream\'s retention (the kinesis ingest), straight into the lake', command: '<%= config.bin %> <%= command.id %> --hour 2026-02-10T13 --from kinesis://pixel-events --to lake --lake s3://my-bucket/events/'},
    {description: 'Into pixel dev, slowly', command: '<%= config.bin %> <%= command.id %> --hour 2026-02-10T05 --from backup/ --endpoint-url http://127.0.0.1:4573 --rate 50'},
    {description: 'Through pixel dev\'s Firehose, deduplicated against a lake in MinIO', command: '<%= config.bin %> <%= command.id %> --hour 2026-02-10T05 --from backup/ --firehose-endpoint-url http://127.0.0.1:4573 --s3-endpoint-url http://127.0.0.1:9000 --lake s3://my-bucket/events/'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    ...lakeFlags,
    ...serviceEndpointFlags,
    hour: Flags.string({description: 'The UTC hour to backfill; records whose ts lies outside it are refused, e.g. 2026-02-10T05.', helpValue: 'YYYY-MM-DDTHH', required: true}),
    from: Flags.string({
      description: 'A source: an NDJSON or gzip file, a folder of them, a lake (s3://… or a folder holding year=) whose --hour is read, a pixel check --quarantine file, or a Kinesis stream (kinesis://STREAM, read from --start until caught up); repeatable, e.g. backup/.',
      helpValue: 'SOURCE',
      multiple: true,
      required: true,
    }),
    start: Flags.string({
      description: 'Where kinesis:// sources start reading (GetShardIterator AT_TIMESTAMP on every shard), an ISO 8601 time (by when Kinesis took the records, not their ts); default 15 minutes before --hour begins, e.g. 2026-02-10T04:00:00Z.',
      helpValue: 'TIME',
    }),
    to: Flags.string({description: 'Where records go: firehose (PutRecordBatch) or lake (objects written straight into the hour\'s partition of --lake), e.g. lake.', options: ['firehose', 'lake'], default: 'firehose'}),
    stream: Flags.string({description: 'The Firehose delivery stream (with --to lake, the name in the objects\' names), e.g. pixel-events.', default: 'pixel-events', helpValue: 'NAME'}),
    transform: Flags.string({description: 'Corrections: a JSON fix-up file (flows of when/ops) or a JS module exporting (record) => record | null, run in a worker thread, e.g. fix.json.', helpValue: 'FILE'}),
    'transform-timeout': timeoutFlag({description: 'The time --transform may take on one record (a loop or a promise that never ends stops the replay, naming the record), e.g. 5s.', default: 5000, defaultHelp: async () => '5s', helpValue: 'DURATION'}),
    ledger: Flags.string({description: 'The ledger of acknowledged records for one target, JSON lines, locked while a replay runs, to resume without resending (default: beside the first source), e.g. replay.ledger.jsonl.', helpValue: 'FILE'}),
    rate: Flags.integer({description: 'Send at most this many records a second, retries included, e.g. 500.', min: 1, helpValue: 'N'}),
    concurrency: Flags.integer({description: 'PutRecordBatch calls in flight at once, e.g. 4.', default: 4, min: 1, max: 64}),
    'request-timeout': timeoutFlag({description: 'How long one Firehose call may go unanswered; its records then count as failed, not retried (Firehose may have taken them: a later run with --lake skips those that landed), e.g. 30s.', default: FIREHOSE_TIMEOUTS.requestTimeoutMs, defaultHelp: async () => `${FIREHOSE_TIMEOUTS.requestTimeoutMs / 1000}s`, helpValue: 'DURATION'}),
    'max-attempts': Flags.integer({description: 'Tries per record (backing off between them) before it counts as failed, e.g. 10.', default: 10, min: 1, max: 100}),
    'dry-run': Flags.boolean({description: 'Show before and after for a few records and the account, and send nothing (no ledger is written).'}),
    verify: Flags.boolean({description: 'After sending, wait until the records are in the hour of --lake and run pixel check --hour on it.'}),
  }

  async run(): Promise<ReplayOutput> {
    const {flags} = await this.parse(Replay)
    const config = await loadPixelConfig(this.config.configDir)
    const lakeSpec = flags.lake ?? config.lake
    const toLake = flags.to === 'lake'
    if (toLake && !lakeSpec) this.error('--to lake needs the lake: pass --lake s3://bucket/prefix/ or a folder (or set PIXEL_LAKE)', {exit: 2})
    if (flags.verify && !lakeSpec) this.error('--verify needs the lake the stream delivers to: pass --lake', {exit: 2})
    if (flags.verify && flags['dry-run']) this.error('--verify and --dry-run exclude each other: a dry run sends nothing to verify', {exit: 2})
    const s3 = awsOptionsFor('s3', flags, config)
    const controller = new AbortController()
    const interrupt = (signal: NodeJS.Signals) => {
      if (controller.signal.aborted) return
      // Said even under --json (stderr): the user must know the replay is winding down, not hung.
      process.stderr.write(`${signal}: stopping; calls in flight finish and are written to the ledger\n`)
      controller.abort()
    }
    const progress = progressLine()
    const warnings: string[] = []
    const warn = (message: string) => {
      warnings.push(message)
      this.warn(message)
    }
    let transform: BatchTransform | undefined
    let sources: ResolvedSource[] = []
    let lake: Lake | undefined
    let ledger: ReplayLedger | undefined
    let lock: LedgerLock | undefined
    let client: ReturnType<typeof firehoseClient> | undefined
    process.on('SIGINT', interrupt).on('SIGTERM', interrupt)
    try {
      hourScope(flags.hour)
      const schemaPath = config.schema
      const schema = await loadSchema(schemaPath)
      for (const warning of schemaWarnings(schema, schemaPath ?? PIXEL_EVENT_SCHEMA_PATH)) warn(warning)
      const validator = compileValidator(schema, schemaPath)
      if (flags.transform) transform = await startTransform(flags.transform, {timeoutMs: flags['transform-timeout']})
      const kinesisStart = startOf(flags.start)
      if (kinesisStart && kinesisStart.getTime() >= hourStart(flags.hour) + HOUR_MS) {
        warn(`--start ${flags.start} is after --hour ${flags.hour} ends: records of the hour that reached the stream before then are not read`)
      }
      sources = await resolveSources(flags.from, s3, awsOptionsFor('kinesis', flags, config))
      if (lakeSpec) lake = await openLake(lakeSpec, s3)
      else warn('no --lake: ids already in the hour are not checked, only the ledger and the sources themselves')
      let target: ReplayTarget
      let targetName: string
      let ledgerTarget: LedgerTarget
      if (toLake) {
        target = {kind: 'lake', lake: lake!, stream: flags.stream}
        targetName = `the lake ${lake!.url}`
        ledgerTarget = lakeTarget(lake!.url, s3.endpointUrl)
      } else {
        client = firehoseClient({...awsOptionsFor('firehose', flags, config), requestTimeoutMs: flags['request-timeout']})
        const {arn} = flags['dry-run'] ? {arn: undefined} : await assertStream(client, flags.stream)
        target = {kind: 'firehose', client, stream: flags.stream, concurrency: flags.concurrency, rate: flags.rate, maxAttempts: flags['max-attempts']}
        targetName = `Firehose stream ${flags.stream}`
        ledgerTarget = await firehoseTarget(client, flags.stream, arn)
      }
      const ledgerPath = flags.ledger ?? defaultLedger(flags.from, flags.hour)
      // Locked before it is read: two runs on one ledger would each send what the other sends.
      if (!flags['dry-run']) lock = await LedgerLock.acquire(ledgerPath)
      ledger = await ReplayLedger.open(ledgerPath, {target: ledgerTarget, sources: flags.from, readOnly: flags['dry-run']})
      const result = await runReplay({
        hour: flags.hour,
        sources,
        validator,
        transform,
        lake,
        target,
        ledger: flags['dry-run'] ? undefined : ledger,
        ledgerIds: ledger.ids,
        dryRun: flags['dry-run'],
        signal: controller.signal,
        kinesisStart,
        onWarning: warn,
        onProgress: ({read, sent}) => progress.update(`${read} records read, ${sent} sent`),
      })
      progress.done()
      await ledger.close()
      if (!accountAddsUp(result.account)) throw new Error(`the account does not add up: ${JSON.stringify(result.account)}`)
      let verification: ReplayVerification | undefined
      if (flags.verify && lake) {
        verification = await verifyReplay({
          lake,
          hour: flags.hour,
          validator,
          acknowledged: result.acknowledged,
          signal: controller.signal,
          onWaiting: (missing) => progress.update(`verify: waiting for ${missing} records to be delivered to ${lake!.url}`),
        })
        progress.done()
      }
      if (!this.jsonEnabled()) this.log(replayReportText(result, {dryRun: flags['dry-run'], target: targetName, ledger: flags['dry-run'] ? undefined : ledgerPath, verification}).trimEnd())
      if (result.account.failed > 0 || (verification && !verification.ok)) process.exitCode = 1
      return verification ? {...result.account, warnings, verify: verification} : {...result.account, warnings}
    } catch (error) {
      controller.abort() // batches still in flight must not go on after a fatal error
      progress.done()
      throw error
    } finally {
      process.off('SIGINT', interrupt).off('SIGTERM', interrupt)
      await ledger?.close().catch(() => {})
      await lock?.release()
      await transform?.close()
      client?.destroy()
      lake?.close()
      closeSources(sources)
    }
  }
}
