import {CreateBucketCommand, S3Client} from '@aws-sdk/client-s3'
import {inject} from 'vitest'
import {MOTO_CREDENTIALS} from './moto-server.js'

let counter = 0

/** The environment that points the AWS SDK (and the pixel CLI) at the test run's moto server. */
export function motoEnv(): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: inject('s3Endpoint'),
  }
}

/**
 * Creates a bucket of its own on the run's moto server, so test files never see each other's objects.
 *
 * @example const bucket = await freshBucket('check-e2e')
 */
export async function freshBucket(label: string): Promise<string> {
  const name = `${label}-${process.pid}-${++counter}`.toLowerCase()
  const client = new S3Client({
    endpoint: inject('s3Endpoint'),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: MOTO_CREDENTIALS,
  })
  await client.send(new CreateBucketCommand({Bucket: name}))
  client.destroy()
  return name
}
