import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {InvalidOptionError} from '../lake/errors.js'

/** Settings a team writes once instead of passing every time. Flags and env variables win. */
export interface PixelConfig {
  lake?: string
  profile?: string
  region?: string
  endpointUrl?: string
  schema?: string
  /** Where pixel check records its history (see --history). */
  history?: string
  /** Where pixel check sends its verdict (see --notify): one target or several. */
  notify?: string | string[]
  /** What `pixel check --engine athena` runs in (see --workgroup, --database, --table). */
  athena?: AthenaConfig
}

/** The `athena` section: the stack's AthenaWorkGroup, AthenaDatabase and AthenaRawTable outputs. */
export interface AthenaConfig {
  workgroup?: string
  database?: string
  table?: string
}

const KEYS: (keyof PixelConfig)[] = ['lake', 'profile', 'region', 'endpointUrl', 'schema', 'history', 'notify', 'athena']
const ATHENA_KEYS: (keyof AthenaConfig)[] = ['workgroup', 'database', 'table']

function athenaSection(path: string, value: unknown): AthenaConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(`config file ${path}: "athena" must be an object such as {"workgroup": "Pixel", "database": "pixel", "table": "events_lines"}`)
  }
  const section: AthenaConfig = {}
  for (const [key, setting] of Object.entries(value)) {
    if (!ATHENA_KEYS.includes(key as keyof AthenaConfig)) throw new InvalidOptionError(`config file ${path} has an unknown setting "athena.${key}": use ${ATHENA_KEYS.join(', ')}`)
    if (typeof setting !== 'string' || setting === '') throw new InvalidOptionError(`config file ${path}: "athena.${key}" must be a non-empty string`)
    section[key as keyof AthenaConfig] = setting
  }
  return section
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new InvalidOptionError(`cannot read config file ${path}: ${(error as Error).message}`, {cause: error})
  }
}

/**
 * Reads the first config file found: `$PIXEL_CONFIG`, `./pixel.config.json`, then
 * `<configDir>/config.json` (e.g. ~/.config/pixel/config.json). A missing file is no error.
 *
 * @example const {lake} = await loadPixelConfig(this.config.configDir)
 */
export async function loadPixelConfig(configDir: string, env: NodeJS.ProcessEnv = process.env): Promise<PixelConfig & {source?: string}> {
  const candidates = env.PIXEL_CONFIG ? [env.PIXEL_CONFIG] : [join(process.cwd(), 'pixel.config.json'), join(configDir, 'config.json')]
  for (const path of candidates) {
    const text = await readIfThere(path)
    if (text === undefined) {
      if (env.PIXEL_CONFIG) throw new InvalidOptionError(`config file ${path} (PIXEL_CONFIG) does not exist`)
      continue
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      throw new InvalidOptionError(`config file ${path} is not JSON: ${(error as Error).message}`, {cause: error})
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidOptionError(`config file ${path} must hold a JSON object`)
    const config: PixelConfig & {source?: string} = {source: path}
    for (const [key, value] of Object.entries(parsed)) {
      if (!KEYS.includes(key as keyof PixelConfig)) throw new InvalidOptionError(`config file ${path} has an unknown setting "${key}": use ${KEYS.join(', ')}`)
      if (key === 'notify') {
        if (typeof value !== 'string' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
          throw new InvalidOptionError(`config file ${path}: "notify" must be a target string or an array of them, e.g. ["sns:arn:aws:sns:eu-west-1:123456789012:pixel-alerts"]`)
        }
        config.notify = value
        continue
      }
      if (key === 'athena') {
        config.athena = athenaSection(path, value)
        continue
      }
      if (typeof value !== 'string') throw new InvalidOptionError(`config file ${path}: "${key}" must be a string`)
      config[key as Exclude<keyof PixelConfig, 'notify' | 'athena'>] = value
    }
    return config
  }
  return {}
}
