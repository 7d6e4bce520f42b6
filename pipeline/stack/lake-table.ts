import {Aws} from 'aws-cdk-lib'
import {CfnDatabase, CfnTable} from 'aws-cdk-lib/aws-glue'
import type {IBucket} from 'aws-cdk-lib/aws-s3'
import {Construct} from 'constructs'

import {EVENTS_LOCATION_TEMPLATE, EVENTS_ROOT, PARTITION_KEYS} from '../../lake/layout/bucket-layout.js'

export interface LakeTableProps {
  readonly bucket: IBucket
  readonly databaseName: string
  readonly tableName: string
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

/**
 * The Glue database and table over the events, with Athena partition projection on
 * year/month/day/hour: a query for one day reads that day's folders, and no crawler is needed.
 */
export class LakeTable extends Construct {
  public readonly database: CfnDatabase
  public readonly table: CfnTable
  public readonly databaseName: string
  public readonly tableName: string

  constructor(scope: Construct, id: string, props: LakeTableProps) {
    super(scope, id)
    this.databaseName = props.databaseName
    this.tableName = props.tableName
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {name: props.databaseName, description: 'The pixel lake: one record per hit of the tracking pixel.'},
    })
    const eventsLocation = `s3://${props.bucket.bucketName}/${EVENTS_ROOT}`
    const projection: Record<string, string> = {'projection.enabled': 'true'}
    for (const key of PARTITION_KEYS) {
      const {range, digits} = PROJECTION_RANGES[key]
      projection[`projection.${key}.type`] = 'integer'
      projection[`projection.${key}.range`] = range(props.firstYear)
      if (digits !== undefined) projection[`projection.${key}.digits`] = String(digits)
    }
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
          'storage.location.template': `s3://${props.bucket.bucketName}/${EVENTS_LOCATION_TEMPLATE}`,
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
  }
}
