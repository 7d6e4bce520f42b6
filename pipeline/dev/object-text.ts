import {promisify} from 'node:util'
import {constants, gunzip} from 'node:zlib'

const gunzipAsync = promisify(gunzip)

/** The most decoded bytes the demo page shows of one object. */
export const OBJECT_TEXT_LIMIT = 8 * 1024 * 1024

/**
 * An object's records as text, for a person reading them in the browser: the gzip decoded
 * (every member), or as much of it as decodes when it is damaged, with a last line saying so;
 * at most `limit` bytes.
 *
 * @example await objectText(await lake.read(key)) // '{"event_id":...}\n'
 */
export async function objectText(body: Buffer, limit = OBJECT_TEXT_LIMIT): Promise<string> {
  try {
    const text = await gunzipAsync(body, {maxOutputLength: limit})
    return text.toString('utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ERR_BUFFER_TOO_LARGE') return `# pixel dev: this object decodes to more than ${limit} bytes; read it with pixel check or zcat\n`
    // A damaged stream: what decodes before the damage, as pixel check reads it.
    let partial = Buffer.alloc(0)
    try {
      partial = await gunzipAsync(body, {finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: limit})
    } catch {
      // Not even a gzip header: nothing decodes.
    }
    const text = partial.toString('utf8')
    return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}# pixel dev: the object is damaged (${(error as Error).message}); ${partial.length} bytes decoded before the damage\n`
  }
}
