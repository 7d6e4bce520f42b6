import {readFileSync} from 'node:fs'

import {Ajv} from 'ajv'
import addFormatsModule from 'ajv-formats'

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
type AddFormats = (ajv: Ajv) => Ajv
const addFormats = ((addFormatsModule as unknown as {default?: AddFormats}).default ?? addFormatsModule) as unknown as AddFormats

const schema = JSON.parse(readFileSync(new URL('../../checks/schema/pixel-event.schema.json', import.meta.url), 'utf8')) as object

const ajv = new Ajv({allErrors: true, strict: true})
addFormats(ajv)
const validate = ajv.compile(schema)

/** The schema errors of `record` under the shipped pixel event schema, as text; empty when valid. */
export function schemaErrors(record: unknown): string[] {
  if (validate(record)) return []
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`)
}
