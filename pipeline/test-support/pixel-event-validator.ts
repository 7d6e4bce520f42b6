import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Ajv} from 'ajv'
import addFormatsModule from 'ajv-formats'
import {PACKAGE_ROOT} from '../../lake/package-root.js'

// The shipped schema, the lake's record contract, compiled with ajv's own formats: pipeline/ reads
// the contract from lake/ and never borrows the checks' validator.
const addFormats = ((addFormatsModule as unknown as {default?: typeof addFormatsModule}).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv
const ajv = new Ajv({allErrors: true, strict: false})
addFormats(ajv)
const validate = ajv.compile(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'lake/schema/pixel-event.schema.json'), 'utf8')) as object)

/** The schema errors of `record` under the shipped pixel event schema, as text; empty when valid. */
export function schemaErrors(record: unknown): string[] {
  if (validate(record)) return []
  return (validate.errors ?? []).map(({instancePath, message}) => `${instancePath || '/'} ${message ?? ''}`)
}
