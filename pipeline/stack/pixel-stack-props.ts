import {Duration, RemovalPolicy, Size, type StackProps} from 'aws-cdk-lib'
import type {ITopic} from 'aws-cdk-lib/aws-sns'

import {InvalidStackPropsError} from '../errors.js'
import {type ClientIpMode, CLIENT_IP_MODES, isClientIpMode} from '../handler/anonymise-ip.js'

export interface PixelStackProps extends StackProps {
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
   * The Glue database of the lake table (lower case, digits and underscores).
   * @default 'pixel'
   */
  readonly databaseName?: string
  /**
   * The Glue table over the events (lower case, digits and underscores).
   * @default 'events'
   */
  readonly tableName?: string
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
   * @default - the alarms have no action; watch them in the console or wire them later
   */
  readonly alarmTopic?: ITopic
  /**
   * What happens to the lake and log buckets when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly lakeRemovalPolicy?: RemovalPolicy
}

/** The props with every default applied. */
export type ResolvedPixelStackProps = Required<Omit<PixelStackProps, keyof StackProps | 'alarmTopic'>> & Pick<PixelStackProps, 'alarmTopic'>

const GLUE_NAME = /^[a-z0-9_]{1,255}$/

/**
 * Applies the defaults and checks every prop, throwing one `InvalidStackPropsError` that lists
 * every problem found.
 *
 * @example
 * resolvePixelStackProps({bufferingSize: Size.mebibytes(5)}) // throws: buffering size must be 64 to 128 MiB
 */
export function resolvePixelStackProps(props: PixelStackProps = {}): ResolvedPixelStackProps {
  const resolved: ResolvedPixelStackProps = {
    bufferingInterval: props.bufferingInterval ?? Duration.seconds(60),
    bufferingSize: props.bufferingSize ?? Size.mebibytes(64),
    clientIp: props.clientIp ?? 'anonymise',
    firehoseTimeout: props.firehoseTimeout ?? Duration.millis(300),
    canaryInterval: props.canaryInterval ?? Duration.minutes(5),
    errorRetention: props.errorRetention ?? Duration.days(30),
    freshnessThreshold: props.freshnessThreshold ?? Duration.minutes(15),
    databaseName: props.databaseName ?? 'pixel',
    tableName: props.tableName ?? 'events',
    firstYear: props.firstYear ?? 2026,
    throttleRateLimit: props.throttleRateLimit ?? 500,
    throttleBurstLimit: props.throttleBurstLimit ?? 1000,
    alarmTopic: props.alarmTopic,
    lakeRemovalPolicy: props.lakeRemovalPolicy ?? RemovalPolicy.RETAIN,
  }
  const problems: string[] = []
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem)
  }
  const seconds = (duration: Duration): number => duration.toMilliseconds() / 1000
  check(inRange(seconds(resolved.bufferingInterval), 60, 900), 'bufferingInterval must be 60 to 900 seconds (dynamic partitioning needs at least 60)')
  check(inRange(resolved.bufferingSize.toMebibytes(), 64, 128), 'bufferingSize must be 64 to 128 MiB (dynamic partitioning needs at least 64)')
  check(isClientIpMode(resolved.clientIp), `clientIp must be one of ${CLIENT_IP_MODES.join(', ')}`)
  check(inRange(resolved.firehoseTimeout.toMilliseconds(), 50, 3000), 'firehoseTimeout must be 50 ms to 3 s: the pixel must answer fast')
  check(inRange(seconds(resolved.canaryInterval), 60, 300), 'canaryInterval must be 1 to 5 minutes, so that every healthy hour holds records')
  check(seconds(resolved.errorRetention) >= 86_400 && seconds(resolved.errorRetention) % 86_400 === 0, 'errorRetention must be a whole number of days, at least 1')
  check(inRange(seconds(resolved.freshnessThreshold), seconds(resolved.bufferingInterval) + 60, 86_400), 'freshnessThreshold must exceed bufferingInterval by at least a minute, and be at most a day')
  check(GLUE_NAME.test(resolved.databaseName), 'databaseName must be 1 to 255 lower-case letters, digits or underscores')
  check(GLUE_NAME.test(resolved.tableName), 'tableName must be 1 to 255 lower-case letters, digits or underscores')
  check(Number.isInteger(resolved.firstYear) && inRange(resolved.firstYear, 2000, 2999), 'firstYear must be a four-digit year')
  check(Number.isInteger(resolved.throttleRateLimit) && resolved.throttleRateLimit >= 1, 'throttleRateLimit must be a positive whole number')
  check(Number.isInteger(resolved.throttleBurstLimit) && resolved.throttleBurstLimit >= 1, 'throttleBurstLimit must be a positive whole number')
  if (problems.length > 0) throw new InvalidStackPropsError(problems)
  return resolved
}

function inRange(value: number, min: number, max: number): boolean {
  return Number.isFinite(value) && value >= min && value <= max
}
