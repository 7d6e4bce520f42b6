import {Aws} from 'aws-cdk-lib'
import {CfnDatabase, CfnTable} from 'aws-cdk-lib/aws-glue'
import type {IBucket} from 'aws-cdk-lib/aws-s3'
import {Construct} from 'constructs'

import {EVENTS_LOCATION_TEMPLATE, EVENTS_ROOT, PARTITION_KEYS} from '../../lake/layout/bucket-layout.js'

export interface LakeTableProps {
  readonly bucket: IBucket
  readonly databaseName: string
  readonly tableName: string
  /** The table of the same objects' raw lines, one string column `line`. */
  readonly rawTableName: string
  /** The first year partition projection covers; it runs to 2099. */
  readonly firstYear: number
}

// The columns of `lake/schema/pixel-event.schema.json`, version 1. `ts` stays a string: the
// JSON SerDe cannot parse ISO-8601 with a `Z`; query it with from_iso8601_timestamp(ts).
const COLUMNS: CfnTable.ColumnProperty[] = [
  {name: 'event_id', type: 'string'},
  {name: 'ts', type: 'string'},
  {name: 'schema_version', type: 'int'},
  {name: 'source', type: 'string'},
  {name: 'badge', type: 'string'},
  {name: 'campaign', type: 'string'},
  {name: 'page_url', type: 'string'},
  {name: 'referer', type: 'string'},
  {name: 'user_agent', type: 'string'},
  {name: 'client_ip', type: 'string'},
  {name: 'params', type: 'map<string,string>'},
  {name: 'params_truncated', type: 'boolean'},
  {name: 'replay_id', type: 'string'},
]

// Zero-padded like the folders Firehose writes: month=01, hour=00.
const PROJECTION_RANGES: Record<(typeof PARTITION_KEYS)[number], {range: (firstYear: number) => string; digits?: number}> = {
  year: {range: (firstYear) => `${firstYear},2099`},
  month: {range: () => '1,12', digits: 2},
  day: {range: () => '1,31', digits: 2},
  hour: {range: () => '0,23', digits: 2},
}

/*
 * The raw-lines table reads every object's text as lines, whatever they hold, so that SQL can
 * judge what the JSON table would hide (its SerDe turns a malformed line into nulls):
 * - TextInputFormat decompresses by the key's suffix: `.gz` objects as gzip (members back to
 *   back included), others as plain text. A truncated or non-gzip `.gz` fails the query, which
 *   names the object (pixel then reports it as a corrupt-object).
 * - LazySimpleSerDe with `serialization.last.column.takes.rest`: the one column takes the whole
 *   line, so no byte in it (the field delimiter included) cuts it.
 * - `serialization.null.format` is a newline, which no line holds, so no line reads as NULL
 *   (the default `\N` would turn a line of those two characters into NULL).
 * - Lines end at `\n`; the text reader also ends one at `\r`, so a bare carriage return (not
 *   valid inside a JSON string anyway) splits a line in two. A line longer than the reader's limit
 *   (Trino's default is 100 MB; Firehose records are at most 1,000 KiB, but records written back
 *   to back without a newline make one long line) fails the query.
 */
const RAW_LINE_SERDE: CfnTable.SerdeInfoProperty = {
  serializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
  parameters: {
    'field.delim': '\u0001',
    'serialization.last.column.takes.rest': 'true',
    'serialization.null.format': '\n',
  },
}

/** Athena partition projection on year/month/day/hour, zero-padded as Firehose writes them. */
function projectionOf(firstYear: number): Record<string, string> {
  const projection: Record<string, string> = {'projection.enabled': 'true'}
  for (const key of PARTITION_KEYS) {
    const {range, digits} = PROJECTION_RANGES[key]
    projection[`projection.${key}.type`] = 'integer'
    projection[`projection.${key}.range`] = range(firstYear)
    if (digits !== undefined) projection[`projection.${key}.digits`] = String(digits)
  }
  return projection
}

/**
 * The Glue database and its two tables over the events, both with Athena partition projection on
 * year/month/day/hour (a query for one day reads that day's folders, and no crawler is needed):
 * `events`, the records as columns, and `events_lines`, every line of every object as text, which
 * `pixel check --engine athena` reads.
 */
export class LakeTable extends Construct {
  public readonly database: CfnDatabase
  public readonly table: CfnTable
  public readonly rawTable: CfnTable
  public readonly databaseName: string
  public readonly tableName: string
  public readonly rawTableName: string

  constructor(scope: Construct, id: string, props: LakeTableProps) {
    super(scope, id)
    this.databaseName = props.databaseName
    this.tableName = props.tableName
    this.rawTableName = props.rawTableName
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {name: props.databaseName, description: 'The pixel lake: one record per hit of the tracking pixel.'},
    })
    const eventsLocation = `s3://${props.bucket.bucketName}/${EVENTS_ROOT}`
    const projection = projectionOf(props.firstYear)
    const locationTemplate = `s3://${props.bucket.bucketName}/${EVENTS_LOCATION_TEMPLATE}`
    this.table = new CfnTable(this, 'Table', {
      catalogId: Aws.ACCOUNT_ID,
      // The Ref of a Glue database is its name; using it orders the table after the database.
      databaseName: this.database.ref,
      tableInput: {
        name: props.tableName,
        description: 'Pixel events (schema version 1), partitioned by the hour of their ts.',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'json',
          compressionType: 'gzip',
          'storage.location.template': locationTemplate,
          ...projection,
        },
        partitionKeys: PARTITION_KEYS.map((name) => ({name, type: 'string'})),
        storageDescriptor: {
          location: eventsLocation,
          columns: COLUMNS,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          compressed: true,
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            // A malformed line becomes a row of nulls instead of failing the whole query;
            // `pixel check` is the place that reports it.
            parameters: {'ignore.malformed.json': 'true'},
          },
        },
      },
    })
    this.rawTable = new CfnTable(this, 'RawTable', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: this.database.ref,
      tableInput: {
        name: props.rawTableName,
        description: 'Every line of every events object, as text: what pixel check --engine athena reads.',
        tableType: 'EXTERNAL_TABLE',
        parameters: {classification: 'text', compressionType: 'gzip', 'storage.location.template': locationTemplate, ...projection},
        partitionKeys: PARTITION_KEYS.map((name) => ({name, type: 'string'})),
        storageDescriptor: {
          location: eventsLocation,
          columns: [{name: 'line', type: 'string', comment: 'One line of the object, without its newline'}],
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          compressed: true,
          serdeInfo: RAW_LINE_SERDE,
        },
      },
    })
  }
}
