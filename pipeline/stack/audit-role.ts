import {Arn, Stack, Validations} from 'aws-cdk-lib'
import {type IPrincipal, PolicyStatement, Role} from 'aws-cdk-lib/aws-iam'
import type {CfnBucket, IBucket} from 'aws-cdk-lib/aws-s3'
import {Construct} from 'constructs'

import {EVENTS_ROOT} from '../../lake/layout/bucket-layout.js'
import {RESULTS_PREFIX} from './athena-workgroup.js'

export interface AuditRoleProps {
  /** Who may assume the role. */
  readonly assumedBy: IPrincipal
  readonly lakeBucket: IBucket
  readonly resultsBucket: IBucket
  readonly workGroupName: string
  readonly databaseName: string
  readonly tableNames: readonly string[]
}

/**
 * The role `pixel check` runs as, with either engine: list and read the events prefix of the
 * lake; with `--engine athena`, run, follow, read and stop queries in the pixel workgroup, read
 * the two Glue tables they name, and read and write the workgroup's results. Nothing else: no
 * other prefix, bucket, workgroup or table, and no write to the lake.
 */
export class AuditRole extends Construct {
  public readonly role: Role

  constructor(scope: Construct, id: string, props: AuditRoleProps) {
    super(scope, id)
    this.role = new Role(this, 'Role', {
      assumedBy: props.assumedBy,
      description: 'pixel check: reads the lake\'s events, and runs its checks as SQL in the pixel Athena workgroup',
    })
    const stack = Stack.of(this)
    const glue = (resource: string) => Arn.format({service: 'glue', resource}, stack)
    const statements = [
      new PolicyStatement({
        sid: 'ListTheEvents',
        actions: ['s3:ListBucket'],
        resources: [props.lakeBucket.bucketArn],
        conditions: {StringLike: {'s3:prefix': [EVENTS_ROOT, `${EVENTS_ROOT}*`]}},
      }),
      new PolicyStatement({sid: 'LocateTheBuckets', actions: ['s3:GetBucketLocation'], resources: [props.lakeBucket.bucketArn, props.resultsBucket.bucketArn]}),
      new PolicyStatement({sid: 'ReadTheEvents', actions: ['s3:GetObject'], resources: [props.lakeBucket.arnForObjects(`${EVENTS_ROOT}*`)]}),
      new PolicyStatement({
        sid: 'RunTheChecksInTheWorkgroup',
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
        resources: [Arn.format({service: 'athena', resource: 'workgroup', resourceName: props.workGroupName}, stack)],
      }),
      new PolicyStatement({
        sid: 'DescribeTheRawTable',
        actions: ['athena:GetTableMetadata'],
        resources: [Arn.format({service: 'athena', resource: 'datacatalog', resourceName: 'AwsDataCatalog'}, stack)],
      }),
      new PolicyStatement({
        sid: 'ReadTheTables',
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
        resources: [glue('catalog'), glue(`database/${props.databaseName}`), ...props.tableNames.map((table) => glue(`table/${props.databaseName}/${table}`))],
      }),
      new PolicyStatement({
        sid: 'ListTheResults',
        actions: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [props.resultsBucket.bucketArn],
      }),
      new PolicyStatement({
        sid: 'ReadAndWriteTheResults',
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [props.resultsBucket.arnForObjects(`${RESULTS_PREFIX}*`)],
      }),
    ]
    for (const statement of statements) this.role.addToPrincipalPolicy(statement)
    const arnOf = (bucket: IBucket) => `<${stack.getLogicalId(bucket.node.defaultChild as CfnBucket)}.Arn>`
    Validations.of(this.role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${arnOf(props.lakeBucket)}/${EVENTS_ROOT}*]`,
        reason: 'pixel check reads every object under the events prefix (one per Firehose delivery, keys unknown in advance); read only, that prefix only.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${arnOf(props.resultsBucket)}/${RESULTS_PREFIX}*]`,
        reason: 'Athena writes each query\'s results under the results prefix with the caller\'s credentials, at keys named by query id; that prefix of the results bucket only.',
      },
    )
  }
}
