import {Flags} from '@oclif/core'
import {InvalidOptionError} from '../lake/errors.js'
import {DEFAULT_ATHENA_CONCURRENCY} from '../checks/engine/athena/athena-defaults.js'
import {DEFAULT_USD_PER_TB} from '../checks/engine/athena/query-cost.js'
import type {PixelConfig} from './pixel-config.js'

/*
 * Every flag that more than one command takes lives here, so that one name has one meaning.
 * `--endpoint-url` follows the AWS SDK and CLI: it applies to every service a command calls;
 * a command that calls two services also takes `--<service>-endpoint-url` for one of them.
 */

/** `--lake`: where the lake is; shared by every command that reads or writes one. */
export const lakeFlag = Flags.string({
  description: 'The lake: an s3://bucket/prefix/ URL or a local folder holding year=YYYY/ partitions (also PIXEL_LAKE or "lake" in the config file), e.g. s3://my-bucket/events/.',
  env: 'PIXEL_LAKE',
  helpValue: 's3://BUCKET/PREFIX/|DIR',
})

/** How to reach AWS: credentials, region and an endpoint for every service the command calls. */
export const awsFlags = {
  profile: Flags.string({
    description: 'The AWS shared-config profile to take credentials and region from (else the standard credential chain), e.g. audit.',
    helpValue: 'NAME',
  }),
  region: Flags.string({
    description: 'The AWS region (else AWS_REGION or the profile\'s region), e.g. eu-west-1.',
    helpValue: 'REGION',
  }),
  'endpoint-url': Flags.string({
    description: 'An endpoint for every AWS service the command calls (MinIO, moto, pixel dev), S3 addressed path-style (else AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL or "endpointUrl" in the config file), e.g. http://127.0.0.1:5000.',
    helpValue: 'URL',
  }),
}

/** The flags of a command that reads or writes a lake: `--lake` and how to reach S3. */
export const lakeFlags = {lake: lakeFlag, ...awsFlags}

/** The AWS services pixel calls, with the SDK's name for each one's endpoint variable. */
export const SERVICE_ENDPOINT_ENV = {s3: 'AWS_ENDPOINT_URL_S3', firehose: 'AWS_ENDPOINT_URL_FIREHOSE', sns: 'AWS_ENDPOINT_URL_SNS', athena: 'AWS_ENDPOINT_URL_ATHENA', kinesis: 'AWS_ENDPOINT_URL_KINESIS'} as const
export type AwsService = keyof typeof SERVICE_ENDPOINT_ENV

/** Per-service endpoint overrides, for a command that calls S3 and Firehose both. */
export const serviceEndpointFlags = {
  's3-endpoint-url': Flags.string({
    description: 'An S3-compatible endpoint for the lake and s3:// sources only, overriding --endpoint-url (else AWS_ENDPOINT_URL_S3), e.g. http://127.0.0.1:9000.',
    helpValue: 'URL',
  }),
  'firehose-endpoint-url': Flags.string({
    description: 'A Firehose-compatible endpoint only, such as pixel dev\'s, overriding --endpoint-url (else AWS_ENDPOINT_URL_FIREHOSE), e.g. http://127.0.0.1:4573.',
    helpValue: 'URL',
  }),
  'kinesis-endpoint-url': Flags.string({
    description: 'A Kinesis-compatible endpoint only, for kinesis:// sources (pixel dev\'s, moto), overriding --endpoint-url (else AWS_ENDPOINT_URL_KINESIS), e.g. http://127.0.0.1:4573.',
    helpValue: 'URL',
  }),
}

/**
 * The endpoint for one service: `--<service>-endpoint-url`, then `--endpoint-url`, then the SDK's
 * `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, then `endpointUrl` in the config file;
 * undefined means the service's own AWS endpoint.
 *
 * @example endpointFor('firehose', {'endpoint-url': 'http://127.0.0.1:4573'}) // 'http://127.0.0.1:4573'
 */
export function endpointFor(
  service: AwsService,
  flags: {'endpoint-url'?: string; 's3-endpoint-url'?: string; 'firehose-endpoint-url'?: string; 'kinesis-endpoint-url'?: string},
  config: Pick<PixelConfig, 'endpointUrl'> = {},
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  // Only S3 and Firehose have flags of their own (SNS and Athena take --endpoint-url or their variables).
  const own = service === 's3' ? flags['s3-endpoint-url'] : service === 'firehose' ? flags['firehose-endpoint-url'] : service === 'kinesis' ? flags['kinesis-endpoint-url'] : undefined
  return own || flags['endpoint-url'] || env[SERVICE_ENDPOINT_ENV[service]] || env.AWS_ENDPOINT_URL || config.endpointUrl || undefined
}

/**
 * The SDK options for one service from the flags and the config file: flags win, then the
 * SDK's own variables (left to the SDK for the profile and region), then the config file.
 *
 * @example openLake(spec, awsOptionsFor('s3', flags, config))
 */
export function awsOptionsFor(
  service: AwsService,
  flags: {profile?: string; region?: string; 'endpoint-url'?: string; 's3-endpoint-url'?: string; 'firehose-endpoint-url'?: string; 'kinesis-endpoint-url'?: string},
  config: Pick<PixelConfig, 'profile' | 'region' | 'endpointUrl'> = {},
  env: NodeJS.ProcessEnv = process.env,
): {profile?: string; region?: string; endpointUrl?: string} {
  return {
    profile: flags.profile ?? (env.AWS_PROFILE ? undefined : config.profile),
    region: flags.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION ? undefined : config.region),
    endpointUrl: endpointFor(service, flags, config, env),
  }
}

/** `pixel check --engine athena`: where its queries run, each also in the config file's `athena` section. */
export const athenaFlags = {
  workgroup: Flags.string({
    description: 'With --engine athena: the Athena workgroup to run the queries in (the stack\'s AthenaWorkGroup output; also "athena.workgroup" in the config file), e.g. Pixel.',
    helpValue: 'NAME',
  }),
  database: Flags.string({
    description: 'With --engine athena: the Glue database of the raw-lines table (the stack\'s AthenaDatabase output; also "athena.database" in the config file), e.g. pixel.',
    helpValue: 'NAME',
  }),
  table: Flags.string({
    description: 'With --engine athena: the raw-lines table, one string column line over the lake\'s objects (the stack\'s AthenaRawTable output; also "athena.table" in the config file), e.g. events_lines.',
    helpValue: 'NAME',
  }),
  'athena-concurrency': Flags.integer({
    description: 'With --engine athena: queries in flight at once, at most (queued queries count against the account\'s active-query quota too), e.g. 5.',
    default: DEFAULT_ATHENA_CONCURRENCY,
    min: 1,
    max: 100,
  }),
  'athena-usd-per-tb': Flags.custom<number>({
    description: 'With --engine athena: the price per TB scanned the cost estimate uses (Athena\'s list price in most regions is 5), e.g. 6.75.',
    default: DEFAULT_USD_PER_TB,
    helpValue: 'USD',
    parse: async (input) => {
      const value = Number(input)
      if (input.trim() === '' || !Number.isFinite(value) || value < 0) throw new InvalidOptionError(`--athena-usd-per-tb "${input}" is not a price: give USD per TB, e.g. 5`)
      return value
    },
  })(),
}

/** Where `--engine athena` runs: every one of them is needed. */
export interface AthenaTarget {
  workgroup: string
  database: string
  table: string
}

const ATHENA_OUTPUTS: Record<keyof AthenaTarget, string> = {workgroup: 'AthenaWorkGroup', database: 'AthenaDatabase', table: 'AthenaRawTable'}

/**
 * The workgroup, database and raw-lines table of `--engine athena`: each from its flag, else the
 * config file's `athena` section. A missing one is one line naming the flag and the stack output
 * to copy it from.
 *
 * @example athenaTargetFor({workgroup: 'Pixel'}, {athena: {database: 'pixel', table: 'events_lines'}}) // {workgroup: 'Pixel', database: 'pixel', table: 'events_lines'}
 */
export function athenaTargetFor(flags: Partial<AthenaTarget>, config: Pick<PixelConfig, 'athena'> = {}): AthenaTarget {
  const target: Partial<AthenaTarget> = {}
  for (const name of Object.keys(ATHENA_OUTPUTS) as (keyof AthenaTarget)[]) {
    const value = flags[name] ?? config.athena?.[name]
    if (!value) {
      throw new InvalidOptionError(
        `--engine athena needs --${name}: copy it from the stack's ${ATHENA_OUTPUTS[name]} output, or set "athena": {"${name}": "..."} in the config file`,
      )
    }
    target[name] = value
  }
  return target as AthenaTarget
}

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/

/**
 * Parses a duration flag into minutes: `15` (minutes), `90s`, `15m`, `2h`, `1h30m`.
 *
 * @example parseMinutes('1h30m', '--late-after') // 90
 */
export function parseMinutes(input: string, flag: string): number {
  if (/^\d+(\.\d+)?$/.test(input)) return Number(input)
  const match = DURATION.exec(input)
  if (!match || input === '') throw new InvalidOptionError(`${flag} "${input}" is not a duration: use minutes (15) or 90s, 15m, 2h, 1h30m`)
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) + Number(match[3] ?? 0) / 60
}

/**
 * A number of minutes as a duration flag takes it, for help text: `60m`, `90s`.
 *
 * @example minutesLabel(60) // '60m'
 */
export function minutesLabel(minutes: number): string {
  return Number.isInteger(minutes) ? `${minutes}m` : `${Math.round(minutes * 60)}s`
}

/** A flag holding a duration, in minutes; its help shows the default as a duration (`60m`). */
export function durationFlag(options: {description: string; default: number; examples: string}) {
  return Flags.custom<number>({
    description: options.description,
    default: options.default,
    defaultHelp: async () => minutesLabel(options.default),
    helpValue: options.examples,
    parse: async (input, _context, opts) => parseMinutes(input, `--${opts.name}`),
  })()
}
