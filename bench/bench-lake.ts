import {existsSync, readFileSync} from 'node:fs'
import {mkdir, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {LocalLake} from '../lake/store/local-lake.js'
import {type GeneratedDay, generateDay} from '../fixtures/generate-day.js'
import {TeamTraffic} from '../fixtures/team-traffic.js'

/** What the benchmark's lake is built from; a lake built from other parameters is rebuilt. */
export interface BenchLakeParameters {
  day: string
  events: number
  objectsPerHour?: number
  seed: number
  /** Whose records: pixel events (absent) or the team schema's (`team`). */
  records?: 'team'
}

interface Marker {
  parameters: BenchLakeParameters
  day: GeneratedDay
  seconds: number
}

/**
 * Reuses the lake in `folder` when its marker says it was built from `parameters`, else builds it
 * afresh with the generator (no faults) and writes the marker last, so a build cut short is redone.
 *
 * @example const {lake, day} = await benchLake('bench/.lake', {day: '2026-02-10', events: 5_000_000, seed: 1})
 */
export async function benchLake(folder: string, parameters: BenchLakeParameters): Promise<{lake: string; day: GeneratedDay; seconds: number; reused: boolean}> {
  const lake = join(folder, 'lake')
  const markerFile = join(folder, 'lake.json')
  if (existsSync(markerFile)) {
    const marker = JSON.parse(readFileSync(markerFile, 'utf8')) as Marker
    if (JSON.stringify(marker.parameters) === JSON.stringify(parameters)) return {lake, day: marker.day, seconds: marker.seconds, reused: true}
  }
  await rm(markerFile, {force: true})
  await rm(lake, {recursive: true, force: true})
  await mkdir(lake, {recursive: true})
  const started = performance.now()
  const {records, ...options} = parameters
  const day = await generateDay({...options, lake: new LocalLake(lake), traffic: records === 'team' ? (rand, events) => new TeamTraffic(rand, events) : undefined})
  const seconds = (performance.now() - started) / 1000
  await writeFile(markerFile, JSON.stringify({parameters, day, seconds} satisfies Marker, null, 2) + '\n')
  return {lake, day, seconds, reused: false}
}
