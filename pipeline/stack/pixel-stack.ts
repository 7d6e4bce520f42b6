import {CfnOutput, Stack, Validations} from 'aws-cdk-lib'
import {
  Compression,
  DeliveryStream,
  EnableLogging,
  MetadataExtractionProcessor,
  S3Bucket,
  StreamEncryption,
} from 'aws-cdk-lib/aws-kinesisfirehose'
import {AccountRootPrincipal} from 'aws-cdk-lib/aws-iam'
import type {LogGroup} from 'aws-cdk-lib/aws-logs'
import type {CfnBucket} from 'aws-cdk-lib/aws-s3'
import {type ITopic, Topic} from 'aws-cdk-lib/aws-sns'
import type {Construct} from 'constructs'

import {ERROR_OUTPUT_PREFIX, EVENTS_PREFIX, EVENTS_ROOT, PARTITION_KEY_QUERIES} from '../../lake/layout/bucket-layout.js'
import {AthenaWorkgroup, RESULTS_PREFIX} from './athena-workgroup.js'
import {AuditRole} from './audit-role.js'
import {KinesisIngest} from './kinesis-ingest.js'
import {LakeBucket} from './lake-bucket.js'
import {LakeTable} from './lake-table.js'
import {stackLogGroup} from './log-group.js'
import {PipelineAlarms} from './pipeline-alarms.js'
import {PixelCanary} from './pixel-canary.js'
import {PixelEndpoint} from './pixel-endpoint.js'
import {type PixelStackProps, resolvePixelStackProps} from './pixel-stack-props.js'

/**
 * The pixel pipeline: HTTP API -> pixel Lambda -> Firehose -> S3 lake, partitioned by event
 * hour, with a Glue table for Athena, a canary and alarms. With `ingest: 'kinesis'`, HTTP API ->
 * pixel Lambda -> Kinesis data stream -> consumer Lambda -> the same lake, exactly once.
 *
 * @example
 * new PixelStack(app, 'Pixel', {clientIp: 'anonymise', bufferingInterval: Duration.minutes(2)})
 */
export class PixelStack extends Stack {
  public readonly lake: LakeBucket
  /** The Firehose delivery stream (the `firehose` ingest). */
  public readonly stream?: DeliveryStream
  /** The Kinesis data stream, its consumer and failure queue (the `kinesis` ingest). */
  public readonly kinesis?: KinesisIngest
  public readonly table: LakeTable
  public readonly athena: AthenaWorkgroup
  public readonly auditRole: AuditRole
  public readonly endpoint: PixelEndpoint
  public readonly canary: PixelCanary
  public readonly alarms: PipelineAlarms

  /** Firehose's delivery errors (the `firehose` ingest). */
  public readonly deliveryLogGroup?: LogGroup
  public readonly alarmTopic?: ITopic

  constructor(scope: Construct, id: string, props: PixelStackProps = {}) {
    super(scope, id, props)
    // Checked before any resource exists, once the stack's name (the database's default) is known.
    const settings = resolvePixelStackProps(props, {stackName: this.stackName})

    this.lake = new LakeBucket(this, 'Lake', {errorRetention: settings.errorRetention, removalPolicy: settings.lakeRemovalPolicy})

    if (settings.ingest === 'kinesis') {
      this.kinesis = new KinesisIngest(this, 'Kinesis', {
        lakeBucket: this.lake.bucket,
        shards: settings.kinesisShards,
        retention: settings.kinesisRetention,
        batchSize: settings.consumerBatchSize,
        maxBatchingWindow: settings.consumerMaxBatchingWindow,
        bisectBatchOnError: settings.consumerBisectBatchOnError,
        reportBatchItemFailures: settings.consumerReportBatchItemFailures,
        maxRecordAge: settings.consumerMaxRecordAge,
        retryAttempts: settings.consumerRetryAttempts,
      })
    } else {
      // Newlines: the handler writes each record as one newline-terminated line, so no
      // AppendDelimiterToRecord processor here (it would add a blank line after every record).
      this.deliveryLogGroup = stackLogGroup(this, 'DeliveryLogs')
      const stream = new DeliveryStream(this, 'Events', {
        encryption: StreamEncryption.awsOwnedKey(),
        destination: new S3Bucket(this.lake.bucket, {
          dataOutputPrefix: EVENTS_PREFIX,
          errorOutputPrefix: ERROR_OUTPUT_PREFIX,
          compression: Compression.GZIP,
          bufferingInterval: settings.bufferingInterval,
          bufferingSize: settings.bufferingSize,
          dynamicPartitioning: {enabled: true},
          processors: [MetadataExtractionProcessor.jq16({...PARTITION_KEY_QUERIES})],
          loggingConfig: new EnableLogging(this.deliveryLogGroup),
        }),
      })
      Validations.of(stream).acknowledge(
        ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: 'The Firehose L2 grants its delivery role read/write on the lake bucket only; these wildcards are the standard S3 write grant, scoped to that bucket.',
        })),
        {
          id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.lake.bucket.node.defaultChild as CfnBucket)}.Arn>/*]`,
          reason: 'Firehose writes objects under keys it derives from each record (the hour partitions), so it needs every key of the lake bucket.',
        },
      )
      this.stream = stream
      Validations.of(this).acknowledge({
        id: 'CloudFormation-Validate::W7001',
        reason: 'The Firehose L2 always adds its CIDR mapping (used only for Redshift/Splunk destinations); it is unused and harmless here.',
      })
    }

    this.table = new LakeTable(this, 'Table', {
      bucket: this.lake.bucket,
      databaseName: settings.databaseName,
      tableName: settings.tableName,
      rawTableName: settings.rawTableName,
      firstYear: settings.firstYear,
    })

    this.athena = new AthenaWorkgroup(this, 'Athena', {
      workGroupName: settings.athenaWorkGroupName,
      bytesScannedCutoff: settings.athenaBytesScannedCutoff,
      resultRetention: settings.athenaResultRetention,
      accessLogsBucket: this.lake.accessLogsBucket,
      removalPolicy: settings.lakeRemovalPolicy,
    })
    this.auditRole = new AuditRole(this, 'Audit', {
      assumedBy: settings.auditPrincipal ?? new AccountRootPrincipal(),
      lakeBucket: this.lake.bucket,
      resultsBucket: this.athena.resultsBucket,
      workGroupName: settings.athenaWorkGroupName,
      databaseName: settings.databaseName,
      tableNames: [settings.tableName, settings.rawTableName],
    })

    this.endpoint = new PixelEndpoint(this, 'Endpoint', {
      target: this.kinesis ? {kind: 'kinesis', stream: this.kinesis.stream} : {kind: 'firehose', stream: this.stream!},
      clientIp: settings.clientIp,
      firehoseTimeout: settings.firehoseTimeout,
      throttleRateLimit: settings.throttleRateLimit,
      throttleBurstLimit: settings.throttleBurstLimit,
    })

    this.canary = new PixelCanary(this, 'Canary', {pixelUrl: this.endpoint.pixelUrl, interval: settings.canaryInterval})

    this.alarmTopic = settings.alarmTopic ?? (settings.alarmTopicArn === undefined ? undefined : Topic.fromTopicArn(this, 'AlarmTopic', settings.alarmTopicArn))
    this.alarms = new PipelineAlarms(this, 'Alarms', {
      pixelFunction: this.endpoint.pixelFunction.function,
      pixelLogGroup: this.endpoint.pixelFunction.logGroup,
      canaryFunction: this.canary.canaryFunction.function,
      stream: this.stream,
      kinesis: this.kinesis && {
        stream: this.kinesis.stream,
        consumer: this.kinesis.consumer.function,
        failureQueue: this.kinesis.failureQueue,
        iteratorAgeThreshold: settings.iteratorAgeThreshold,
      },
      freshnessThreshold: settings.freshnessThreshold,
      alarmTopic: this.alarmTopic,
    })

    new CfnOutput(this, 'PixelUrl', {value: this.endpoint.pixelUrl, description: 'The pixel to embed: <img src="PixelUrl?b=BADGE" ...>'})
    new CfnOutput(this, 'HealthUrl', {value: this.endpoint.healthUrl, description: 'For uptime monitors'})
    new CfnOutput(this, 'LakeBucketName', {value: this.lake.bucket.bucketName, description: `The lake bucket; pixel check reads it with --lake s3://<LakeBucketName>/${EVENTS_ROOT}`})
    if (this.stream) new CfnOutput(this, 'DeliveryStreamName', {value: this.stream.deliveryStreamName, description: 'The Firehose stream'})
    if (this.kinesis) {
      new CfnOutput(this, 'KinesisStreamName', {value: this.kinesis.stream.streamName, description: 'The Kinesis data stream the pixel puts hits into; pixel replay --from kinesis://<KinesisStreamName> re-reads its retention'})
      new CfnOutput(this, 'FailedBatchesQueueUrl', {value: this.kinesis.failureQueue.queueUrl, description: 'The SQS queue where the consumer\'s event source mapping reports the batches it gave up on (shard and sequence numbers)'})
    }
    new CfnOutput(this, 'AthenaTable', {value: `${settings.databaseName}.${settings.tableName}`, description: 'The Glue table for Athena, as database.table'})
    new CfnOutput(this, 'AthenaWorkGroup', {value: settings.athenaWorkGroupName, description: 'The Athena workgroup for pixel check --engine athena --workgroup <AthenaWorkGroup>'})
    new CfnOutput(this, 'AthenaDatabase', {value: settings.databaseName, description: 'The Glue database for pixel check --engine athena --database <AthenaDatabase>'})
    new CfnOutput(this, 'AthenaRawTable', {value: settings.rawTableName, description: 'The raw-lines table for pixel check --engine athena --table <AthenaRawTable>'})
    new CfnOutput(this, 'AthenaResultsBucket', {value: this.athena.resultsBucket.bucketName, description: `Where the workgroup writes query results, under ${RESULTS_PREFIX}, expired after ${settings.athenaResultRetention.toDays()} days`})
    new CfnOutput(this, 'AuditRoleArn', {value: this.auditRole.role.roleArn, description: 'The role pixel check runs as (either engine): reads the events, runs queries in the workgroup'})
  }
}
