import type {Lake} from '../lake/store/lake.js'
import {idBytes} from '../lake/ids/record-id.js'
import type {CheckReport} from '../checks/report/report.js'
import {runCheck} from '../checks/run-check.js'
import type {RecordValidator} from '../checks/schema/record-validator.js'
import {hourScope} from '../lake/scope.js'
import {hourIds} from './hour-ids.js'

export interface ReplayVerification {
  /** Every acknowledged record is in the hour, and `pixel check --hour` finds no error. */
  ok: boolean
  /** Acknowledged records not (yet) in the hour when the wait ended. */
  missing: number
  /** `pixel check --hour`'s report on the hour. */
  check: CheckReport
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), {once: true})
  })
}

/**
 * Proves a replay: waits (polling, up to `waitMs`) until every acknowledged id is in the hour of
 * the lake (Firehose delivers after its buffer interval), then runs `pixel check --hour` on it.
 *
 * @example const {ok, missing, check} = await verifyReplay({lake, hour, validator, acknowledged: result.acknowledged})
 */
export async function verifyReplay(options: {lake: Lake; hour: string; validator: RecordValidator; acknowledged: readonly string[]; waitMs?: number; /** The first pause between polls; each next one doubles, up to 15 s. @default 1000 */ pollMs?: number; signal?: AbortSignal; onWaiting?: (missing: number) => void}): Promise<ReplayVerification> {
  const {lake, hour, validator} = options
  const deadline = Date.now() + (options.waitMs ?? 16 * 60_000)
  const id = Buffer.alloc(16)
  let missing = options.acknowledged.length
  // Poll soon first (pixel dev, a short buffer), then less and less often: each poll reads the hour.
  let pause = options.pollMs ?? 1000
  for (;;) {
    const {table} = await hourIds(lake, hour, validator)
    missing = 0
    for (const eventId of options.acknowledged) if (idBytes(eventId, id, 0) && table.add(id, 0, 1) === -1) missing++
    if (missing === 0 || Date.now() >= deadline || options.signal?.aborted) break
    options.onWaiting?.(missing)
    await sleep(Math.min(pause, Math.max(0, deadline - Date.now())), options.signal)
    pause = Math.min(pause * 2, 15_000)
  }
  const check = await runCheck({lake, scope: hourScope(hour), validator})
  return {ok: missing === 0 && check.ok, missing, check}
}
