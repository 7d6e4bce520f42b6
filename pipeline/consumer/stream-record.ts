import type {KinesisStreamEvent, KinesisStreamRecord} from 'aws-lambda'

import {MalformedKinesisEventError} from './errors.js'

/** One Kinesis record, as the consumer needs it. */
export interface StreamRecord {
  /** The stream it was read from; the first part of the object names. */
  readonly stream: string
  /** `shardId-000000000000`. */
  readonly shard: string
  /** A decimal string of up to 129 digits. */
  readonly sequenceNumber: string
  readonly data: Buffer
  /** When Kinesis took the record: the same on every delivery of it. */
  readonly approximateArrival: Date
}

const SEQUENCE = /^\d{1,129}$/
const SHARD = /^shardId-\d{1,64}$/

/**
 * The stream name in a Kinesis stream ARN, `arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`.
 *
 * @example streamNameOfArn('arn:aws:kinesis:eu-west-1:123456789012:stream/pixel-events') // 'pixel-events'
 */
export function streamNameOfArn(arn: string): string | undefined {
  const match = /^arn:aws[a-z-]*:kinesis:[^:]*:[^:]*:stream\/([A-Za-z0-9_.-]{1,128})$/.exec(arn)
  return match?.[1]
}

/**
 * The records of a Lambda Kinesis event (`eventID` is `<shardId>:<sequenceNumber>`). Throws a
 * `MalformedKinesisEventError` naming the first record that is not shaped as Lambda sends one.
 *
 * @example const records = streamRecords(event)
 */
export function streamRecords(event: KinesisStreamEvent, fallbackStream?: string): StreamRecord[] {
  if (!Array.isArray(event?.Records)) throw new MalformedKinesisEventError('the event has no Records array: is this function fed by a Kinesis event source mapping?')
  return event.Records.map((record: KinesisStreamRecord, index) => {
    const payload = record?.kinesis
    const sequenceNumber = payload?.sequenceNumber
    const shard = typeof record?.eventID === 'string' ? record.eventID.split(':')[0] : undefined
    const stream = (typeof record?.eventSourceARN === 'string' ? streamNameOfArn(record.eventSourceARN) : undefined) ?? fallbackStream
    const where = `record ${index} of the event`
    if (typeof sequenceNumber !== 'string' || !SEQUENCE.test(sequenceNumber)) throw new MalformedKinesisEventError(`${where} has no decimal kinesis.sequenceNumber`)
    if (shard === undefined || !SHARD.test(shard)) throw new MalformedKinesisEventError(`${where} has no eventID of the form shardId-N:SEQUENCE`)
    if (stream === undefined) throw new MalformedKinesisEventError(`${where} has no eventSourceARN naming a Kinesis stream`)
    if (typeof payload.data !== 'string') throw new MalformedKinesisEventError(`${where} has no base64 kinesis.data`)
    const seconds = Number(payload.approximateArrivalTimestamp)
    if (!Number.isFinite(seconds)) throw new MalformedKinesisEventError(`${where} has no kinesis.approximateArrivalTimestamp`)
    return {stream, shard, sequenceNumber, data: Buffer.from(payload.data, 'base64'), approximateArrival: new Date(Math.round(seconds * 1000))}
  })
}
