import {Duration, Size} from 'aws-cdk-lib'
import {Match} from 'aws-cdk-lib/assertions'
import {Topic} from 'aws-cdk-lib/aws-sns'
import {describe, expect, it} from 'vitest'

import {InvalidStackPropsError} from '../errors.js'
import type {ClientIpMode} from '../handler/anonymise-ip.js'
import {synthPixelStack} from '../test-support/synth-pixel-stack.js'
import {type PixelStackProps, resolvePixelStackProps} from './pixel-stack-props.js'

const ARN = 'arn:aws:sns:eu-west-1:123456789012:pixel-alarms'

function problemsOf(props: PixelStackProps): readonly string[] {
  try {
    resolvePixelStackProps(props)
  } catch (error) {
    if (error instanceof InvalidStackPropsError) return error.problems
    throw error
  }
  return []
}

describe('the stack props', () => {
  describe.each<[string, PixelStackProps, RegExp]>([
    ['a buffer below the dynamic partitioning minimum', {bufferingSize: Size.mebibytes(5)}, /bufferingSize/],
    ['a buffering interval below a minute', {bufferingInterval: Duration.seconds(30)}, /bufferingInterval/],
    ['a canary slower than every 5 minutes', {canaryInterval: Duration.minutes(10)}, /canaryInterval/],
    ['a Firehose wait that would stall pages', {firehoseTimeout: Duration.seconds(10)}, /firehoseTimeout/],
    ['an unknown IP mode', {clientIp: 'hash' as ClientIpMode}, /clientIp/],
    ['a Glue name with capitals', {tableName: 'Events'}, /tableName/],
    ['error retention in hours', {errorRetention: Duration.hours(36)}, /errorRetention/],
    ['a freshness alarm tighter than the buffer', {freshnessThreshold: Duration.seconds(90)}, /freshnessThreshold/],
    ['a Glue database with a hyphen', {databaseName: 'my-db'}, /databaseName \(context pixel:databaseName\) .* not "my-db"/],
    ['a database name that is not a string', {databaseName: 42 as never}, /databaseName .* not 42/],
    ['a raw-lines table named like the events table', {rawTableName: 'events'}, /rawTableName .* not the tableName/],
    ['a workgroup name with a space', {athenaWorkGroupName: 'pixel checks'}, /athenaWorkGroupName .* not "pixel checks"/],
    ['a scan limit below Athena\'s 10 MB', {athenaBytesScannedCutoff: Size.mebibytes(1)}, /athenaBytesScannedCutoff must be at least 10 MB/],
    ['query results kept for hours', {athenaResultRetention: Duration.hours(12)}, /athenaResultRetention/],
    ['an unknown ingest', {ingest: 'sqs' as never}, /ingest \(context pixel:ingest\) must be one of firehose, kinesis, not "sqs"/],
    ['a fractional shard count', {ingest: 'kinesis', kinesisShards: 1.5}, /kinesisShards/],
    ['a stream kept less than a day', {ingest: 'kinesis', kinesisRetention: Duration.hours(12)}, /kinesisRetention/],
    ['a batch larger than Lambda takes', {ingest: 'kinesis', consumerBatchSize: 20_000}, /consumerBatchSize/],
    ['a batching window past 5 minutes', {ingest: 'kinesis', consumerMaxBatchingWindow: Duration.minutes(6)}, /consumerMaxBatchingWindow/],
    ['a record age beyond the stream\'s retention', {ingest: 'kinesis', consumerMaxRecordAge: Duration.days(2)}, /consumerMaxRecordAge .* at most kinesisRetention/],
    ['a negative retry count', {ingest: 'kinesis', consumerRetryAttempts: -1}, /consumerRetryAttempts/],
    ['a bisect setting that is not a boolean', {ingest: 'kinesis', consumerBisectBatchOnError: 'yes' as never}, /consumerBisectBatchOnError/],
    ['an iterator-age alarm tighter than the batching window', {ingest: 'kinesis', iteratorAgeThreshold: Duration.seconds(90)}, /iteratorAgeThreshold/],
    ['an alarm topic that is not an SNS ARN', {alarmTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:alarms'}, /alarmTopicArn \(context pixel:alarmTopic\) must be an SNS topic ARN/],
  ])('with %s', (_name, props, problem) => {
    it('rejects the props, naming the problem', () => {
      expect(problemsOf(props)).toEqual([expect.stringMatching(problem)])
    })
  })

  it('defaults the record age to the stream\'s retention, at most 7 days', () => {
    expect(resolvePixelStackProps({ingest: 'kinesis'}).consumerMaxRecordAge.toSeconds()).toBe(86_400)
    expect(resolvePixelStackProps({ingest: 'kinesis', kinesisRetention: Duration.days(30)}).consumerMaxRecordAge.toSeconds()).toBe(604_800)
  })

  it('reports every problem at once', () => {
    const problems = problemsOf({bufferingSize: Size.mebibytes(1), canaryInterval: Duration.hours(1), databaseName: 'my-db'})
    expect(problems).toHaveLength(3)
  })

  it('refuses to build a stack from invalid props', () => {
    expect(() => synthPixelStack({stackProps: {bufferingSize: Size.mebibytes(1)}})).toThrow(InvalidStackPropsError)
  })

  it('passes buffering hints, IP mode and canary interval through to the template', () => {
    const {template} = synthPixelStack({
      stackProps: {bufferingInterval: Duration.minutes(5), bufferingSize: Size.mebibytes(128), clientIp: 'omit', canaryInterval: Duration.minutes(1)},
    })
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({BufferingHints: {IntervalInSeconds: 300, SizeInMBs: 128}}),
    })
    template.hasResourceProperties('AWS::Lambda::Function', {Environment: {Variables: Match.objectLike({PIXEL_CLIENT_IP: 'omit'})}})
    template.hasResourceProperties('AWS::Events::Rule', {ScheduleExpression: 'rate(1 minute)'})
  })

  it('refuses an alarm topic given both as a topic and as an ARN', () => {
    const {stack} = synthPixelStack()
    expect(problemsOf({alarmTopic: Topic.fromTopicArn(stack, 'T', ARN), alarmTopicArn: ARN})).toEqual([expect.stringMatching(/not both/)])
  })

  it('names the database after the stack by default, in Glue\'s alphabet', () => {
    expect(resolvePixelStackProps({}, {stackName: 'Pixel-Staging2'}).databaseName).toBe('pixel_staging2')
    expect(resolvePixelStackProps({}, {stackName: 'Pixel'}).databaseName).toBe('pixel')
  })

  it('reports every problem of the context at once, with the props\'', () => {
    const context = {'pixel:clientIp': 'hash', 'pixel:databaseName': 'Web Traffic', 'pixel:alarmTopic': 'alarms'}
    const error = (() => {
      try {
        synthPixelStack({context, stackProps: {bufferingSize: Size.mebibytes(1)}})
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(InvalidStackPropsError)
    expect((error as InvalidStackPropsError).problems).toEqual([
      expect.stringMatching(/^bufferingSize/),
      expect.stringMatching(/^clientIp \(context pixel:clientIp\)/),
      expect.stringMatching(/^databaseName \(context pixel:databaseName\)/),
      expect.stringMatching(/^alarmTopicArn \(context pixel:alarmTopic\)/),
    ])
  })

  it('takes the IP mode from the app context', () => {
    const {template} = synthPixelStack({context: {'pixel:clientIp': 'full'}})
    template.hasResourceProperties('AWS::Lambda::Function', {Environment: {Variables: Match.objectLike({PIXEL_CLIENT_IP: 'full'})}})
  })

  it('names the Glue database after the stack, so two stacks in one account do not collide', () => {
    const {template} = synthPixelStack({context: {'pixel:stackName': 'Pixel-Staging'}})
    template.hasResourceProperties('AWS::Glue::Database', {DatabaseInput: Match.objectLike({Name: 'pixel_staging'})})
  })

  it('names the Athena table output after the database the stack derived', () => {
    const {template} = synthPixelStack({context: {'pixel:stackName': 'Pixel-Staging'}})
    template.hasOutput('AthenaTable', {Value: 'pixel_staging.events'})
  })

  it('names the Athena workgroup after the stack, so two stacks in one account do not collide', () => {
    const {template} = synthPixelStack({context: {'pixel:stackName': 'Pixel-Staging'}})
    template.hasResourceProperties('AWS::Athena::WorkGroup', {Name: 'Pixel-Staging'})
    template.hasOutput('AthenaWorkGroup', {Value: 'Pixel-Staging'})
  })

  it('takes the Glue database from the app context', () => {
    const {template} = synthPixelStack({context: {'pixel:databaseName': 'web_traffic'}})
    template.hasResourceProperties('AWS::Glue::Database', {DatabaseInput: Match.objectLike({Name: 'web_traffic'})})
  })

  it('sends the alarms\' state changes to the topic the app context names', () => {
    const {template} = synthPixelStack({context: {'pixel:alarmTopic': ARN}})
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    expect(alarms.length).toBeGreaterThan(0)
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {AlarmActions: [ARN]})
  })

  it('sends the alarms\' state changes to the topic given as a prop', () => {
    const {template} = synthPixelStack({stackProps: {alarmTopicArn: ARN}})
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {AlarmActions: [ARN]})
  })
})
