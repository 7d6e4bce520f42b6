import {compileValidator, loadSchema} from '../../checks/schema/record-validator.js'

// The same compiled schema pixel check judges the lake with.
const validator = compileValidator(await loadSchema())

/** The schema errors of `record` under the shipped pixel event schema, as text; empty when valid. */
export function schemaErrors(record: unknown): string[] {
  if (validator.isValid(record)) return []
  return validator.explain(record).map(({pointer, message}) => `${pointer || '/'} ${message}`)
}
