import {Match, type Template} from 'aws-cdk-lib/assertions'
import {beforeAll, describe, expect, it} from 'vitest'

import {synthPixelStack} from '../test-support/synth-pixel-stack.js'

let template: Template

beforeAll(() => {
  ({template} = synthPixelStack())
})

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
function logicalId(type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix))
  expect(ids).toHaveLength(1)
  return ids[0]
}

function policyStatementsOfRole(rolePrefix: string): unknown[] {
  const role = logicalId('AWS::IAM::Role', rolePrefix)
  const policies = Object.values(template.findResources('AWS::IAM::Policy', {Properties: {Roles: [{Ref: role}]}}))
  return policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement as unknown[])
}

describe('the Firehose stream', () => {
  it('partitions events by the hour of their ts, with jq keys sliced from the ISO string', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'events/year=!{partitionKeyFromQuery:year}/month=!{partitionKeyFromQuery:month}/day=!{partitionKeyFromQuery:day}/hour=!{partitionKeyFromQuery:hour}/',
        DynamicPartitioningConfiguration: {Enabled: true},
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            {
              Type: 'MetadataExtraction',
              Parameters: Match.arrayWith([
                {ParameterName: 'MetadataExtractionQuery', ParameterValue: '{"year":.ts[0:4],"month":.ts[5:7],"day":.ts[8:10],"hour":.ts[11:13]}'},
                {ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6'},
              ]),
            },
          ],
        },
      }),
    })
  })

  it('adds no delimiter of its own, because each record already ends with a newline', () => {
    const streams = Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream'))
    const processors = streams[0].Properties.ExtendedS3DestinationConfiguration.ProcessingConfiguration.Processors as {Type: string}[]
    expect(processors.map((processor) => processor.Type)).not.toContain('AppendDelimiterToRecord')
  })

  it('compresses objects with GZIP', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({CompressionFormat: 'GZIP'}),
    })
  })

  it('writes failed records under the error prefix, by error type and hour', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
      }),
    })
  })

  it('buffers 60 seconds or 64 MiB by default', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({BufferingHints: {IntervalInSeconds: 60, SizeInMBs: 64}}),
    })
  })

  it('encrypts records at rest', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamEncryptionConfigurationInput: {KeyType: 'AWS_OWNED_CMK'},
    })
  })
})

describe('the lake bucket', () => {
  const lakeBucket = () => template.findResources('AWS::S3::Bucket', {Properties: {LoggingConfiguration: Match.anyValue()}})

  it('blocks all public access', () => {
    expect(Object.values(lakeBucket())[0].Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    })
  })

  it('encrypts objects at rest', () => {
    expect(Object.values(lakeBucket())[0].Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: 'AES256'}}],
    })
  })

  it('denies any request without TLS', () => {
    const bucket = Object.keys(lakeBucket())[0]
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: {Ref: bucket},
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({Effect: 'Deny', Action: 's3:*', Condition: {Bool: {'aws:SecureTransport': 'false'}}}),
        ]),
      },
    })
  })

  it('expires the error prefix after 30 days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({Prefix: 'errors/', ExpirationInDays: 30, Status: 'Enabled'})]),
      },
    })
  })

  it('keeps the lake when the stack is deleted', () => {
    expect(Object.values(lakeBucket())[0].DeletionPolicy).toBe('Retain')
  })
})

describe('the pixel function', () => {
  it('may put records into this stream only, and write its own logs', () => {
    const stream = logicalId('AWS::KinesisFirehose::DeliveryStream', 'Events')
    const logs = logicalId('AWS::Logs::LogGroup', 'EndpointPixelLogs')
    expect(policyStatementsOfRole('EndpointPixelRole')).toEqual(
      expect.arrayContaining([
        {Effect: 'Allow', Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'], Resource: {'Fn::GetAtt': [stream, 'Arn']}},
        {Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: {'Fn::GetAtt': [logs, 'Arn']}},
      ]),
    )
    expect(policyStatementsOfRole('EndpointPixelRole')).toHaveLength(2)
  })

  it('has no managed policy', () => {
    const role = template.findResources('AWS::IAM::Role')[logicalId('AWS::IAM::Role', 'EndpointPixelRole')]
    expect(role.Properties.ManagedPolicyArns).toBeUndefined()
  })

  it('runs on the current Node runtime on arm64, told its stream, bound and IP mode', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          PIXEL_STREAM_NAME: {Ref: logicalId('AWS::KinesisFirehose::DeliveryStream', 'Events')},
          PIXEL_FIREHOSE_TIMEOUT_MS: '300',
          PIXEL_CLIENT_IP: 'anonymise',
        }),
      },
    })
  })
})

describe('the HTTP API', () => {
  it.each([['GET /p.gif'], ['HEAD /p.gif'], ['GET /health']])('routes %s to the pixel function', (routeKey) => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {RouteKey: routeKey, AuthorizationType: 'NONE'})
  })

  it('uses payload format 2.0', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0'})
  })

  it('throttles the stage and keeps client addresses out of its access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: Match.objectLike({ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000}),
      AccessLogSettings: Match.objectLike({Format: Match.stringLikeRegexp('requestId')}),
    })
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]
    expect(stage.Properties.AccessLogSettings.Format).not.toMatch(/sourceIp|userAgent/)
  })
})

/** The Glue table of this name. */
function tableNamed(name: string) {
  const tables = Object.values(template.findResources('AWS::Glue::Table')).filter((table) => table.Properties.TableInput.Name === name)
  expect(tables).toHaveLength(1)
  return tables[0]
}

describe('the Glue table', () => {
  it('projects year, month, day and hour partitions onto the events prefix', () => {
    const bucket = {Ref: logicalId('AWS::S3::Bucket', 'Lake4')}
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'events',
        PartitionKeys: [
          {Name: 'year', Type: 'string'},
          {Name: 'month', Type: 'string'},
          {Name: 'day', Type: 'string'},
          {Name: 'hour', Type: 'string'},
        ],
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.year.type': 'integer',
          'projection.year.range': '2026,2099',
          'projection.month.type': 'integer',
          'projection.month.range': '1,12',
          'projection.month.digits': '2',
          'projection.day.type': 'integer',
          'projection.day.range': '1,31',
          'projection.day.digits': '2',
          'projection.hour.type': 'integer',
          'projection.hour.range': '0,23',
          'projection.hour.digits': '2',
          'storage.location.template': {'Fn::Join': ['', ['s3://', bucket, '/events/year=${year}/month=${month}/day=${day}/hour=${hour}/']]},
        }),
      }),
    })
  })

  it('reads the lines with the OpenX JSON SerDe', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        StorageDescriptor: Match.objectLike({SerdeInfo: Match.objectLike({SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe'})}),
      }),
    })
  })

  it('has a column for every property of the pixel event schema', async () => {
    const {readFile} = await import('node:fs/promises')
    const schema = JSON.parse(await readFile(new URL('../../lake/schema/pixel-event.schema.json', import.meta.url), 'utf8')) as {properties: object}
    const table = tableNamed('events')
    const columns = (table.Properties.TableInput.StorageDescriptor.Columns as {Name: string}[]).map((column) => column.Name)
    expect(columns.sort()).toEqual(Object.keys(schema.properties).sort())
  })
})

describe('the raw-lines table', () => {
  it('holds one string column, line', () => {
    expect(tableNamed('events_lines').Properties.TableInput.StorageDescriptor.Columns).toEqual([expect.objectContaining({Name: 'line', Type: 'string'})])
  })

  it('reads text objects, gzip by their suffix, through TextInputFormat', () => {
    expect(tableNamed('events_lines').Properties.TableInput.StorageDescriptor).toMatchObject({
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    })
  })

  it('keeps each line whole: the one column takes the rest of the line, whatever bytes it holds', () => {
    expect(tableNamed('events_lines').Properties.TableInput.StorageDescriptor.SerdeInfo).toEqual({
      SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
      Parameters: expect.objectContaining({'serialization.last.column.takes.rest': 'true'}),
    })
  })

  it('reads no line as NULL: its null format is a newline, which no line holds', () => {
    expect(tableNamed('events_lines').Properties.TableInput.StorageDescriptor.SerdeInfo.Parameters['serialization.null.format']).toBe('\n')
  })

  it('lies over the same prefix, with the same partition keys and projection, as the events table', () => {
    const raw = tableNamed('events_lines').Properties.TableInput
    const events = tableNamed('events').Properties.TableInput
    const projection = (parameters: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(parameters).filter(([key]) => key.startsWith('projection.') || key === 'storage.location.template'))
    expect(raw.StorageDescriptor.Location).toEqual(events.StorageDescriptor.Location)
    expect(raw.PartitionKeys).toEqual(events.PartitionKeys)
    expect(projection(raw.Parameters)).toEqual(projection(events.Parameters))
    expect(Object.keys(projection(raw.Parameters))).toContain('projection.hour.digits')
  })

  it('sits in the events table\'s database', () => {
    expect(tableNamed('events_lines').Properties.DatabaseName).toEqual(tableNamed('events').Properties.DatabaseName)
  })
})

describe('the canary', () => {
  it('runs every 5 minutes', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({Arn: {'Fn::GetAtt': [logicalId('AWS::Lambda::Function', 'CanaryFunction'), 'Arn']}})],
    })
  })

  it('requests the public pixel URL', () => {
    const canary = template.findResources('AWS::Lambda::Function')[logicalId('AWS::Lambda::Function', 'CanaryFunction')]
    expect(JSON.stringify(canary.Properties.Environment.Variables.PIXEL_URL)).toContain('/p.gif')
  })

  it('may write its own logs and nothing else', () => {
    expect(policyStatementsOfRole('CanaryRole')).toEqual([
      {Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: {'Fn::GetAtt': [logicalId('AWS::Logs::LogGroup', 'CanaryLogs'), 'Arn']}},
    ])
  })
})

describe('the alarms', () => {
  it('fire on any pixel function error', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{Name: 'FunctionName', Value: {Ref: logicalId('AWS::Lambda::Function', 'EndpointPixelFunction')}}],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    })
  })

  it('fire on any record the pixel could not put, counted from its logs', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.event = "firehose_put_failed" }',
      MetricTransformations: [Match.objectLike({MetricNamespace: 'Pixel', MetricName: 'LostRecords'})],
    })
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {Namespace: 'Pixel', MetricName: 'LostRecords', Threshold: 1})
  })

  it('fire when Firehose delivery is later than 15 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose',
      MetricName: 'DeliveryToS3.DataFreshness',
      Statistic: 'Maximum',
      Threshold: 900,
      ComparisonOperator: 'GreaterThanThreshold',
    })
  })

  it('fire when a Firehose delivery to S3 fails', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose',
      MetricName: 'DeliveryToS3.Success',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
    })
  })

  it('fire when no record arrives, treating silence as an outage', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose',
      MetricName: 'IncomingRecords',
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    })
  })

  it('fire when the canary fails twice in a row', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{Name: 'FunctionName', Value: {Ref: logicalId('AWS::Lambda::Function', 'CanaryFunction')}}],
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
    })
  })
})

describe('the outputs', () => {
  it.each([['PixelUrl'], ['HealthUrl'], ['LakeBucketName'], ['DeliveryStreamName'], ['AthenaTable'], ['AthenaResultsBucket'], ['AuditRoleArn']])('include %s', (name) => {
    template.hasOutput(name, {Value: Match.anyValue()})
  })

  it('name the Athena table as database.table', () => {
    template.hasOutput('AthenaTable', {Value: 'pixel.events'})
  })

  it.each([
    ['AthenaWorkGroup', 'Pixel', '--workgroup'],
    ['AthenaDatabase', 'pixel', '--database'],
    ['AthenaRawTable', 'events_lines', '--table'],
  ])('name %s (%s), the value of pixel check\'s %s', (name, value, flag) => {
    template.hasOutput(name, {Value: value, Description: Match.stringLikeRegexp(`--engine athena ${flag} <${name}>`)})
  })

  it('name the results bucket the workgroup writes to', () => {
    template.hasOutput('AthenaResultsBucket', {Value: {Ref: logicalId('AWS::S3::Bucket', 'AthenaResults')}})
  })

  it('tell how pixel check reads the lake bucket, with flags it has', () => {
    template.hasOutput('LakeBucketName', {Description: Match.stringLikeRegexp('--lake s3://<LakeBucketName>/events/')})
    expect(JSON.stringify(template.findOutputs('*'))).not.toContain('--bucket')
  })
})

describe('the log groups', () => {
  it('keep Firehose\'s delivery errors 30 days', () => {
    const logs = logicalId('AWS::Logs::LogGroup', 'DeliveryLogs')
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({CloudWatchLoggingOptions: Match.objectLike({Enabled: true, LogGroupName: {Ref: logs}})}),
    })
    expect(template.findResources('AWS::Logs::LogGroup')[logs].Properties).toEqual({RetentionInDays: 30})
  })

  it('all keep their logs 30 days', () => {
    template.allResourcesProperties('AWS::Logs::LogGroup', {RetentionInDays: 30})
  })
})
