import {Duration, RemovalPolicy, Size, type StackProps} from 'aws-cdk-lib'
import type {IPrincipal} from 'aws-cdk-lib/aws-iam'
import type {ITopic} from 'aws-cdk-lib/aws-sns'

import {InvalidStackPropsError} from '../errors.js'
import {type ClientIpMode, CLIENT_IP_MODES, isClientIpMode} from '../handler/anonymise-ip.js'
import {type Ingest, INGESTS} from '../handler/handler-environment.js'

export interface PixelStackProps extends StackProps {
  /**
   * How hits reach the lake; also the context `pixel:ingest`. `firehose`: the pixel puts each hit
   * into Amazon Data Firehose, which buffers and writes the objects (at least once). `kinesis`:
   * the pixel puts each hit into a Kinesis data stream, and a consumer Lambda, fed by an event
   * source mapping, writes them exactly once, keyed by shard and sequence numbers; the stream keeps
   * `kinesisRetention` of history to re-read. Both write the same layout. The buffering props
   * apply to `firehose` only, the `kinesis*` and `consumer*` props to `kinesis` only.
   * @default 'firehose'
   */
  readonly ingest?: Ingest
  /**
   * The Kinesis stream's shards (provisioned capacity, 1 to 500), for the `kinesis` ingest.
   * @default - on-demand capacity: Kinesis scales the shards with the traffic
   */
  readonly kinesisShards?: number
  /**
   * How long the Kinesis stream keeps records, which `pixel replay --from kinesis://STREAM` can
   * re-read: whole hours, 24 hours to 365 days.
   * @default Duration.hours(24)
   */
  readonly kinesisRetention?: Duration
  /**
   * The event source mapping's `BatchSize`: the most records handed to the consumer at once
   * (1 to 10,000). With `consumerMaxBatchingWindow`, "every x seconds or y events, whichever comes first".
   * @default 1000
   */
  readonly consumerBatchSize?: number
  /**
   * The event source mapping's `MaximumBatchingWindowInSeconds`: how long it gathers records
   * before invoking the consumer (0 to 300 seconds).
   * @default Duration.seconds(60)
   */
  readonly consumerMaxBatchingWindow?: Duration
  /**
   * `BisectBatchOnFunctionError`: a batch that fails whole is split in two and each half retried,
   * so one bad record cannot hold back the shard. Safe here: the writer merges re-split batches.
   * @default true
   */
  readonly consumerBisectBatchOnError?: boolean
  /**
   * `ReportBatchItemFailures`: the consumer answers which record to resume from (partial batch
   * responses) rather than failing the whole batch.
   * @default true
   */
  readonly consumerReportBatchItemFailures?: boolean
  /**
   * `MaximumRecordAgeInSeconds`: a record older than this is no longer retried but reported to
   * the failure queue (60 seconds to 7 days, at most `kinesisRetention`); recover it from the
   * stream's retention with `pixel replay --from kinesis://STREAM`.
   * @default - kinesisRetention, at most 7 days
   */
  readonly consumerMaxRecordAge?: Duration
  /**
   * `MaximumRetryAttempts`: retries of a failing batch before it is reported to the failure
   * queue (0 to 10,000).
   * @default 10
   */
  readonly consumerRetryAttempts?: number
  /**
   * The alarm on the consumer's iterator age fires when the newest record it read was older than
   * this: the consumer falls behind the stream. At least `consumerMaxBatchingWindow` plus a minute.
   * @default Duration.minutes(10)
   */
  readonly iteratorAgeThreshold?: Duration
  /**
   * How long Firehose buffers before writing an object; with dynamic partitioning, 60 s to 900 s.
   * @default Duration.seconds(60)
   */
  readonly bufferingInterval?: Duration
  /**
   * How much Firehose buffers before writing an object; with dynamic partitioning, 64 to 128 MiB.
   * @default Size.mebibytes(64)
   */
  readonly bufferingSize?: Size
  /**
   * How the pixel stores the client address (see `ClientIpMode`).
   * @default 'anonymise'
   */
  readonly clientIp?: ClientIpMode
  /**
   * The longest the pixel waits for Firehose before answering anyway: 50 ms to 3 s.
   * @default Duration.millis(300)
   */
  readonly firehoseTimeout?: Duration
  /**
   * How often the canary sends a hit through the real endpoint: 1 to 5 minutes, so that every
   * healthy hour of the lake holds records.
   * @default Duration.minutes(5)
   */
  readonly canaryInterval?: Duration
  /**
   * How long the records Firehose could not deliver are kept under the error prefix.
   * @default Duration.days(30)
   */
  readonly errorRetention?: Duration
  /**
   * The alarm on delivery freshness fires when the oldest undelivered record is older than this.
   * @default Duration.minutes(15)
   */
  readonly freshnessThreshold?: Duration
  /**
   * The Glue database of the lake table (lower case, digits and underscores); also the context
   * `pixel:databaseName`. Two stacks in one account and region need two databases.
   * @default - the stack's name in lower case, other characters as underscores: `pixel` for the stack `Pixel`, `pixel_staging` for `Pixel-Staging`
   */
  readonly databaseName?: string
  /**
   * The Glue table over the events (lower case, digits and underscores).
   * @default 'events'
   */
  readonly tableName?: string
  /**
   * The Glue table of the same objects' raw lines (one string column, `line`), which
   * `pixel check --engine athena --table` reads; lower case, digits and underscores.
   * @default 'events_lines'
   */
  readonly rawTableName?: string
  /**
   * The Athena workgroup pixel check runs its queries in (letters, digits, `.`, `_`, `-`).
   * @default - the stack's name: `Pixel`
   */
  readonly athenaWorkGroupName?: string
  /**
   * Athena cancels a query of the workgroup that scans more than this (at least 10 MB). A year of
   * a pixel at 3 million hits a day is about 60 GB of gzip; the default leaves room for a pixel ten
   * times busier checked a year at a time, and caps a runaway query at about USD 5.
   * @default Size.tebibytes(1)
   */
  readonly athenaBytesScannedCutoff?: Size
  /**
   * How long Athena's query results are kept in the results bucket (whole days).
   * @default Duration.days(7)
   */
  readonly athenaResultRetention?: Duration
  /**
   * Who may assume the audit role that pixel check runs as.
   * @default - this account's principals whose own IAM policies allow them to assume it (`AccountRootPrincipal`)
   */
  readonly auditPrincipal?: IPrincipal
  /**
   * The first year Athena's partition projection covers.
   * @default 2026
   */
  readonly firstYear?: number
  /**
   * Steady-state requests per second the HTTP API accepts before answering 429; a cap on cost.
   * @default 500
   */
  readonly throttleRateLimit?: number
  /**
   * Burst of requests the HTTP API accepts above the rate limit.
   * @default 1000
   */
  readonly throttleBurstLimit?: number
  /**
   * Where the alarms send their state changes.
   * @default - alarmTopicArn's topic, if given; else the alarms have no action (watch them in the console or wire them later)
   */
  readonly alarmTopic?: ITopic
  /**
   * The ARN of an existing SNS topic for the alarms' state changes, instead of `alarmTopic`; also
   * the context `pixel:alarmTopic`.
   * @default - none
   */
  readonly alarmTopicArn?: string
  /**
   * What happens to the lake and log buckets when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly lakeRemovalPolicy?: RemovalPolicy
}

/** The props with every default applied. */
export type ResolvedPixelStackProps = Required<Omit<PixelStackProps, keyof StackProps | 'alarmTopic' | 'alarmTopicArn' | 'auditPrincipal' | 'kinesisShards'>> &
  Pick<PixelStackProps, 'alarmTopic' | 'alarmTopicArn' | 'auditPrincipal' | 'kinesisShards'>

const GLUE_NAME = /^[a-z0-9_]{1,255}$/
const WORKGROUP_NAME = /^[a-zA-Z0-9._-]{1,128}$/
/** Athena's smallest per-query data usage limit: 10 MB. */
const MIN_BYTES_SCANNED_CUTOFF = 10_000_000
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/

/**
 * The Glue database name a stack gets by default: its name in lower case, every character Glue
 * does not take as an underscore.
 *
 * @example glueNameOf('Pixel-Staging') // 'pixel_staging'
 */
export function glueNameOf(stackName: string): string {
  return stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 255)
}

/** An untrusted value (a context value may be anything) as a message shows it. */
function shown(value: unknown): string {
  return JSON.stringify(value) ?? String(value)
}

/**
 * Applies the defaults and checks every prop, throwing one `InvalidStackPropsError` that lists
 * every problem found. Props that the app also takes as context (`clientIp`, `databaseName`,
 * `alarmTopicArn`) are checked at run time, whatever their declared type.
 *
 * @example
 * resolvePixelStackProps({bufferingSize: Size.mebibytes(5)}) // throws: buffering size must be 64 to 128 MiB
 * resolvePixelStackProps({}, {stackName: 'Pixel-Staging'}).databaseName // 'pixel_staging'
 */
export function resolvePixelStackProps(props: PixelStackProps = {}, stack: {stackName?: string} = {}): ResolvedPixelStackProps {
  const kinesisRetention = props.kinesisRetention ?? Duration.hours(24)
  const resolved: ResolvedPixelStackProps = {
    ingest: props.ingest ?? 'firehose',
    kinesisShards: props.kinesisShards,
    kinesisRetention,
    consumerBatchSize: props.consumerBatchSize ?? 1000,
    consumerMaxBatchingWindow: props.consumerMaxBatchingWindow ?? Duration.seconds(60),
    consumerBisectBatchOnError: props.consumerBisectBatchOnError ?? true,
    consumerReportBatchItemFailures: props.consumerReportBatchItemFailures ?? true,
    consumerMaxRecordAge: props.consumerMaxRecordAge ?? Duration.seconds(Math.min(kinesisRetention.toSeconds({integral: false}), 604_800)),
    consumerRetryAttempts: props.consumerRetryAttempts ?? 10,
    iteratorAgeThreshold: props.iteratorAgeThreshold ?? Duration.minutes(10),
    bufferingInterval: props.bufferingInterval ?? Duration.seconds(60),
    bufferingSize: props.bufferingSize ?? Size.mebibytes(64),
    clientIp: props.clientIp ?? 'anonymise',
    firehoseTimeout: props.firehoseTimeout ?? Duration.millis(300),
    canaryInterval: props.canaryInterval ?? Duration.minutes(5),
    errorRetention: props.errorRetention ?? Duration.days(30),
    freshnessThreshold: props.freshnessThreshold ?? Duration.minutes(15),
    databaseName: props.databaseName ?? glueNameOf(stack.stackName ?? 'Pixel'),
    tableName: props.tableName ?? 'events',
    rawTableName: props.rawTableName ?? 'events_lines',
    athenaWorkGroupName: props.athenaWorkGroupName ?? stack.stackName ?? 'Pixel',
    athenaBytesScannedCutoff: props.athenaBytesScannedCutoff ?? Size.tebibytes(1),
    athenaResultRetention: props.athenaResultRetention ?? Duration.days(7),
    auditPrincipal: props.auditPrincipal,
    firstYear: props.firstYear ?? 2026,
    throttleRateLimit: props.throttleRateLimit ?? 500,
    throttleBurstLimit: props.throttleBurstLimit ?? 1000,
    alarmTopic: props.alarmTopic,
    alarmTopicArn: props.alarmTopicArn,
    lakeRemovalPolicy: props.lakeRemovalPolicy ?? RemovalPolicy.RETAIN,
  }
  const problems: string[] = []
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem)
  }
  const seconds = (duration: Duration): number => duration.toMilliseconds() / 1000
  check(
    (INGESTS as readonly unknown[]).includes(resolved.ingest),
    `ingest (context pixel:ingest) must be one of ${INGESTS.join(', ')}, not ${shown(resolved.ingest)}`,
  )
  check(resolved.kinesisShards === undefined || (Number.isInteger(resolved.kinesisShards) && inRange(resolved.kinesisShards, 1, 500)), 'kinesisShards must be a whole number of shards, 1 to 500 (or left out for on-demand capacity)')
  check(inRange(seconds(resolved.kinesisRetention), 86_400, 8_760 * 3600) && seconds(resolved.kinesisRetention) % 3600 === 0, 'kinesisRetention must be whole hours, 24 hours to 365 days')
  check(Number.isInteger(resolved.consumerBatchSize) && inRange(resolved.consumerBatchSize, 1, 10_000), 'consumerBatchSize must be a whole number of records, 1 to 10,000')
  check(inRange(seconds(resolved.consumerMaxBatchingWindow), 0, 300) && Number.isInteger(seconds(resolved.consumerMaxBatchingWindow)), 'consumerMaxBatchingWindow must be whole seconds, 0 to 300')
  check(typeof resolved.consumerBisectBatchOnError === 'boolean', 'consumerBisectBatchOnError must be true or false')
  check(typeof resolved.consumerReportBatchItemFailures === 'boolean', 'consumerReportBatchItemFailures must be true or false')
  check(
    inRange(seconds(resolved.consumerMaxRecordAge), 60, Math.min(604_800, seconds(resolved.kinesisRetention))) && Number.isInteger(seconds(resolved.consumerMaxRecordAge)),
    'consumerMaxRecordAge must be whole seconds, 60 seconds to 7 days, and at most kinesisRetention (an older record is gone from the stream anyway)',
  )
  check(Number.isInteger(resolved.consumerRetryAttempts) && inRange(resolved.consumerRetryAttempts, 0, 10_000), 'consumerRetryAttempts must be a whole number, 0 to 10,000')
  check(
    inRange(seconds(resolved.iteratorAgeThreshold), seconds(resolved.consumerMaxBatchingWindow) + 60, 86_400),
    'iteratorAgeThreshold must exceed consumerMaxBatchingWindow by at least a minute, and be at most a day',
  )
  check(inRange(seconds(resolved.bufferingInterval), 60, 900), 'bufferingInterval must be 60 to 900 seconds (dynamic partitioning needs at least 60)')
  check(inRange(resolved.bufferingSize.toMebibytes(), 64, 128), 'bufferingSize must be 64 to 128 MiB (dynamic partitioning needs at least 64)')
  check(isClientIpMode(resolved.clientIp), `clientIp (context pixel:clientIp) must be one of ${CLIENT_IP_MODES.join(', ')}, not ${shown(resolved.clientIp)}`)
  check(inRange(resolved.firehoseTimeout.toMilliseconds(), 50, 3000), 'firehoseTimeout must be 50 ms to 3 s: the pixel must answer fast')
  check(inRange(seconds(resolved.canaryInterval), 60, 300), 'canaryInterval must be 1 to 5 minutes, so that every healthy hour holds records')
  check(seconds(resolved.errorRetention) >= 86_400 && seconds(resolved.errorRetention) % 86_400 === 0, 'errorRetention must be a whole number of days, at least 1')
  check(inRange(seconds(resolved.freshnessThreshold), seconds(resolved.bufferingInterval) + 60, 86_400), 'freshnessThreshold must exceed bufferingInterval by at least a minute, and be at most a day')
  check(
    typeof resolved.databaseName === 'string' && GLUE_NAME.test(resolved.databaseName),
    `databaseName (context pixel:databaseName) must be 1 to 255 lower-case letters, digits or underscores, not ${shown(resolved.databaseName)}`,
  )
  check(
    resolved.alarmTopicArn === undefined || (typeof resolved.alarmTopicArn === 'string' && SNS_TOPIC_ARN.test(resolved.alarmTopicArn)),
    `alarmTopicArn (context pixel:alarmTopic) must be an SNS topic ARN, arn:aws:sns:REGION:ACCOUNT:NAME, not ${shown(resolved.alarmTopicArn)}`,
  )
  check(resolved.alarmTopic === undefined || resolved.alarmTopicArn === undefined, 'give alarmTopic or alarmTopicArn (context pixel:alarmTopic), not both')
  check(GLUE_NAME.test(resolved.tableName), 'tableName must be 1 to 255 lower-case letters, digits or underscores')
  check(GLUE_NAME.test(resolved.rawTableName) && resolved.rawTableName !== resolved.tableName, 'rawTableName must be 1 to 255 lower-case letters, digits or underscores, and not the tableName')
  check(WORKGROUP_NAME.test(resolved.athenaWorkGroupName), `athenaWorkGroupName must be 1 to 128 letters, digits, ".", "_" or "-", not ${shown(resolved.athenaWorkGroupName)}`)
  check(resolved.athenaBytesScannedCutoff.toBytes() >= MIN_BYTES_SCANNED_CUTOFF, 'athenaBytesScannedCutoff must be at least 10 MB, Athena\'s smallest per-query limit')
  check(seconds(resolved.athenaResultRetention) >= 86_400 && seconds(resolved.athenaResultRetention) % 86_400 === 0, 'athenaResultRetention must be a whole number of days, at least 1')
  check(Number.isInteger(resolved.firstYear) && inRange(resolved.firstYear, 2000, 2999), 'firstYear must be a four-digit year')
  check(Number.isInteger(resolved.throttleRateLimit) && resolved.throttleRateLimit >= 1, 'throttleRateLimit must be a positive whole number')
  check(Number.isInteger(resolved.throttleBurstLimit) && resolved.throttleBurstLimit >= 1, 'throttleBurstLimit must be a positive whole number')
  if (problems.length > 0) throw new InvalidStackPropsError(problems)
  return resolved
}

function inRange(value: number, min: number, max: number): boolean {
  return Number.isFinite(value) && value >= min && value <= max
}
