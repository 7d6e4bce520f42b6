import type {RecordValidator} from '../../checks/schema/record-validator.js'
import type {Lake} from '../../lake/store/lake.js'
import type {Repair} from '../../pipeline/dev/dev-server.js'
import {assertStream, firehoseClient} from '../../replay/firehose-sender.js'
import {LedgerLock} from '../../replay/ledger-lock.js'
import {firehoseTarget} from '../../replay/ledger-target.js'
import {ReplayLedger} from '../../replay/replay-ledger.js'
import {LEDGER_SUFFIX, closeSources, resolveSources} from '../../replay/replay-sources.js'
import {accountAddsUp, runReplay} from '../../replay/run-replay.js'

/** Quotes a word for a POSIX shell when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

/**
 * The demo's repair: `pixel replay --hour H --from <dead letter> --endpoint-url <pixel dev>
 * --lake <dev lake>`, run in this process with replay's own code. The ledger sits beside the
 * dead-letter file, locked while it runs, so the records are sent exactly once however often
 * the button is pressed; ids already in the hour of the lake are skipped too.
 *
 * @example startDevServer({lake, stateDir, repair: deadLetterRepair({lake, validator})})
 */
export function deadLetterRepair(options: {lake: Lake; validator: RecordValidator}): Repair {
  return async ({hour, file, firehoseUrl, stream}) => {
    const client = firehoseClient({endpointUrl: firehoseUrl, region: 'us-east-1'})
    const ledgerPath = `${file}${LEDGER_SUFFIX}`
    const sources = await resolveSources([file])
    let lock: LedgerLock | undefined
    let ledger: ReplayLedger | undefined
    try {
      const {arn} = await assertStream(client, stream)
      lock = await LedgerLock.acquire(ledgerPath)
      ledger = await ReplayLedger.open(ledgerPath, {target: await firehoseTarget(client, stream, arn), sources: [file]})
      const result = await runReplay({
        hour,
        sources,
        validator: options.validator,
        target: {kind: 'firehose', client, stream},
        lake: options.lake,
        ledger,
        ledgerIds: ledger.ids,
      })
      await ledger.close()
      if (!accountAddsUp(result.account)) throw new Error(`the account does not add up: ${JSON.stringify(result.account)}`)
      const {read, sent, skippedDuplicate, failed} = result.account
      const command = ['pixel', 'replay', '--hour', hour, '--from', file, '--endpoint-url', firehoseUrl, '--stream', stream, '--lake', options.lake.url].map(shellWord).join(' ')
      return {read, sent, skippedDuplicate, failed, command}
    } finally {
      await ledger?.close().catch(() => {})
      await lock?.release()
      client.destroy()
      closeSources(sources)
    }
  }
}
