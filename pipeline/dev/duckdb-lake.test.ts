import {PutRecordBatchCommand} from '@aws-sdk/client-firehose'
import {DuckDBInstance} from '@duckdb/node-api'
import {expect, it} from 'vitest'

import {pixelEvent} from '../../fixtures/pixel-event-factory.js'
import {seededRandom} from '../../fixtures/random.js'
import {devServer, firehoseClient} from './test-support/dev-server-fixture.js'

/** `n` events spread over three hours, so the lake has several partitions. */
function events(n: number) {
  const rand = seededRandom(11)
  return Array.from({length: n}, (_, i) => pixelEvent(rand, new Date(Date.UTC(2026, 10, 28, 8 + (i % 3), i % 60, 7))))
}

it('writes a lake that DuckDB reads with hive partitioning, every record in the partition of its ts', async () => {
  const {server, lake} = await devServer()
  const sent = events(120)
  await firehoseClient(server.url).send(new PutRecordBatchCommand({DeliveryStreamName: 'pixel-events', Records: sent.map((e) => ({Data: Buffer.from(`${JSON.stringify(e)}\n`)}))}))
  const hit = await fetch(`${server.pixelUrl}?b=duckdb`)
  expect(hit.status).toBe(200)
  await server.flush()

  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    const glob = `${lake.url.replace(/'/g, "''")}/year=*/**/*.gz`
    const reader = await connection.runAndReadAll(
      `SELECT event_id, ts::VARCHAR AS ts, badge, year::VARCHAR AS year, month::VARCHAR AS month, day::VARCHAR AS day, hour::VARCHAR AS hour
       FROM read_json('${glob}', format = 'newline_delimited', hive_partitioning = true)`,
    )
    const rows = reader.getRowObjectsJson() as Record<string, string>[]
    expect(rows).toHaveLength(sent.length + 1)
    expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set([...sent.map((e) => e.event_id), hit.headers.get('x-pixel-dev-event-id')]))
    const hours = new Set<string>()
    for (const row of rows) {
      const at = new Date(row.ts)
      expect([row.year, row.month, row.day, row.hour].map(Number)).toEqual([at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate(), at.getUTCHours()])
      hours.add(row.hour)
    }
    expect(hours.size).toBeGreaterThanOrEqual(3)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
})
