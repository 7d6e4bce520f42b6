import {runCheck} from '../../checks/run-check.js'
import type {RecordValidator} from '../../checks/schema/record-validator.js'
import type {IpPolicy} from '../../checks/scan/ip-address.js'
import type {Lake} from '../../lake/store/lake.js'
import {HOUR_MS, type Scope, hourStart} from '../../lake/scope.js'
import type {Audit} from '../../pipeline/dev/live-check.js'

/**
 * The scope of consecutive hours `YYYY-MM-DDTHH` (a range that may cross midnight).
 *
 * @example hoursScope(['2026-12-01T23', '2026-12-02T00']).to.toISOString() // '2026-12-02T01:00:00.000Z'
 */
export function hoursScope(hours: readonly string[]): Scope {
  const from = new Date(hourStart(hours[0]))
  return {kind: hours.length === 1 ? 'hour' : 'range', from, to: new Date(from.getTime() + hours.length * HOUR_MS), hours: [...hours]}
}

/**
 * pixel check as pixel dev's demo page runs it: in this process, on the dev lake, one thread
 * (`workers: 0`, so that the pipeline beside it keeps its cores), with the defaults of
 * `pixel check` and the demo's `--client-ip` as the IP policy.
 *
 * @example startDevServer({lake, audit: liveAudit({lake, validator})})
 */
export function liveAudit(options: {lake: Lake; validator: RecordValidator; ipPolicy?: IpPolicy}): Audit {
  return (hours, now) => runCheck({lake: options.lake, scope: hoursScope(hours), validator: options.validator, workers: 0, now, ipPolicy: options.ipPolicy})
}
