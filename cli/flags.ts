import {Flags} from '@oclif/core'
import {InvalidOptionError} from '../lake/errors.js'

/** The flags that say where a lake is and how to reach it; shared by every command that reads one. */
export const lakeFlags = {
  lake: Flags.string({
    description: 'The lake: an s3://bucket/prefix/ URL or a local folder holding year=YYYY/ partitions (also PIXEL_LAKE or "lake" in the config file).',
    env: 'PIXEL_LAKE',
    helpValue: 's3://BUCKET/PREFIX/|DIR',
  }),
  profile: Flags.string({
    description: 'The AWS shared-config profile to take credentials and region from (else the standard credential chain).',
    helpValue: 'NAME',
  }),
  region: Flags.string({
    description: 'The AWS region of the bucket (else AWS_REGION or the profile\'s region).',
    helpValue: 'REGION',
  }),
  'endpoint-url': Flags.string({
    description: 'An S3-compatible endpoint (MinIO, s3rver, moto), addressed path-style (else AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL).',
    helpValue: 'URL',
  }),
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

/** A flag holding a duration, in minutes. */
export function durationFlag(options: {description: string; default: number; examples: string}) {
  return Flags.custom<number>({
    description: options.description,
    default: options.default,
    helpValue: options.examples,
    parse: async (input, _context, opts) => parseMinutes(input, `--${opts.name}`),
  })()
}
