import {Duration} from 'aws-cdk-lib'
import {Match, type Template} from 'aws-cdk-lib/assertions'
import {beforeAll, describe, expect, it} from 'vitest'

import {InvalidStackPropsError} from '../errors.js'
import {synthPixelStack} from '../test-support/synth-pixel-stack.js'

const KINESIS = {'pixel:ingest': 'kinesis'}
let template: Template

beforeAll(() => {
  ;({template} = synthPixelStack({context: KINESIS}))
})

function logicalId(type: string, prefix: string, from: Template = template): string {
  const ids = Object.keys(from.findResources(type)).filter((id) => id.startsWith(prefix))
  expect(ids).toHaveLength(1)
  return ids[0]
}

/** The lake bucket's logical id (not its access-log bucket's). */
function lakeBucketId(): string {
  const ids = Object.keys(template.findResources('AWS::S3::Bucket')).filter((id) => id.startsWith('Lake') && !id.startsWith('LakeAccessLogs'))
  expect(ids).toHaveLength(1)
  return ids[0]
}

function statementsOfRole(rolePrefix: string): {Action: string | string[]; Resource: unknown; Condition?: unknown}[] {
  const role = logicalId('AWS::IAM::Role', rolePrefix)
  const policies = Object.values(template.findResources('AWS::IAM::Policy', {Properties: {Roles: [{Ref: role}]}}))
  return policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement)
}

describe('the Kinesis ingest (context pixel:ingest=kinesis)', () => {
  it('creates an on-demand data stream keeping 24 hours, encrypted, and no Firehose stream', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: {StreamMode: 'ON_DEMAND'},
      RetentionPeriodHours: 24,
      StreamEncryption: {EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis'},
    })
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0)
  })

  it('creates provisioned shards and a longer retention when the props say so', () => {
    const {template: provisioned} = synthPixelStack({stackProps: {ingest: 'kinesis', kinesisShards: 4, kinesisRetention: Duration.days(7)}})
    provisioned.hasResourceProperties('AWS::Kinesis::Stream', {ShardCount: 4, StreamModeDetails: {StreamMode: 'PROVISIONED'}, RetentionPeriodHours: 168})
  })

  it('feeds the consumer through an event source mapping with every setting, in order per shard', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: {'Fn::GetAtt': [logicalId('AWS::Kinesis::Stream', 'KinesisStream'), 'Arn']},
      FunctionName: {Ref: logicalId('AWS::Lambda::Function', 'KinesisConsumerFunction')},
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 60,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 86_400,
      MaximumRetryAttempts: 10,
      ParallelizationFactor: 1,
      DestinationConfig: {OnFailure: {Destination: {'Fn::GetAtt': [logicalId('AWS::SQS::Queue', 'KinesisFailedBatches'), 'Arn']}}},
    })
  })

  it('passes the consumer props through to the event source mapping', () => {
    const {template: tuned} = synthPixelStack({
      stackProps: {
        ingest: 'kinesis',
        consumerBatchSize: 250,
        consumerMaxBatchingWindow: Duration.seconds(5),
        consumerBisectBatchOnError: false,
        consumerReportBatchItemFailures: false,
        consumerMaxRecordAge: Duration.hours(6),
        consumerRetryAttempts: 3,
      },
    })
    const [mapping] = Object.values(tuned.findResources('AWS::Lambda::EventSourceMapping'))
    expect(mapping.Properties).toMatchObject({BatchSize: 250, MaximumBatchingWindowInSeconds: 5, BisectBatchOnFunctionError: false, MaximumRecordAgeInSeconds: 21_600, MaximumRetryAttempts: 3})
    expect(mapping.Properties.FunctionResponseTypes).toBeUndefined()
  })

  it('keeps failure reports in an encrypted queue that takes TLS only', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400})
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {Statement: Match.arrayWith([Match.objectLike({Effect: 'Deny', Condition: {Bool: {'aws:SecureTransport': 'false'}}})])},
    })
  })

  it('tells the pixel function to put hits into the stream, and lets it put into that stream only', () => {
    const stream = logicalId('AWS::Kinesis::Stream', 'KinesisStream')
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {Variables: Match.objectLike({PIXEL_INGEST: 'kinesis', PIXEL_STREAM_NAME: {Ref: stream}})},
    })
    const statements = statementsOfRole('EndpointPixelRole')
    expect(statements).toEqual(
      expect.arrayContaining([expect.objectContaining({Effect: 'Allow', Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Resource: {'Fn::GetAtt': [stream, 'Arn']}})]),
    )
    expect(statements).toHaveLength(2)
  })

  it('lets the consumer read that stream, report to that queue, and touch only the lake\'s events and partitioning errors', () => {
    const stream = logicalId('AWS::Kinesis::Stream', 'KinesisStream')
    const queue = logicalId('AWS::SQS::Queue', 'KinesisFailedBatches')
    const bucket = lakeBucketId()
    const statements = statementsOfRole('KinesisConsumerRole')
    const resources = JSON.stringify(statements.map((s) => s.Resource))
    expect(resources).not.toMatch(/"\*"/)
    for (const statement of statements.filter((s) => JSON.stringify(s.Action).includes('kinesis:'))) expect(statement.Resource).toEqual({'Fn::GetAtt': [stream, 'Arn']})
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: [
          {'Fn::Join': ['', [{'Fn::GetAtt': [bucket, 'Arn']}, '/events/*']]},
          {'Fn::Join': ['', [{'Fn::GetAtt': [bucket, 'Arn']}, '/errors/partitioning-failed/*']]},
        ]}),
        expect.objectContaining({Action: 's3:ListBucket', Resource: {'Fn::GetAtt': [bucket, 'Arn']}, Condition: {StringLike: {'s3:prefix': ['events/*', 'errors/partitioning-failed/*']}}}),
        expect.objectContaining({Action: expect.arrayContaining(['sqs:SendMessage']), Resource: {'Fn::GetAtt': [queue, 'Arn']}}),
      ]),
    )
    const services = new Set(statements.flatMap((s) => [s.Action].flat()).map((a) => String(a).split(':')[0]))
    expect([...services].sort()).toEqual(['kinesis', 'logs', 's3', 'sqs'])
  })

  it('tells the consumer its lake bucket', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {Variables: Match.objectLike({PIXEL_LAKE_BUCKET: {Ref: lakeBucketId()}})},
    })
  })

  it('keeps the Glue tables exactly as the Firehose ingest has them: the same layout', () => {
    const {template: firehose} = synthPixelStack()
    expect(template.findResources('AWS::Glue::Table')).toEqual(firehose.findResources('AWS::Glue::Table'))
  })

  describe('the alarms', () => {
    it.each([
      ['the consumer\'s iterator age past 10 minutes', {Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Statistic: 'Maximum', Threshold: 600_000, ComparisonOperator: 'GreaterThanThreshold'}],
      ['any batch reported to the failure queue', {Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold'}],
      ['any put throttled by the stream', {Namespace: 'AWS/Kinesis', MetricName: 'WriteProvisionedThroughputExceeded', Threshold: 1}],
      ['a stream that hears nothing, silence counting as an outage', {Namespace: 'AWS/Kinesis', MetricName: 'IncomingRecords', ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching'}],
    ])('fire on %s', (_what, alarm) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', alarm)
    })

    it('fire on any hit the pixel could not put into Kinesis, counted from its logs', () => {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {FilterPattern: '{ $.event = "kinesis_put_failed" }'})
    })

    it('fire on a consumer that fails whole batches', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{Name: 'FunctionName', Value: {Ref: logicalId('AWS::Lambda::Function', 'KinesisConsumerFunction')}}],
      })
    })

    it('leave out the Firehose delivery alarms', () => {
      expect(JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'))).not.toContain('AWS/Firehose')
    })
  })

  it('outputs the stream and the failure queue instead of the delivery stream', () => {
    template.hasOutput('KinesisStreamName', {Value: {Ref: logicalId('AWS::Kinesis::Stream', 'KinesisStream')}, Description: Match.stringLikeRegexp('pixel replay --from kinesis://')})
    template.hasOutput('FailedBatchesQueueUrl', {Value: {Ref: logicalId('AWS::SQS::Queue', 'KinesisFailedBatches')}})
    expect(Object.keys(template.findOutputs('*'))).not.toContain('DeliveryStreamName')
  })

  it('refuses an unknown ingest from context, naming it', () => {
    expect(() => synthPixelStack({context: {'pixel:ingest': 'sqs'}})).toThrow(InvalidStackPropsError)
    expect(() => synthPixelStack({context: {'pixel:ingest': 'sqs'}})).toThrow(/ingest \(context pixel:ingest\) must be one of firehose, kinesis, not "sqs"/)
  })
})
