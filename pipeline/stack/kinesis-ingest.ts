import {Duration, Stack, Validations} from 'aws-cdk-lib'
import {Effect, PolicyStatement} from 'aws-cdk-lib/aws-iam'
import {Stream, StreamEncryption, StreamMode} from 'aws-cdk-lib/aws-kinesis'
import {StartingPosition} from 'aws-cdk-lib/aws-lambda'
import {KinesisEventSource, SqsDlq} from 'aws-cdk-lib/aws-lambda-event-sources'
import type {CfnBucket, IBucket} from 'aws-cdk-lib/aws-s3'
import {Queue, QueueEncryption} from 'aws-cdk-lib/aws-sqs'
import {Construct} from 'constructs'

import {ERRORS_ROOT, EVENTS_ROOT} from '../../lake/layout/bucket-layout.js'
import {CONSUMER_ENV} from '../consumer/consumer-environment.js'
import {PARTITIONING_FAILED} from '../partition-record.js'
import {lambdaEntry} from './lambda-entry.js'
import {LoggedFunction} from './logged-function.js'

export interface KinesisIngestProps {
  readonly lakeBucket: IBucket
  /** Provisioned shards; undefined for on-demand capacity. */
  readonly shards: number | undefined
  readonly retention: Duration
  readonly batchSize: number
  readonly maxBatchingWindow: Duration
  readonly bisectBatchOnError: boolean
  readonly reportBatchItemFailures: boolean
  readonly maxRecordAge: Duration
  readonly retryAttempts: number
}

/**
 * The `kinesis` ingest: the data stream the pixel puts hits into, and the consumer Lambda that an
 * event source mapping feeds from it, writing the lake exactly once (see
 * `pipeline/consumer/batch-writer.ts`). Batches that still fail after their retries, or whose
 * records outlive `maxRecordAge`, are reported to an SQS queue (their shard and sequence
 * numbers, not their records: the records stay in the stream for its retention).
 */
export class KinesisIngest extends Construct {
  public readonly stream: Stream
  public readonly consumer: LoggedFunction
  /** Where the event source mapping reports the batches it gave up on. */
  public readonly failureQueue: Queue
  public readonly eventSource: KinesisEventSource

  constructor(scope: Construct, id: string, props: KinesisIngestProps) {
    super(scope, id)
    this.stream = new Stream(this, 'Stream', {
      streamMode: props.shards === undefined ? StreamMode.ON_DEMAND : StreamMode.PROVISIONED,
      shardCount: props.shards,
      retentionPeriod: props.retention,
      encryption: StreamEncryption.MANAGED,
    })

    this.failureQueue = new Queue(this, 'FailedBatches', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than the longest a batch can wait in the stream, so that no report expires unread.
      retentionPeriod: Duration.days(14),
    })
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the on-failure destination of the event source mapping (a dead-letter queue for failed batches); nothing reads it automatically, so it needs no dead-letter queue of its own.',
    })

    this.consumer = new LoggedFunction(this, 'Consumer', {
      entry: lambdaEntry('consumer/consumer-handler'),
      description: 'pixel: writes batches of the Kinesis stream into the lake, exactly once',
      // Room for a batch of 10,000 records and the union of a re-split batch (a few reads and writes).
      timeout: Duration.minutes(2),
      memorySize: 512,
      environment: {[CONSUMER_ENV.bucket]: props.lakeBucket.bucketName},
    })
    const objects = [`${EVENTS_ROOT}*`, `${ERRORS_ROOT}${PARTITIONING_FAILED}/*`]
    this.consumer.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: objects.map((pattern) => props.lakeBucket.arnForObjects(pattern)),
      }),
    )
    this.consumer.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:ListBucket'],
        resources: [props.lakeBucket.bucketArn],
        conditions: {StringLike: {'s3:prefix': objects}},
      }),
    )
    const bucketId = Stack.of(this).getLogicalId(props.lakeBucket.node.defaultChild as CfnBucket)
    Validations.of(this.consumer.role).acknowledge(
      ...objects.map((pattern) => ({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${pattern}]`,
        reason: 'The consumer writes objects under keys it derives from each record (the event-hour partitions of the lake), and merges and replaces its own objects there, so it needs every key below these two prefixes and no other.',
      })),
    )

    this.eventSource = new KinesisEventSource(this.stream, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize,
      maxBatchingWindow: props.maxBatchingWindow,
      bisectBatchOnError: props.bisectBatchOnError,
      reportBatchItemFailures: props.reportBatchItemFailures,
      maxRecordAge: props.maxRecordAge,
      retryAttempts: props.retryAttempts,
      // One batch of a shard at a time, in order: the exactly-once writer relies on it.
      parallelizationFactor: 1,
      onFailure: new SqsDlq(this.failureQueue),
    })
    this.consumer.function.addEventSource(this.eventSource)
  }
}
