import {readFile} from 'node:fs/promises'
import {Ajv} from 'ajv'
import {SavedReportError} from '../errors.js'
import type {ReportWithEngine} from './html-report.js'
import {escapeTerminal} from './escape-text.js'
import {CHECKS} from './report.js'

const count = {type: 'integer', minimum: 0}
const hourLabel = {type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}$'}

// What a report must hold to be drawn: the fields of the report contract, as old as the first
// pixel check --json; fields added later (limits, bytes, lag, drift, engine, warnings) may be absent.
const SAVED_REPORT = {
  type: 'object',
  required: ['ok', 'scope', 'lake', 'summary', 'hours', 'findings'],
  properties: {
    ok: {type: 'boolean'},
    scope: {type: 'object', required: ['from', 'to'], properties: {from: {type: 'string'}, to: {type: 'string'}}},
    lake: {type: 'string'},
    engine: {type: 'string'},
    warnings: {type: 'array', items: {type: 'string'}},
    summary: {
      type: 'object',
      required: ['objects', 'bytes', 'records', 'valid', 'invalid', 'unparseable', 'duplicateRecords'],
      properties: {objects: count, bytes: count, records: count, valid: count, invalid: count, unparseable: count, duplicateRecords: count},
    },
    hours: {
      type: 'array',
      items: {
        type: 'object',
        required: ['hour', 'objects', 'records', 'valid', 'invalid', 'duplicateRecords', 'ended', 'canary', 'baseline', 'learning'],
        properties: {
          hour: hourLabel, objects: count, records: count, valid: count, invalid: count, duplicateRecords: count, canary: count, bytes: count,
          ended: {type: 'boolean'}, learning: {type: 'boolean'}, baseline: {type: ['number', 'null']},
          lag: {anyOf: [{type: 'null'}, {type: 'object', required: ['p50Seconds', 'p95Seconds', 'maxSeconds'], properties: {p50Seconds: count, p95Seconds: count, maxSeconds: count}}]},
        },
      },
    },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['check', 'severity', 'hour', 'key', 'count', 'message', 'samples'],
        properties: {
          check: {enum: [...CHECKS]},
          severity: {enum: ['error', 'warning']},
          hour: {anyOf: [hourLabel, {type: 'null'}]},
          key: {type: ['string', 'null']},
          count: count,
          message: {type: 'string'},
          samples: {
            type: 'array',
            items: {
              type: 'object',
              required: ['key', 'index', 'pointer', 'message'],
              properties: {key: {type: 'string'}, index: {type: ['integer', 'null']}, pointer: {type: ['string', 'null']}, message: {type: 'string'}},
            },
          },
          drift: {type: 'object', required: ['pointer', 'change'], properties: {pointer: {type: 'string'}, change: {enum: ['new', 'gone', 'type', 'nulls']}}},
        },
      },
    },
    limits: {
      type: 'object',
      required: ['failOn', 'minRecords', 'toleranceMinutes', 'lateAfterMinutes', 'freshnessMinutes', 'volumeDrop', 'volumeSpike'],
      properties: {
        failOn: {enum: ['error', 'warning', 'never']},
        minRecords: count, toleranceMinutes: {type: 'number'}, lateAfterMinutes: {type: 'number'}, freshnessMinutes: {type: 'number', exclusiveMinimum: 0},
        volumeDrop: {type: 'number', exclusiveMinimum: 0}, volumeSpike: {type: 'number', exclusiveMinimum: 0},
      },
    },
  },
}

const validate = new Ajv({allErrors: false, strict: false}).compile<ReportWithEngine>(SAVED_REPORT)

/**
 * Reads a report saved with `pixel check --json` from `path`; a SavedReportError, one line naming
 * the file and what is wrong, when it is missing, not JSON, the error document of a check that
 * could not run, or not such a report.
 *
 * @example const report = await readSavedReport('pixel-check.json')
 */
export async function readSavedReport(path: string): Promise<ReportWithEngine> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new SavedReportError(`cannot read the report ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? (error as Error).message)}`, {cause: error})
  }
  return parseSavedReport(text, path)
}

/** Parses and checks the text of a saved report; `name` is what error messages call it. */
export function parseSavedReport(text: string, name: string): ReportWithEngine {
  let value: unknown
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (error) {
    throw new SavedReportError(`${name} is not a pixel check report: it is not JSON (${escapeTerminal((error as Error).message)}); save one with pixel check --json > ${name}`, {cause: error})
  }
  const failed = (value as {error?: {message?: unknown}} | null)?.error
  if (failed && typeof failed === 'object' && !Array.isArray(value) && !('findings' in (value as object))) {
    throw new SavedReportError(`${name} holds no report: the check it saved could not run (${escapeTerminal(String(failed.message ?? 'no message'))})`)
  }
  if (!validate(value)) {
    const e = validate.errors![0]
    const where = e.instancePath === '' ? 'the document' : e.instancePath
    throw new SavedReportError(`${name} is not a pixel check report: ${where} ${e.message}; save one with pixel check --json > ${name}`)
  }
  return value
}
