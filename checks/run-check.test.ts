import {mkdirSync, renameSync, symlinkSync, unlinkSync, utimesSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {LakeRootError} from '../lake/errors.js'
import {CheckTimeoutError} from './errors.js'
import {LocalLake} from '../lake/store/local-lake.js'
import type {Lake} from '../lake/store/lake.js'
import {type CheckOptions, runCheck} from './run-check.js'
import {compileValidator, loadSchema} from './schema/record-validator.js'
import {dayScope, hourScope, rangeScope} from '../lake/scope.js'
import {lakeFactory, tempLake} from '../fixtures/test-support/temp-lake.js'

const HOUR = '2026-02-10T05'
const validator = compileValidator(await loadSchema())
const check = (lake: Lake, options: Partial<CheckOptions> = {}) => runCheck({lake, scope: hourScope(HOUR), validator, now: new Date('2026-11-28T00:00:00Z'), ...options})
type Factory = ReturnType<typeof lakeFactory>

/** Writes an object whose modification time (its arrival, for the Kinesis consumer's names) is `minutes` into HOUR. */
async function writeAt(lake: LocalLake, key: string, body: Uint8Array, minutes: number): Promise<void> {
  await lake.write(key, body)
  const at = new Date(Date.parse(`${HOUR}:00:00Z`) + minutes * 60_000)
  utimesSync(join(lake.url, key), at, at)
}

interface Case {
  plants: string
  build: (lake: LocalLake, f: Factory) => Promise<void>
  options?: Partial<CheckOptions>
  /** [check, count] of every finding expected. */
  findings: [string, number][]
}

const cases: Case[] = [
  {plants: 'nothing: a healthy hour', build: async (lake, f) => lake.write(f.key(HOUR), f.gzip(f.events(HOUR, 10))), findings: []},
  {plants: 'an hour with no objects', build: async () => {}, findings: [['gap', 0]]},
  {
    plants: 'an hour below --min-records',
    build: async (lake, f) => lake.write(f.key(HOUR), f.gzip(f.events(HOUR, 3))),
    options: {minRecords: 5},
    findings: [['gap', 3]],
  },
  {
    plants: 'one hour under two partition paths',
    build: async (lake, f) => {
      await lake.write(f.key(HOUR), f.gzip(f.events(HOUR, 2)))
      await lake.write(f.key(HOUR).replace('/hour=05/', '/hour=5/'), f.gzip(f.events(HOUR, 2)))
    },
    findings: [['duplicate-partition', 2]],
  },
  {
    plants: 'the same bytes delivered twice',
    build: async (lake, f) => {
      const body = f.gzip(f.events(HOUR, 4))
      await lake.write(f.key(HOUR, 10), body)
      await lake.write(f.key(HOUR, 40), body)
    },
    findings: [['duplicate-object', 1], ['duplicate-record', 4]],
  },
  {
    plants: 'a record sent again in a later object',
    build: async (lake, f) => {
      const first = f.events(HOUR, 3)
      await lake.write(f.key(HOUR, 10), f.gzip(first))
      await lake.write(f.key(HOUR, 40), f.gzip([...f.events(HOUR, 2), {...first[1], user_agent: 'retried'}]))
    },
    findings: [['duplicate-record', 1]],
  },
  {
    plants: 'a truncated object',
    build: async (lake, f) => {
      const body = f.gzip(f.events(HOUR, 200))
      await lake.write(f.key(HOUR), body.subarray(0, body.length - 100))
    },
    findings: [['corrupt-object', 1]],
  },
  {
    plants: 'a line that is not JSON',
    build: async (lake, f) => {
      const text = f.events(HOUR, 2).map((e) => JSON.stringify(e)).join('\nnot json\n')
      await lake.write(f.key(HOUR), gzipSync(text))
    },
    findings: [['unparseable-record', 1]],
  },
  {
    plants: 'records that fail the schema',
    build: async (lake, f) => lake.write(f.key(HOUR), f.gzip([...f.events(HOUR, 3), ...f.events(HOUR, 2, {source: 'bot' as never})])),
    findings: [['schema', 2]],
  },
  {
    plants: 'records timed outside their hour beyond the tolerance',
    build: async (lake, f) => lake.write(f.key(HOUR), f.gzip([...f.events(HOUR, 2), ...f.events('2026-02-10T07', 2), ...f.events('2026-02-10T04', 1)])),
    findings: [['misplaced-record', 3]],
  },
  {
    plants: 'a record just past its hour, within the tolerance',
    build: async (lake, f) => lake.write(f.key(HOUR), f.gzip([...f.events(HOUR, 2), ...f.events(HOUR, 1, {ts: '2026-02-10T06:14:00.000Z'})])),
    findings: [],
  },
  {
    plants: 'an object that arrived after --late-after',
    build: async (lake, f) => lake.write(f.key(HOUR, 60 + 61), f.gzip(f.events(HOUR, 2))),
    options: {freshnessMinutes: 180},
    findings: [['late-arrival', 1]],
  },
  {
    plants: 'an object that arrived just within --late-after',
    build: async (lake, f) => lake.write(f.key(HOUR, 60 + 60), f.gzip(f.events(HOUR, 2))),
    options: {freshnessMinutes: 180},
    findings: [],
  },
  {
    plants: 'records that took more than --freshness to arrive, for more than 5% of the hour',
    build: async (lake, f) => {
      await lake.write(f.key(HOUR, 45), f.gzip(f.events(HOUR, 18)))
      // Two records from the hour's first minutes come in an object 80 minutes later.
      await lake.write(f.key(HOUR, 82), f.gzip(f.events(HOUR, 2, {ts: '2026-02-10T05:01:00.000Z'})))
    },
    findings: [['freshness', 2]],
  },
  {
    plants: 'records that took more than --freshness to arrive, for less than 5% of the hour',
    build: async (lake, f) => {
      await lake.write(f.key(HOUR, 45), f.gzip(f.events(HOUR, 38)))
      await lake.write(f.key(HOUR, 82), f.gzip(f.events(HOUR, 1, {ts: '2026-02-10T05:01:00.000Z'})))
    },
    findings: [],
  },
  {
    plants: 'objects named as the Kinesis consumer names them, by shard and sequence numbers',
    build: async (lake, f) => {
      await writeAt(lake, f.batchKey(HOUR, '1', '40'), f.gzip(f.events(HOUR, 3)), 20)
      await writeAt(lake, f.batchKey(HOUR, '41', '90'), f.gzip(f.events(HOUR, 3)), 50)
      await writeAt(lake, f.batchKey(HOUR, '7', '7', 'shardId-000000000001'), f.gzip(f.events(HOUR, 2)), 58)
    },
    findings: [],
  },
  {
    plants: 'a consumer object written (its modification time) after --late-after',
    build: async (lake, f) => writeAt(lake, f.batchKey(HOUR, '1', '40'), f.gzip(f.events(HOUR, 2)), 60 + 61),
    options: {freshnessMinutes: 180},
    findings: [['late-arrival', 1]],
  },
  {
    plants: 'records held by two consumer objects of overlapping sequence ranges',
    build: async (lake, f) => {
      const events = f.events(HOUR, 4)
      await writeAt(lake, f.batchKey(HOUR, '1', '40'), f.gzip(events.slice(0, 3)), 20)
      await writeAt(lake, f.batchKey(HOUR, '30', '60'), f.gzip(events.slice(1)), 70)
    },
    findings: [['duplicate-record', 2]],
  },
  {
    plants: 'a consumer name whose first sequence number is above its last',
    build: async (lake, f) => {
      await lake.write(f.key(HOUR), f.gzip(f.events(HOUR, 2)))
      await writeAt(lake, f.batchKey(HOUR, '1', '40').replace(/-0+1-(0+40)\.gz$/, '-$1-0001.gz'), f.gzip(f.events(HOUR, 2)), 20)
    },
    findings: [['unexpected-key', 1]],
  },
  {
    plants: 'a key that does not fit the layout',
    build: async (lake, f) => {
      await lake.write(f.key(HOUR), f.gzip(f.events(HOUR, 2)))
      await lake.write('year=2026/month=02/day=10/hour=05/notes.txt', Buffer.from('hello'))
    },
    findings: [['unexpected-key', 1]],
  },
]

describe.each(cases)('a lake that holds $plants', ({build, options, findings}) => {
  it('gives exactly the expected findings', async () => {
    const lake = tempLake()
    await build(lake, lakeFactory())
    const report = await check(lake, options)
    expect(report.findings.map((f) => [f.check, f.count])).toEqual(findings)
    expect(report.ok).toBe(!findings.some(([name]) => !['misplaced-record', 'late-arrival', 'unexpected-key', 'freshness'].includes(name)))
  })
})

describe('runCheck', () => {
  it('counts records as valid plus invalid, leaving unparseable lines out', async () => {
    const lake = tempLake()
    const f = lakeFactory()
    const lines = [...f.events(HOUR, 3), ...f.events(HOUR, 2, {badge: ''})].map((e) => JSON.stringify(e))
    await lake.write(f.key(HOUR), gzipSync([...lines, '{oops'].join('\n')))
    const {summary, hours} = await check(lake)
    expect(summary).toMatchObject({objects: 1, records: 5, valid: 3, invalid: 2, unparseable: 1, duplicateRecords: 0})
    expect(hours).toEqual([{hour: HOUR, objects: 1, bytes: summary.bytes, records: 5, valid: 3, invalid: 2, duplicateRecords: 0, ended: true, canary: 0, baseline: null, learning: false, lag: expect.any(Object)}])
  })

  it('gives each hour its stored bytes and the lag of its records, from record time to arrival', async () => {
    const lake = tempLake()
    const f = lakeFactory()
    const later = '2026-02-10T06'
    // Records at :00, :15, :30 and :45 in an object arriving 70 minutes after the hour began.
    const first = f.gzip(f.events(HOUR, 4))
    const second = f.gzip(f.events(HOUR, 1))
    await lake.write(f.key(HOUR, 70), first)
    await lake.write(f.key(HOUR, 70), second)
    await lake.write(f.key(later, 30), f.gzip([]))
    const {hours, summary} = await check(lake, {scope: dayScope('2026-02-10')})
    const byHour = new Map(hours.map((h) => [h.hour, h]))
    expect(byHour.get(HOUR)!.bytes).toBe(first.length + second.length)
    expect(hours.reduce((sum, h) => sum + h.bytes, 0)).toBe(summary.bytes)
    // Lags of 70, 70, 55, 40 and 25 minutes, at one-minute resolution.
    const lag = byHour.get(HOUR)!.lag!
    expect(lag.maxSeconds).toBe(70 * 60)
    expect(lag.p95Seconds).toBe(70 * 60)
    expect(lag.p50Seconds).toBeGreaterThanOrEqual(55 * 60)
    expect(lag.p50Seconds).toBeLessThanOrEqual(56 * 60)
    expect(byHour.get(later)!.lag).toBeNull()
    expect(byHour.get('2026-02-10T07')).toMatchObject({bytes: 0, lag: null})
  })

  it('takes the earliest copy by (partition hour, key) as the original, whatever order reads finish in', async () => {
    const lake = tempLake()
    const f = lakeFactory()
    const events = f.events(HOUR, 3)
    const early = f.key(HOUR, 10)
    const late = f.key(HOUR, 50)
    await lake.write(early, f.gzip(events))
    await lake.write(late, f.gzip([...events].reverse().map((e) => ({...e, user_agent: 'copy'}))))
    // The earlier object's read finishes only after the later one has been read.
    let lateDone!: () => void
    const lateRead = new Promise<void>((resolve) => (lateDone = resolve))
    const slowLake: Lake = Object.assign(Object.create(lake) as Lake, {
      read: async (key: string) => {
        if (key === early) await lateRead
        const bytes = await lake.read(key)
        if (key === late) lateDone()
        return bytes
      },
    })
    const report = await check(slowLake, {readAhead: 4})
    const duplicate = report.findings.find((x) => x.check === 'duplicate-record')!
    expect(duplicate.count).toBe(3)
    expect(duplicate.samples.every((s) => s.key === late && s.message.includes(early))).toBe(true)
  })

  it('finds a retry that lands after midnight as a duplicate when checking a range', async () => {
    const lake = tempLake()
    const f = lakeFactory()
    const sent = f.events('2026-02-10T23', 3)
    await lake.write(f.key('2026-02-10T23'), f.gzip(sent))
    await lake.write(f.key('2026-02-11T00'), f.gzip([...f.events('2026-02-11T00', 2), {...sent[2], ts: '2026-02-11T00:01:00.000Z'}]))
    const report = await runCheck({lake, scope: rangeScope('2026-02-10', '2026-02-11'), validator, now: new Date('2026-11-28T00:00:00Z')})
    expect(report.hours).toHaveLength(48)
    expect(report.summary).toMatchObject({objects: 2, records: 6, duplicateRecords: 1})
    expect(report.findings.filter((x) => x.check !== 'gap').map((x) => [x.check, x.hour, x.count])).toEqual([['duplicate-record', '2026-02-11T00', 1]])
  })

  it('judges no gap in an hour that has not ended yet', async () => {
    const report = await runCheck({lake: tempLake(), scope: dayScope('2026-02-10'), validator, now: new Date('2026-02-10T05:30:00Z')})
    expect(report.findings.map((f) => f.hour)).toEqual(['2026-02-10T00', '2026-02-10T01', '2026-02-10T02', '2026-02-10T03', '2026-02-10T04'])
  })

  it('marks the hours under way or yet to come as not ended', async () => {
    const report = await runCheck({lake: tempLake(), scope: dayScope('2026-02-10'), validator, now: new Date('2026-02-10T05:30:00Z')})
    expect(report.hours.filter((h) => h.ended).map((h) => h.hour)).toEqual(['2026-02-10T00', '2026-02-10T01', '2026-02-10T02', '2026-02-10T03', '2026-02-10T04'])
    expect(report.hours.filter((h) => !h.ended)).toHaveLength(19)
  })

  it('passes under --fail-on never and fails warnings under --fail-on warning', async () => {
    const lake = tempLake()
    const f = lakeFactory()
    await lake.write(f.key(HOUR, 200), f.gzip(f.events(HOUR, 2)))
    expect((await check(lake, {failOn: 'error'})).ok).toBe(true)
    expect((await check(lake, {failOn: 'warning'})).ok).toBe(false)
    expect((await check(lake, {failOn: 'never'})).ok).toBe(true)
  })

  it('uses --id-field and --time-field for a schema of its own', async () => {
    const lake = tempLake()
    const f = lakeFactory()
    const records = [{id: 'a', at: '2026-02-10T05:01:00Z'}, {id: 'a', at: '2026-02-10T09:00:00Z'}]
    await lake.write(f.key(HOUR), f.gzip(records))
    const report = await check(lake, {validator: compileValidator({type: 'object'}), idField: 'id', timeField: 'at'})
    expect(report.findings.map((x) => [x.check, x.count])).toEqual([['duplicate-record', 1], ['misplaced-record', 1]])
  })
})

describe('a lake URL that misses the partitions root', () => {
  const f = lakeFactory()
  const planted = async (key: string): Promise<LocalLake> => {
    const lake = tempLake()
    await lake.write(key, f.gzip(f.events(HOUR, 1)))
    return lake
  }

  describe.each([
    {points: 'at the folder above events/', below: 'events'},
    {points: 'at the folder above a prefix of any name', below: 'clickstream'},
  ])('$points', ({below}) => {
    it('refuses with exit code 2 and names the folder below as the --lake to pass', async () => {
      const root = await planted(`${below}/${f.key(HOUR)}`)
      const error = await check(root).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(LakeRootError)
      expect((error as LakeRootError).exitCode).toBe(2)
      expect((error as Error).message).toMatch(new RegExp(`did you mean --lake ${escape(`${root.url}/${below}/`)}\\?$`))
    })
  })

  it('names every folder below that holds partitions', async () => {
    const root = await planted(`events/${f.key(HOUR)}`)
    await root.write(`staging/${f.key(HOUR)}`, f.gzip(f.events(HOUR, 1)))
    await expect(check(root)).rejects.toThrow(`did you mean --lake ${root.url}/events/ or --lake ${root.url}/staging/?`)
  })

  describe.each([
    {points: 'at a year= folder', depth: 1},
    {points: 'at a month= folder', depth: 2},
    {points: 'at an hour= folder', depth: 4},
  ])('$points', ({depth}) => {
    it('refuses with exit code 2 and names the folder above the partitions', async () => {
      const root = await planted(f.key(HOUR))
      const inside = new LocalLake(join(root.url, ...f.key(HOUR).split('/').slice(0, depth)))
      const error = await check(inside).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(LakeRootError)
      expect((error as Error).message).toMatch(new RegExp(`did you mean --lake ${escape(`${root.url}/`)}\\?$`))
    })
  })

  it('only warns, and reports the gaps, when no folder below holds partitions either (a new, empty lake)', async () => {
    const lake = tempLake()
    await lake.write('notes/README.txt', Buffer.from('nothing yet'))
    const warnings: string[] = []
    const report = await check(lake, {onWarning: (w) => warnings.push(w)})
    expect(warnings).toEqual([expect.stringMatching(/holds no year= partitions at all/)])
    expect(report.findings.map((x) => x.check)).toEqual(['gap'])
  })

  it('neither warns nor refuses when the lake holds partitions but none for the scope', async () => {
    const lake = await planted(f.key('2026-02-09T05'))
    const warnings: string[] = []
    await check(lake, {onWarning: (w) => warnings.push(w)})
    expect(warnings).toEqual([])
  })
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

describe('runCheck on partition values out of range', () => {
  it.each(['hour=24', 'hour=99'])('reports a %s key as unexpected, belonging to no hour, rather than rolling it into the next day', async (folder) => {
    const lake = tempLake()
    const f = lakeFactory()
    for (let h = 0; h < 24; h++) {
      const hour = `2026-02-10T${String(h).padStart(2, '0')}`
      await lake.write(f.key(hour), f.gzip(f.events(hour, 1)))
    }
    const stray = f.key('2026-02-10T23').replace('/hour=23/', `/${folder}/`)
    await lake.write(stray, f.gzip(f.events('2026-02-10T23', 1)))
    const report = await runCheck({lake, scope: dayScope('2026-02-10'), validator, now: new Date('2026-11-28T00:00:00Z')})
    expect(report.findings.map((x) => [x.check, x.hour, x.key])).toEqual([['unexpected-key', null, stray]])
    expect(report.summary.objects).toBe(24)
  })
})

describe('runCheck on a year below 1000', () => {
  it('audits the day 0099-01-01 itself, not 1999-01-01', async () => {
    const lake = tempLake()
    const f = lakeFactory()
    const hour = '0099-01-01T05'
    await lake.write(f.key(hour), f.gzip(f.events(hour, 3, {ts: '0099-01-01T05:10:00.000Z'})))
    await lake.write(f.key('1999-01-01T05'), f.gzip(f.events('1999-01-01T05', 7)))
    const report = await runCheck({lake, scope: dayScope('0099-01-01'), validator: compileValidator({type: 'object'}), now: new Date('2026-11-28T00:00:00Z')})
    expect(report.scope.from).toBe('0099-01-01T00:00:00.000Z')
    expect(report.summary.records).toBe(3)
    expect(report.hours.find((h) => h.hour === hour)?.records).toBe(3)
  })
})

describe('runCheck on a folder lake with symbolic links', () => {
  const moveBehindLink = (lake: LocalLake, key: string, target: string) => {
    // The hour's folder moves to `target` and a link takes its place.
    const folder = join(lake.url, dirname(key))
    mkdirSync(dirname(target), {recursive: true})
    renameSync(folder, target)
    symlinkSync(target, folder)
  }

  describe.each([
    ['the day', () => dayScope('2026-02-10')],
    ['the hour', () => hourScope(HOUR)],
  ])('checking %s', (_, scope) => {
    it('reads an hour folder linked inside the lake, with no gap', async () => {
      const lake = tempLake()
      const f = lakeFactory()
      const key = f.key(HOUR)
      await lake.write(key, f.gzip(f.events(HOUR, 6)))
      moveBehindLink(lake, key, join(lake.url, 'archive', 'hour5'))
      const report = await check(lake, {scope: scope()})
      expect(report.hours.find((h) => h.hour === HOUR)).toMatchObject({objects: 1, records: 6})
      expect(report.findings.filter((x) => x.hour === HOUR)).toEqual([])
    })

    it('reports an hour folder linked outside the lake as an unexpected key of that hour, and does not read it', async () => {
      const lake = tempLake()
      const f = lakeFactory()
      const key = f.key(HOUR)
      await lake.write(key, f.gzip(f.events(HOUR, 6)))
      moveBehindLink(lake, key, join(tempLake().url, 'elsewhere'))
      const report = await check(lake, {scope: scope()})
      expect(report.summary.records).toBe(0)
      expect(report.findings.filter((x) => x.hour === HOUR).map((x) => [x.check, x.key])).toEqual([
        ['gap', null],
        ['unexpected-key', `${dirname(key)}/`],
      ])
      expect(report.findings.find((x) => x.check === 'unexpected-key')?.message).toMatch(/is a symbolic link to .*, outside the lake folder; it was not read$/)
    })
  })

  it('reads an object linked inside the lake', async () => {
    const lake = tempLake()
    const f = lakeFactory()
    const key = f.key(HOUR)
    await lake.write(`archive/${key}`, f.gzip(f.events(HOUR, 4)))
    mkdirSync(dirname(join(lake.url, key)), {recursive: true})
    symlinkSync(join(lake.url, 'archive', key), join(lake.url, key))
    const report = await check(lake)
    expect(report.summary).toMatchObject({objects: 1, records: 4})
    expect(report.findings).toEqual([])
  })

  it('reports an object linked outside the lake as an unexpected key', async () => {
    const lake = tempLake()
    const outside = tempLake()
    const f = lakeFactory()
    const key = f.key(HOUR)
    await lake.write(f.key(HOUR), f.gzip(f.events(HOUR, 2)))
    await outside.write(key, f.gzip(f.events(HOUR, 4)))
    symlinkSync(join(outside.url, key), join(lake.url, key))
    const report = await check(lake)
    expect(report.summary.records).toBe(2)
    expect(report.findings.map((x) => [x.check, x.hour, x.key])).toEqual([['unexpected-key', HOUR, key]])
  })
})

describe('runCheck when an object is deleted while it runs', () => {
  it.each([0, 2])('reports the vanished object as an unexpected key and judges the rest (%i workers)', async (workers) => {
    const lake = tempLake()
    const f = lakeFactory()
    const keys = [f.key(HOUR, 10), f.key(HOUR, 20), f.key(HOUR, 30)]
    for (const key of keys) await lake.write(key, f.gzip(f.events(HOUR, 5)))
    // Listed first, then deleted before it is read.
    const deleting: Lake = Object.assign(Object.create(lake) as Lake, {
      async *listObjects(prefix: string) {
        yield* lake.listObjects(prefix)
        unlinkSync(join(lake.url, keys[1]))
      },
    })
    const report = await check(deleting, {workers})
    expect(report.summary).toMatchObject({objects: 2, records: 10})
    expect(report.findings.map((x) => [x.check, x.hour, x.key])).toEqual([['unexpected-key', HOUR, keys[1]]])
    expect(report.findings[0].message).toMatch(/was listed but was gone when it was read/)
    expect(report.ok).toBe(true)
  })
})

describe('runCheck with a time limit', () => {
  it('stops when the limit passes, naming the object whose read it was waiting for', async () => {
    const lake = tempLake()
    const f = lakeFactory()
    const keys = [f.key(HOUR, 10), f.key(HOUR, 20)]
    for (const key of keys) await lake.write(key, f.gzip(f.events(HOUR, 2)))
    // The second object's read never ends, as behind an endpoint that stopped answering.
    const hanging: Lake = Object.assign(Object.create(lake) as Lake, {
      read: (key: string) => (key === keys[1] ? new Promise<Buffer>(() => {}) : lake.read(key)),
    })
    const checking = check(hanging, {timeoutMs: 300})
    await expect(checking).rejects.toThrow(CheckTimeoutError)
    await expect(checking).rejects.toThrow(`the check did not finish within --timeout 0.3 s: still waiting for ${lake.url}/${keys[1]} (a stalled endpoint?)`)
  })

  it('stops when a listing never ends, naming the lake', async () => {
    const lake = tempLake()
    const hanging: Lake = Object.assign(Object.create(lake) as Lake, {listDirectories: () => new Promise<string[]>(() => {})})
    await expect(check(hanging, {timeoutMs: 200})).rejects.toThrow(`still waiting for the listing of ${lake.url}`)
  })

  it('finishes as usual within the limit', async () => {
    const lake = tempLake()
    const f = lakeFactory()
    await lake.write(f.key(HOUR), f.gzip(f.events(HOUR, 3)))
    expect((await check(lake, {timeoutMs: 60_000})).summary.records).toBe(3)
  })
})
