/** A finding as the demo page shows it (the shape of pixel check's `--json` findings). */
export interface AuditFinding {
  readonly check: string
  readonly severity: 'error' | 'warning'
  readonly hour: string | null
  readonly key: string | null
  readonly count: number
  readonly message: string
}

/** An hour as the demo page shows it (the shape of pixel check's `--json` hours). */
export interface AuditHour {
  readonly hour: string
  readonly ended: boolean
  readonly objects: number
  readonly records: number
  readonly valid: number
  readonly invalid: number
  readonly duplicateRecords: number
}

/** What a check of the hours says; pixel check's report fits it. */
export interface AuditReport {
  readonly ok: boolean
  readonly hours: readonly AuditHour[]
  readonly findings: readonly AuditFinding[]
}

/**
 * Audits the lake's hours (`YYYY-MM-DDTHH`, in order) as of `now`. pixel dev is given one by the
 * CLI (pipeline/ may not import checks/): pixel check, in this process.
 */
export type Audit = (hours: readonly string[], now: Date) => Promise<AuditReport>

/** One hour's verdict on the page. */
export interface HourVerdict extends AuditHour {
  /** `failed` with an error finding, `warning` with only warnings, else `ok`. */
  readonly verdict: 'ok' | 'warning' | 'failed'
  readonly findings: readonly AuditFinding[]
}

export interface LiveCheckState {
  readonly status: 'waiting' | 'running' | 'idle'
  /** Checks finished so far. */
  readonly runs: number
  readonly checkedAt: string | null
  /** How long the last one took. */
  readonly ms: number | null
  readonly ok: boolean | null
  readonly hours: readonly HourVerdict[]
  /** Findings about no hour (schema drift). */
  readonly other: readonly AuditFinding[]
  /** Why the last check could not run, in one line. */
  readonly error: string | null
}

export interface LiveCheckOptions {
  readonly audit: Audit
  /** The hours to check now. */
  readonly hours: () => readonly string[]
  /** Told when the state changes. */
  readonly onChange: () => void
  /** Whether anyone looks: requests while nobody does are dropped (the next look asks again). @default always */
  readonly wanted?: () => boolean
  /** Requests within this long are one check. @default 300 */
  readonly debounceMs?: number
  /** A check also runs this often, so that an hour's end is seen. @default 60000 */
  readonly everyMs?: number
  /** Samples of findings kept per hour. @default 8 */
  readonly findingsPerHour?: number
  /** @default () => new Date() */
  readonly now?: () => Date
}

/**
 * pixel check, running beside the pipeline: asked to run after each flush, it waits a moment
 * (requests in between are one check), never runs twice at once (a request during a check runs
 * one more after it), and leaves at least twice as long as the last check took between two, so
 * it never takes more than a third of the process's time however large the lake grows. Nobody
 * looking, it does not run at all.
 *
 * @example
 * const live = new LiveCheck({audit, hours: () => ['2026-12-02T13'], onChange: () => feed.changed()})
 * buffer.onDelivered = () => live.request()
 */
export class LiveCheck {
  private readonly options: LiveCheckOptions
  private readonly now: () => Date
  private timer?: NodeJS.Timeout
  private every?: NodeJS.Timeout
  private running?: Promise<void>
  private again = false
  private lastEnd = 0
  private lastMs = 0
  private closed = false
  private current: LiveCheckState = {status: 'waiting', runs: 0, checkedAt: null, ms: null, ok: null, hours: [], other: [], error: null}

  constructor(options: LiveCheckOptions) {
    this.options = options
    this.now = options.now ?? (() => new Date())
    this.every = setInterval(() => this.request(), options.everyMs ?? 60_000)
    this.every.unref()
  }

  state(): LiveCheckState {
    return this.current
  }

  /** Asks for a check soon. */
  request(): void {
    if (this.closed || !(this.options.wanted?.() ?? true)) return
    if (this.running) {
      this.again = true
      return
    }
    if (this.timer) return
    const gap = Math.max(this.options.debounceMs ?? 300, this.lastEnd + 2 * this.lastMs - Date.now())
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.running = this.run().finally(() => {
        this.running = undefined
        if (this.again) {
          this.again = false
          this.request()
        }
      })
    }, gap)
    this.timer.unref()
  }

  /** Stops asking; waits for a check under way. */
  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    clearInterval(this.every)
    await this.running
  }

  private async run(): Promise<void> {
    this.update({status: 'running'})
    const started = Date.now()
    const now = this.now()
    try {
      const report = await this.options.audit(this.options.hours(), now)
      this.lastMs = Date.now() - started
      this.update({status: 'idle', runs: this.current.runs + 1, checkedAt: now.toISOString(), ms: this.lastMs, ok: report.ok, ...this.verdicts(report), error: null})
    } catch (error) {
      this.lastMs = Date.now() - started
      this.update({status: 'idle', runs: this.current.runs + 1, checkedAt: now.toISOString(), ms: this.lastMs, error: String((error as Error)?.message ?? error).split('\n')[0].slice(0, 300)})
    } finally {
      this.lastEnd = Date.now()
    }
  }

  private verdicts(report: AuditReport): {hours: HourVerdict[]; other: AuditFinding[]} {
    const keep = this.options.findingsPerHour ?? 8
    const trim = (f: AuditFinding): AuditFinding => ({check: f.check, severity: f.severity, hour: f.hour, key: f.key, count: f.count, message: f.message})
    const byHour = new Map<string, AuditFinding[]>()
    const worst = new Map<string, 'warning' | 'failed'>()
    const other: AuditFinding[] = []
    for (const finding of report.findings) {
      if (finding.hour === null) {
        if (other.length < keep) other.push(trim(finding))
        continue
      }
      const list = byHour.get(finding.hour) ?? []
      if (list.length < keep) list.push(trim(finding))
      byHour.set(finding.hour, list)
      if (finding.severity === 'error') worst.set(finding.hour, 'failed')
      else if (!worst.has(finding.hour)) worst.set(finding.hour, 'warning')
    }
    const hours = report.hours.map((h): HourVerdict => {
      const findings = byHour.get(h.hour) ?? []
      return {hour: h.hour, ended: h.ended, objects: h.objects, records: h.records, valid: h.valid, invalid: h.invalid, duplicateRecords: h.duplicateRecords, verdict: worst.get(h.hour) ?? 'ok', findings}
    })
    return {hours, other}
  }

  private update(change: Partial<LiveCheckState>): void {
    this.current = {...this.current, ...change}
    this.options.onChange()
  }
}
