import {AccountPrincipal} from 'aws-cdk-lib/aws-iam'
import type {Template} from 'aws-cdk-lib/assertions'
import {beforeAll, describe, expect, it} from 'vitest'

import {synthPixelStack} from '../test-support/synth-pixel-stack.js'

let template: Template

beforeAll(() => {
  ;({template} = synthPixelStack())
})

function logicalId(of: Template, type: string, prefix: string): string {
  const ids = Object.keys(of.findResources(type)).filter((id) => id.startsWith(prefix))
  expect(ids).toHaveLength(1)
  return ids[0]
}

interface Statement {
  Sid?: string
  Effect: string
  Action: string | string[]
  Resource: unknown
  Condition?: unknown
}

function statements(of: Template = template): Statement[] {
  const role = logicalId(of, 'AWS::IAM::Role', 'AuditRole')
  const policies = Object.values(of.findResources('AWS::IAM::Policy', {Properties: {Roles: [{Ref: role}]}}))
  return policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
}

function statement(sid: string): Statement {
  const found = statements().filter((s) => s.Sid === sid)
  expect(found).toHaveLength(1)
  return found[0]
}

const arn = (service: string, resource: string) => ({'Fn::Join': ['', ['arn:', {Ref: 'AWS::Partition'}, `:${service}:`, {Ref: 'AWS::Region'}, ':', {Ref: 'AWS::AccountId'}, `:${resource}`]]})
const bucketArn = (prefix: string) => ({'Fn::GetAtt': [logicalId(template, 'AWS::S3::Bucket', prefix), 'Arn']})
const objectsArn = (prefix: string, under: string) => ({'Fn::Join': ['', [bucketArn(prefix), `/${under}*`]]})

describe('the audit role', () => {
  it('may be assumed by this account\'s principals whose own policies allow it, by default', () => {
    const role = template.findResources('AWS::IAM::Role')[logicalId(template, 'AWS::IAM::Role', 'AuditRole')]
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain(':root')
  })

  it('may be assumed by the principal the auditPrincipal prop names instead', () => {
    const {template: other} = synthPixelStack({stackProps: {auditPrincipal: new AccountPrincipal('210987654321')}})
    const role = other.findResources('AWS::IAM::Role')[logicalId(other, 'AWS::IAM::Role', 'AuditRole')]
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain(':iam::210987654321:root')
  })

  it('may run, follow, read and stop queries, and read the settings, of the pixel workgroup only', () => {
    expect(statement('RunTheChecksInTheWorkgroup')).toEqual({
      Sid: 'RunTheChecksInTheWorkgroup',
      Effect: 'Allow',
      Action: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
      Resource: arn('athena', 'workgroup/Pixel'),
    })
  })

  it('may read the Glue database and its two tables only', () => {
    expect(statement('ReadTheTables')).toEqual({
      Sid: 'ReadTheTables',
      Effect: 'Allow',
      Action: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
      Resource: [arn('glue', 'catalog'), arn('glue', 'database/pixel'), arn('glue', 'table/pixel/events'), arn('glue', 'table/pixel/events_lines')],
    })
  })

  it('may describe tables of the account\'s data catalog, so pixel check can see --table is the raw-lines table over --lake', () => {
    expect(statement('DescribeTheRawTable')).toEqual({
      Sid: 'DescribeTheRawTable',
      Effect: 'Allow',
      Action: 'athena:GetTableMetadata',
      Resource: arn('athena', 'datacatalog/AwsDataCatalog'),
    })
  })

  it('may list the events prefix of the lake only', () => {
    expect(statement('ListTheEvents')).toEqual({
      Sid: 'ListTheEvents',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn('Lake4'),
      Condition: {StringLike: {'s3:prefix': ['events/', 'events/*']}},
    })
  })

  it('may read the objects under events/ only, and write none', () => {
    expect(statement('ReadTheEvents')).toEqual({Sid: 'ReadTheEvents', Effect: 'Allow', Action: 's3:GetObject', Resource: objectsArn('Lake4', 'events/')})
  })

  it('may read and write query results under results/ of the results bucket only', () => {
    expect(statement('ReadAndWriteTheResults')).toEqual({
      Sid: 'ReadAndWriteTheResults',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      Resource: objectsArn('AthenaResults', 'results/'),
    })
    expect(statement('ListTheResults').Resource).toEqual(bucketArn('AthenaResults'))
  })

  it('holds nothing beyond those grants', () => {
    expect(statements().map((s) => s.Sid).sort()).toEqual(
      ['ListTheEvents', 'LocateTheBuckets', 'ReadTheEvents', 'RunTheChecksInTheWorkgroup', 'DescribeTheRawTable', 'ReadTheTables', 'ListTheResults', 'ReadAndWriteTheResults'].sort(),
    )
    expect(statements().every((s) => s.Effect === 'Allow' && !JSON.stringify(s.Action).includes('*'))).toBe(true)
  })

  it('has no managed policy', () => {
    const role = template.findResources('AWS::IAM::Role')[logicalId(template, 'AWS::IAM::Role', 'AuditRole')]
    expect(role.Properties.ManagedPolicyArns).toBeUndefined()
  })
})
