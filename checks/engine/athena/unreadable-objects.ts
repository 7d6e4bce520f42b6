import {MAX_QUERY_BYTES} from '../../sql/sql-executor.js'
import type {AthenaExecutor} from './athena-executor.js'
import {AthenaQueryFailedError} from './errors.js'

// What Athena (Trino's Hive connector) says when it cannot read an object's bytes: a truncated or
// damaged gzip, a `.gz` that is not gzip, bytes its text reader refuses.
const DATA_ERROR = /HIVE_BAD_DATA|HIVE_CURSOR_ERROR|HIVE_CANNOT_OPEN_SPLIT|Unexpected end of|incorrect header check|not in gzip format|invalid (block type|distance|stored block|code lengths)|ZLIB|EOFException|Corrupt|Line too long/i

/**
 * Whether a failed query failed on the data it read (a corrupt object) rather than on the query,
 * the permissions or the service.
 *
 * @example failedOnData(error) // true for "HIVE_CURSOR_ERROR: Unexpected end of input stream"
 */
export function failedOnData(error: unknown): error is AthenaQueryFailedError {
  return error instanceof AthenaQueryFailedError && DATA_ERROR.test(error.message)
}

const bytesOf = (sql: string) => Buffer.byteLength(sql, 'utf8')

/**
 * Finds the objects among `keys` that Athena cannot read, each with Athena's reason: it counts
 * the lines of a group of objects; when that fails on the data, the object the error names is
 * set aside and the rest counted again, and when the error names none, the group is halved until
 * the failing object is alone. Without a corrupt object this is one pass over the keys; each
 * corrupt object costs a few more queries. Any other failure (permissions, the query itself)
 * rejects as it is.
 *
 * @example const corrupt = await findUnreadableObjects(executor, keys, scope) // Map {key => reason}
 */
export async function findUnreadableObjects(
  executor: AthenaExecutor,
  keys: readonly string[],
  scope: {from: Date; to: Date},
  options: {maxQueryBytes?: number} = {},
): Promise<Map<string, string>> {
  const limit = options.maxQueryBytes ?? MAX_QUERY_BYTES
  const unreadable = new Map<string, string>()
  const countOf = (group: readonly string[]) => `SELECT count(*) AS lines FROM ${executor.linesRelation(group, scope)} AS l`
  let probes = 0

  const probe = async (group: string[]): Promise<void> => {
    if (group.length === 0) return
    if (group.length > 1 && bytesOf(countOf(group)) > limit) {
      const half = Math.ceil(group.length / 2)
      await probe(group.slice(0, half))
      await probe(group.slice(half))
      return
    }
    try {
      await executor.query(countOf(group), {label: `readable ${++probes}`})
    } catch (error) {
      if (!failedOnData(error)) throw error
      const reason = error.message.replace(/^Athena query .*? failed(?: \[[^\]]*\])?: /, '').replace(/: an object of the scope may be corrupt$/, '')
      const named = error.path?.startsWith(executor.lakeUrl) ? error.path.slice(executor.lakeUrl.length) : undefined
      if (named !== undefined && group.includes(named)) {
        unreadable.set(named, reason)
        await probe(group.filter((key) => key !== named))
        return
      }
      if (group.length === 1) {
        unreadable.set(group[0], reason)
        return
      }
      const half = Math.ceil(group.length / 2)
      await probe(group.slice(0, half))
      await probe(group.slice(half))
    }
  }

  await probe([...keys])
  return unreadable
}
