import {type Finding, finding} from '../report/report.js'
import type {IpPolicy} from '../scan/ip-address.js'
import type {HourTallyEntry} from './hour-tally.js'
import {plural} from './hour-tally.js'

/**
 * One `raw-ip` finding per hour whose records hold more of the client address than `--ip-policy`
 * allows. The samples say which record and why, never the address itself.
 *
 * @example findRawIp(rawIpTally.entries(), 'client_ip', 'anonymise')
 */
export function findRawIp(entries: HourTallyEntry[], field: string, policy: IpPolicy): Finding[] {
  const promise = policy === 'omit' ? 'no address at all (--ip-policy omit)' : 'only anonymised addresses (IPv4 /24, IPv6 /48; --ip-policy anonymise)'
  return entries.map(({hour, count, samples}) =>
    finding('raw-ip', {hour, key: null, count, samples, message: `hour ${hour} holds ${plural(count, 'record')} whose ${field} breaks the promise of ${promise}`}),
  )
}
