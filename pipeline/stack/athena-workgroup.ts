import type {Duration, RemovalPolicy, Size} from 'aws-cdk-lib'
import {CfnWorkGroup} from 'aws-cdk-lib/aws-athena'
import {BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership} from 'aws-cdk-lib/aws-s3'
import {Construct} from 'constructs'

export interface AthenaWorkgroupProps {
  readonly workGroupName: string
  /** Athena cancels a query that scans more than this. */
  readonly bytesScannedCutoff: Size
  /** How long query results are kept in the results bucket. */
  readonly resultRetention: Duration
  /** The bucket the results bucket's server access logs go to. */
  readonly accessLogsBucket: IBucket
  readonly removalPolicy: RemovalPolicy
}

/** The prefix of the results bucket Athena writes query results under. */
export const RESULTS_PREFIX = 'results/'

/**
 * The Athena workgroup `pixel check --engine athena` runs its queries in, on engine version 3,
 * enforcing its own settings (so no client can lift the scan limit or write results elsewhere),
 * with a limit on the bytes one query may scan, and the private bucket its results go to,
 * expired after a few days: results are a by-product, the report is what is kept.
 */
export class AthenaWorkgroup extends Construct {
  public readonly workGroup: CfnWorkGroup
  public readonly workGroupName: string
  public readonly resultsBucket: Bucket

  constructor(scope: Construct, id: string, props: AthenaWorkgroupProps) {
    super(scope, id)
    this.workGroupName = props.workGroupName
    this.resultsBucket = new Bucket(this, 'Results', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'athena-results/',
      lifecycleRules: [
        {id: 'expire-query-results', expiration: props.resultRetention},
        {id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: props.resultRetention},
      ],
    })
    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: props.workGroupName,
      description: 'pixel check --engine athena: the lake checks as SQL, with a limit on the bytes each query scans',
      state: 'ENABLED',
      // Deleting the stack deletes the workgroup's saved queries and history with it.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        bytesScannedCutoffPerQuery: props.bytesScannedCutoff.toBytes(),
        enforceWorkGroupConfiguration: true,
        engineVersion: {selectedEngineVersion: 'Athena engine version 3'},
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/${RESULTS_PREFIX}`,
          encryptionConfiguration: {encryptionOption: 'SSE_S3'},
        },
      },
    })
  }
}
