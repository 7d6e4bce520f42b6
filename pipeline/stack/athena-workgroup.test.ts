import {Duration, Size} from 'aws-cdk-lib'
import {Match, type Template} from 'aws-cdk-lib/assertions'
import {beforeAll, describe, expect, it} from 'vitest'

import {synthPixelStack} from '../test-support/synth-pixel-stack.js'

let template: Template

beforeAll(() => {
  ;({template} = synthPixelStack())
})

function resultsBucketId(of: Template = template): string {
  const ids = Object.keys(of.findResources('AWS::S3::Bucket')).filter((id) => id.startsWith('AthenaResults'))
  expect(ids).toHaveLength(1)
  return ids[0]
}

describe('the Athena workgroup', () => {
  it('is named after the stack', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {Name: 'Pixel', State: 'ENABLED'})
  })

  it('runs on Athena engine version 3', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({EngineVersion: {SelectedEngineVersion: 'Athena engine version 3'}}),
    })
  })

  it('enforces its configuration, so no client lifts its limit or sends results elsewhere', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {WorkGroupConfiguration: Match.objectLike({EnforceWorkGroupConfiguration: true})})
  })

  it('cancels a query that scans more than a tebibyte by default', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {WorkGroupConfiguration: Match.objectLike({BytesScannedCutoffPerQuery: 2 ** 40})})
  })

  it('takes the limit per query from the athenaBytesScannedCutoff prop', () => {
    const {template: small} = synthPixelStack({stackProps: {athenaBytesScannedCutoff: Size.gibibytes(100)}})
    small.hasResourceProperties('AWS::Athena::WorkGroup', {WorkGroupConfiguration: Match.objectLike({BytesScannedCutoffPerQuery: 100 * 2 ** 30})})
  })

  it('writes query results under results/ in the results bucket, encrypted', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        ResultConfiguration: {
          OutputLocation: {'Fn::Join': ['', ['s3://', {Ref: resultsBucketId()}, '/results/']]},
          EncryptionConfiguration: {EncryptionOption: 'SSE_S3'},
        },
      }),
    })
  })

  it('publishes its query metrics to CloudWatch', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {WorkGroupConfiguration: Match.objectLike({PublishCloudWatchMetricsEnabled: true})})
  })
})

describe('the results bucket', () => {
  const bucket = () => template.findResources('AWS::S3::Bucket')[resultsBucketId()]

  it('blocks all public access', () => {
    expect(bucket().Properties.PublicAccessBlockConfiguration).toEqual({BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true})
  })

  it('encrypts objects at rest', () => {
    expect(bucket().Properties.BucketEncryption).toEqual({ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: 'AES256'}}]})
  })

  it('denies any request without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: {Ref: resultsBucketId()},
      PolicyDocument: {Statement: Match.arrayWith([Match.objectLike({Effect: 'Deny', Action: 's3:*', Condition: {Bool: {'aws:SecureTransport': 'false'}}})])},
    })
  })

  it('expires query results after 7 days by default', () => {
    expect(bucket().Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({Id: 'expire-query-results', ExpirationInDays: 7, Status: 'Enabled'})]),
    )
  })

  it('keeps results as many days as the athenaResultRetention prop says', () => {
    const {template: longer} = synthPixelStack({stackProps: {athenaResultRetention: Duration.days(30)}})
    expect(longer.findResources('AWS::S3::Bucket')[resultsBucketId(longer)].Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({Id: 'expire-query-results', ExpirationInDays: 30})]),
    )
  })

  it('logs its server access to the access-logs bucket', () => {
    expect(bucket().Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: {Ref: Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('LakeAccessLogs'))},
      LogFilePrefix: 'athena-results/',
    })
  })
})
