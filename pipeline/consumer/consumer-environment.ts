/** The environment variables the stack sets on the consumer function. */
export const CONSUMER_ENV = {
  /** The lake bucket: events under `events/`, records without a usable `ts` under `errors/partitioning-failed/`. */
  bucket: 'PIXEL_LAKE_BUCKET',
} as const
