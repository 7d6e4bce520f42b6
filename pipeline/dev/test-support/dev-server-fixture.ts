import {gunzipSync} from 'node:zlib'

import {FirehoseClient} from '@aws-sdk/client-firehose'
import {afterEach} from 'vitest'

import type {Lake} from '../../../lake/store/lake.js'
import {tempLake} from '../../../fixtures/test-support/temp-lake.js'
import {isYearFolder} from '../../../lake/layout/partition-path.js'
import {type DevServer, type DevServerOptions, startDevServer} from '../dev-server.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

const running: DevServer[] = []
const clients: FirehoseClient[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await Promise.all(running.splice(0).map((server) => server.close()))
})

/**
 * A dev server on 127.0.0.1 (a free port) writing to a fresh folder lake, closed after the test.
 * Buffers are long unless a test says otherwise: tests flush explicitly.
 */
export async function devServer(options: Partial<DevServerOptions> = {}): Promise<{server: DevServer; lake: Lake}> {
  const lake = options.lake ?? tempLake()
  const server = await startDevServer({bufferSeconds: 600, bufferBytes: 64 << 20, ...options, lake})
  running.push(server)
  return {server, lake}
}

/** The unmodified AWS SDK client, pointed at `url`; `maxAttempts: 1` shows every failure as it is. */
export function firehoseClient(url: string, maxAttempts = 1): FirehoseClient {
  const client = new FirehoseClient({endpoint: url, region: 'us-east-1', credentials: {accessKeyId: 'x', secretAccessKey: 'x'}, maxAttempts})
  clients.push(client)
  return client
}

/** Every object in the lake with its decompressed text, in key order. */
export async function lakeObjects(lake: Lake): Promise<{key: string; text: string}[]> {
  const objects: {key: string; text: string}[] = []
  for await (const {key} of lake.listObjects('')) objects.push({key, text: gunzipSync(await lake.read(key)).toString('utf8')})
  return objects
}

/** Every JSON line of the lake's event objects (the error prefix left out). */
export async function lakeRecords(lake: Lake): Promise<Record<string, unknown>[]> {
  const objects = (await lakeObjects(lake)).filter((o) => isYearFolder(o.key.split('/')[0]))
  return objects.flatMap((o) => o.text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>))
}
