import {Duration, type RemovalPolicy} from 'aws-cdk-lib'
import {BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership} from 'aws-cdk-lib/aws-s3'
import {Construct} from 'constructs'

import {ERRORS_ROOT} from '../../lake/layout/bucket-layout.js'

export interface LakeBucketProps {
  /** How long Firehose's error output is kept. */
  readonly errorRetention: Duration
  readonly removalPolicy: RemovalPolicy
}

/**
 * The private lake bucket (all public access blocked, encrypted, TLS only) and the bucket that
 * receives its server access logs.
 */
export class LakeBucket extends Construct {
  public readonly bucket: Bucket
  public readonly accessLogsBucket: Bucket

  constructor(scope: Construct, id: string, props: LakeBucketProps) {
    super(scope, id)
    const protections = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy,
    }
    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      ...protections,
      lifecycleRules: [{id: 'expire-access-logs', expiration: Duration.days(90)}],
    })
    this.bucket = new Bucket(this, 'Lake', {
      ...protections,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        {id: 'expire-delivery-errors', prefix: ERRORS_ROOT, expiration: props.errorRetention},
        {id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1)},
      ],
    })
  }
}
