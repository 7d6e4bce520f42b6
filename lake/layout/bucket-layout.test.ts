import {describe, expect, it} from 'vitest'

import {EVENTS_LOCATION_TEMPLATE, EVENTS_PREFIX, eventsHourPrefix} from './bucket-layout.js'

describe('the lake layout', () => {
  it('partitions events by year, month, day and hour from the jq keys', () => {
    expect(EVENTS_PREFIX).toBe(
      'events/year=!{partitionKeyFromQuery:year}/month=!{partitionKeyFromQuery:month}/day=!{partitionKeyFromQuery:day}/hour=!{partitionKeyFromQuery:hour}/',
    )
  })

  it('gives Athena the same folders as a location template', () => {
    expect(EVENTS_LOCATION_TEMPLATE).toBe('events/year=${year}/month=${month}/day=${day}/hour=${hour}/')
  })

  it('names the hour folder of an event in UTC, zero-padded', () => {
    expect(eventsHourPrefix(new Date('2026-01-02T03:04:05.678Z'))).toBe('events/year=2026/month=01/day=02/hour=03/')
  })
})
