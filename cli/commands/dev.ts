import {resolve} from 'node:path'
import {Flags} from '@oclif/core'
import type {IpPolicy} from '../../checks/scan/ip-address.js'
import {PIXEL_EVENT_SCHEMA_PATH, compileValidator, loadSchema, schemaWarnings} from '../../checks/schema/record-validator.js'
import {InvalidOptionError} from '../../lake/errors.js'
import type {Lake} from '../../lake/store/lake.js'
import {openLake} from '../../lake/store/open-lake.js'
import {CLIENT_IP_MODES, type ClientIpMode} from '../../pipeline/handler/anonymise-ip.js'
import type {Ingest} from '../../pipeline/handler/handler-environment.js'
import {startDevServer} from '../../pipeline/dev/dev-server.js'
import {DEMO_BADGE} from '../../pipeline/dev/demo-page.js'
import {deadLetterRepair} from '../dev-demo/dead-letter-repair.js'
import {liveAudit} from '../dev-demo/live-audit.js'
import {awsOptionsFor, lakeFlags} from '../flags.js'
import {loadPixelConfig} from '../pixel-config.js'
import {PixelCommand} from '../pixel-command.js'

/** A flag holding a number within [min, max]. */
function numberFlag(options: {description: string; default: number; min: number; max: number; minExclusive?: boolean; helpValue: string}) {
  return Flags.custom<number>({
    description: options.description,
    default: options.default,
    helpValue: options.helpValue,
    parse: async (input, _context, opts) => {
      const value = Number(input)
      const low = options.minExclusive ? value > options.min : value >= options.min
      if (input.trim() === '' || !Number.isFinite(value) || !low || value > options.max) {
        throw new InvalidOptionError(`--${opts.name} "${input}" must be a number ${options.minExclusive ? 'above' : 'from'} ${options.min} ${options.minExclusive ? 'and at most' : 'to'} ${options.max}`)
      }
      return value
    },
  })()
}

export interface DevSummary {
  url: string
  stream: string
  ingest: string
  lake: string
  received: number
  landed: number
  objects: number
}

export default class Dev extends PixelCommand {
  static override summary = 'Run the whole pipeline on this machine: the pixel, Firehose- and Kinesis-compatible APIs and delivery into a lake, on one port.'

  static override description = `Serves on 127.0.0.1: GET|HEAD /p.gif through the same handler the Lambda runs; a \
Firehose API at POST / (PutRecord, PutRecordBatch, DescribeDeliveryStream, with Firehose's limits and errors) for any AWS \
SDK; and a live demo page at GET / (hits per minute, the buffer, objects as they land, pixel check of the hours \
after each flush, buttons that break the pipeline and a repair that replays what was lost). Records are buffered by size and time and written as gzip objects, partitioned by their \
own ts and named exactly as the stack's Firehose does, into a folder or an S3 prefix that pixel check reads. Records \
that cannot be partitioned go under errors/partitioning-failed/. GIF answers carry x-pixel-dev-event-id when their \
record was acknowledged.

A Kinesis Data Streams API answers at the same POST / (told apart by X-Amz-Target: PutRecord, PutRecords, \
DescribeStream, ListShards, GetShardIterator, GetRecords). With --ingest kinesis the pixel puts its hits there instead, \
and a consumer loop writes each shard's records with the stack's Kinesis consumer, in batches of --batch-size records \
or every --batch-window seconds, exactly once, named <stream>-<shardId>-<firstSequence>-<lastSequence>.gz.

SIGINT or SIGTERM writes every buffer (and every pending Kinesis batch) before exiting: nothing acknowledged is lost.`

  static override examples = [
    {description: 'Run it into a local folder (then audit it with pixel check --lake ./lake --day today)', command: '<%= config.bin %> <%= command.id %> --lake ./lake'},
    {description: 'Into S3, flushing often, failing a tenth of batch records to test a client', command: '<%= config.bin %> <%= command.id %> --lake s3://my-bucket/events/ --buffer-seconds 5 --fail-rate 0.1'},
    {description: 'The Kinesis shape: a stream of 2 shards, its consumer writing batches of up to 500 records or every 5 seconds', command: '<%= config.bin %> <%= command.id %> --lake ./lake --ingest kinesis --shards 2 --batch-size 500 --batch-window 5'},
  ]

  static override flags = {
    ...lakeFlags,
    port: Flags.integer({description: 'The port on 127.0.0.1 for everything; 0 picks a free one, e.g. 8080.', default: 4573, min: 0, max: 65535}),
    stream: Flags.string({description: 'The delivery stream name the Firehose API answers to and objects are named after, e.g. pixel-events.', default: 'pixel-events', helpValue: 'NAME'}),
    'buffer-seconds': Flags.integer({description: 'Write a partition\'s buffer this long after its first record, as Firehose\'s buffering interval, e.g. 60.', default: 10, min: 0, max: 900}),
    'buffer-mb': numberFlag({description: 'Write a partition\'s buffer once it holds this many MiB, as Firehose\'s buffering size, e.g. 64 or 0.5.', default: 1, min: 0, max: 128, minExclusive: true, helpValue: 'MIB'}),
    'fail-rate': numberFlag({description: 'The share of records in each PutRecordBatch that fail with ServiceUnavailableException, e.g. 0.1.', default: 0, min: 0, max: 1, helpValue: 'RATE'}),
    'throttle-rate': numberFlag({description: 'The share of put calls that fail whole with ServiceUnavailableException, e.g. 0.05.', default: 0, min: 0, max: 1, helpValue: 'RATE'}),
    ingest: Flags.string({
      description: 'Where the pixel puts hits, as the stack\'s pixel:ingest: firehose (buffered delivery) or kinesis (a stream and its exactly-once consumer), e.g. kinesis.',
      options: ['firehose', 'kinesis'],
      default: 'firehose',
    }),
    shards: Flags.integer({description: 'The Kinesis stream\'s shards; records are placed by the MD5 of their partition key, e.g. 4.', default: 1, min: 1, max: 64}),
    'batch-size': Flags.integer({description: 'The Kinesis consumer\'s BatchSize: the most records of a shard written as one batch, e.g. 100.', default: 1000, min: 1, max: 10_000}),
    'batch-window': Flags.integer({
      description: 'The Kinesis consumer\'s MaximumBatchingWindowInSeconds: a smaller batch is written this long after its first record, e.g. 60.',
      default: 10,
      min: 0,
      max: 300,
      helpValue: 'SECONDS',
    }),
    'client-ip': Flags.string({description: 'How records store the client address, as the stack\'s pixel:clientIp, e.g. omit.', options: [...CLIENT_IP_MODES], default: 'anonymise'}),
    state: Flags.string({description: 'The folder for the demo page\'s dead letters (lost flushes) and the repair\'s ledgers, created when first needed, e.g. .pixel-dev.', default: '.pixel-dev', helpValue: 'DIR'}),
  }

  async run(): Promise<DevSummary> {
    const {flags} = await this.parse(Dev)
    const config = await loadPixelConfig(this.config.configDir)
    const lakeSpec = flags.lake ?? config.lake
    if (!lakeSpec) this.error('no lake given: pass --lake DIR or --lake s3://bucket/prefix/, set PIXEL_LAKE, or set "lake" in pixel.config.json', {exit: 2})
    let lake: Lake | undefined
    try {
      const schemaPath = config.schema
      const schema = await loadSchema(schemaPath)
      for (const warning of schemaWarnings(schema, schemaPath ?? PIXEL_EVENT_SCHEMA_PATH)) this.warn(warning)
      const validator = compileValidator(schema, schemaPath)
      lake = await openLake(lakeSpec, awsOptionsFor('s3', flags, config), {create: true})
      const server = await startDevServer({
        lake,
        port: flags.port,
        stream: flags.stream,
        bufferSeconds: flags['buffer-seconds'],
        bufferBytes: Math.round(flags['buffer-mb'] * 1024 * 1024),
        failRate: flags['fail-rate'],
        throttleRate: flags['throttle-rate'],
        clientIp: flags['client-ip'] as ClientIpMode,
        stateDir: resolve(flags.state),
        // The demo page's check and repair: pixel check and pixel replay, in this process.
        audit: liveAudit({lake, validator, ipPolicy: flags['client-ip'] as IpPolicy}),
        repair: deadLetterRepair({lake, validator}),
        ingest: flags.ingest as Ingest,
        shards: flags.shards,
        batchSize: flags['batch-size'],
        batchWindowSeconds: flags['batch-window'],
        // The handler's structured logs carry no client address; stdout stays for the URLs.
        log: (entry) => process.stderr.write(`${JSON.stringify(entry)}\n`),
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') throw new InvalidOptionError(`port ${flags.port} on 127.0.0.1 is in use: pass another --port, or 0 for a free one`)
        throw error
      })
      // Listening before the URLs are printed: whoever reads them may signal at once.
      const signal = new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'))
        process.once('SIGTERM', () => resolve('SIGTERM'))
      })
      this.log(`pixel dev serving on ${server.url}`)
      this.log(`  demo page  ${server.url}/`)
      this.log(`  pixel      ${server.pixelUrl}?b=${DEMO_BADGE}`)
      this.log(`  firehose   ${server.url}  (stream ${server.stream}, AWS SDK endpoint)${server.ingest === 'firehose' ? '  <- the pixel puts here' : ''}`)
      this.log(`  kinesis    ${server.url}  (stream ${server.stream}, ${flags.shards} shard${flags.shards === 1 ? '' : 's'}, AWS SDK endpoint over HTTP/1.1)${server.ingest === 'kinesis' ? '  <- the pixel puts here' : ''}`)
      this.log(`  lake       ${lake.url}`)
      this.log('Ctrl-C flushes the buffers and exits.')
      this.logToStderr(`${await signal}: flushing buffers to ${lake.url}`)
      await server.close()
      const stats = server.stats()
      this.log(`stopped: ${stats.received} records received, ${stats.landed} landed in ${stats.objects} objects`)
      return {url: server.url, stream: server.stream, ingest: server.ingest, lake: lake.url, received: stats.received, landed: stats.landed, objects: stats.objects}
    } finally {
      lake?.close()
    }
  }
}
