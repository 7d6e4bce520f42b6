import {PutRecordCommand} from '@aws-sdk/client-firehose'
import {expect, inject, it} from 'vitest'

import {openLake} from '../../lake/store/open-lake.js'
import {parseObjectKey} from '../../lake/layout/object-key.js'
import {MOTO_CREDENTIALS} from '../../fixtures/test-support/moto-server.js'
import {freshBucket} from '../../fixtures/test-support/s3-bucket.js'
import {devServer, firehoseClient, lakeRecords} from './test-support/dev-server-fixture.js'

process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId
process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey

it('delivers into an S3 prefix through the same Lake interface, with the same keys', async () => {
  const bucket = await freshBucket('pixel-dev')
  const lake = await openLake(`s3://${bucket}/events/`, {endpointUrl: inject('s3Endpoint')})
  try {
    const {server} = await devServer({lake})
    const record = {event_id: '7b0c2f4e-8a51-4d3e-9c4a-2f1e6d5b3a90', ts: '2026-11-28T09:41:07.123Z', badge: 'docs'}
    await firehoseClient(server.url).send(new PutRecordCommand({DeliveryStreamName: 'pixel-events', Record: {Data: Buffer.from(`${JSON.stringify(record)}\n`)}}))
    await server.flush()
    const keys: string[] = []
    for await (const object of lake.listObjects('')) keys.push(object.key)
    expect(keys.map((key) => parseObjectKey(key)?.hour)).toEqual(['2026-11-28T09'])
    expect(await lakeRecords(lake)).toEqual([record])
  } finally {
    lake.close()
  }
})
