import {createHash} from 'node:crypto'

import type {MinuteCount} from './minute-counts.js'
import type {LiveCheckState} from './live-check.js'
import type {FaultsState} from './demo-faults.js'
import type {PendingPartition} from './delivery-buffer.js'

/** What `GET /stats` answers (scripts read `received` and `landed`). */
export interface DevStats {
  readonly stream: string
  readonly lake: string
  /** Records acknowledged by the Firehose API. */
  readonly received: number
  /** Records written to the lake (error prefix included; a batch delivered twice counts twice). */
  readonly landed: number
  readonly partitioningFailed: number
  readonly objects: number
  /** Records the demo's "lose an hour's flush" kept from the lake (in the dead-letter file). */
  readonly lost: number
  /** Records the Firehose API refused (throttled calls, failed batch records). */
  readonly refused: number
  /** GIF answers the pixel served. */
  readonly hits: number
  /** Hits whose record the handler could not hand to Firehose (it logged firehose_put_failed). */
  readonly hitsLost: number
  /** The latest hits, newest first; every field is attacker-controlled text. */
  readonly recent: readonly RecentHit[]
}

export interface RecentHit {
  readonly ts: string
  readonly badge: string
  readonly page_url: string | null
  readonly user_agent: string | null
  readonly event_id: string | null
  /** The object it landed in, once it has. */
  readonly object: string | null
  /** True when its flush was lost (the demo's fault): it waits in the dead letter. */
  readonly lost: boolean
}

/** An object as it landed (or a batch lost on its way). */
export interface LandedObject {
  readonly key: string
  readonly hour: string | null
  readonly records: number
  /** Bytes stored (gzip); 0 for a lost batch. */
  readonly size: number
  readonly at: string
  readonly fault: 'duplicate' | 'corrupt' | 'lose' | null
}

/** The last repair's outcome, as the page shows it. */
export interface RepairState {
  readonly status: 'idle' | 'running'
  readonly last: {readonly hour: string; readonly read: number; readonly sent: number; readonly skippedDuplicate: number; readonly failed: number; readonly command: string; readonly at: string; readonly error: string | null} | null
}

/** One message of `GET /events`: everything the page shows. */
export interface DemoState extends DevStats {
  readonly serverTime: string
  readonly bufferSeconds: number
  readonly minutes: readonly MinuteCount[]
  readonly pending: readonly PendingPartition[]
  readonly landedObjects: readonly LandedObject[]
  /** Null when the server runs without faults (no state folder). */
  readonly faults: (FaultsState & {readonly throttleSeconds: number}) | null
  /** Null when the server runs without a check. */
  readonly check: LiveCheckState | null
  /** Null when the server runs without a repair. */
  readonly repair: RepairState | null
}

/** The badge the demo page's pixel carries. */
export const DEMO_BADGE = 'pixel-dev-demo'

/** The header a fault or repair request must carry: a page of another origin cannot send it without a CORS preflight this server never approves. */
export const DEMO_ACTION_HEADER = 'x-pixel-dev-action'

/**
 * Escapes text for HTML element content and quoted attributes.
 *
 * @example escapeHtml('<b title="x">') // '&lt;b title=&quot;x&quot;&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** The page's style, inline and allowed by its hash. */
export const DEMO_STYLE = `:root{--ink:#1d2330;--muted:#5b6475;--line:#d9dde5;--panel:#fff;--bg:#f3f5f8;--ok:#1c7a3a;--bad:#b3261e;--warn:#8a5a00;--accent:#1a5fd0}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:var(--ink);background:var(--bg);overflow-wrap:normal;word-break:normal;hyphens:none}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.75rem 1.25rem;background:#fff;border-bottom:1px solid var(--line)}
h1{font-size:1.25rem;margin:0}
h2{font-size:1rem;margin:0 0 .5rem}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,22rem),1fr));gap:1rem;padding:1rem 1.25rem 2rem}
section{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:.9rem 1rem;min-width:0}
.wide{grid-column:1/-1}
@media (min-width:800px){.span2{grid-column:span 2}}
.muted{color:var(--muted)}
.small{font-size:.85rem}
.badge{display:inline-flex;font:12px/20px Verdana,sans-serif;color:#fff;border-radius:3px;overflow:hidden;margin:0}
.badge .label{background:#555;padding:0 6px}.badge .value{background:#2a7a14;padding:0 6px}
.conn{font-size:.85rem;padding:.1rem .5rem;border-radius:999px;border:1px solid var(--line)}
.conn.live{color:var(--ok);border-color:var(--ok)}.conn.down{color:var(--bad);border-color:var(--bad)}
.counts{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;margin:.25rem 0 .5rem;padding:0;list-style:none}
.counts strong{font-size:1.15rem;font-variant-numeric:tabular-nums}
svg.chart{display:block;width:100%;height:150px;background:#fafbfc;border:1px solid var(--line);border-radius:4px}
.axis{display:flex;justify-content:space-between;font-size:.8rem;color:var(--muted)}
.legend{display:flex;flex-wrap:wrap;gap:.25rem 1rem;font-size:.85rem;margin-top:.25rem}
.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:-.1rem}
.sw-records{background:#3b82c4}.sw-refused{background:#d9534f}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.25rem .5rem .25rem 0;border-bottom:1px solid var(--line);vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
ul.feed{list-style:none;margin:0;padding:0}
ul.feed li{padding:.4rem 0;border-bottom:1px solid var(--line)}
ul.feed li:last-child{border-bottom:0}
#recent{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,30rem),1fr));column-gap:1.5rem}
#recent li:last-child{border-bottom:1px solid var(--line)}
.lake{overflow-wrap:anywhere}
.data{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.8rem;overflow-wrap:anywhere}
.line{display:block}
a{color:var(--accent)}
a:focus-visible,button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.tag{display:inline-block;font-size:.75rem;font-weight:600;padding:0 .4rem;border-radius:3px;border:1px solid currentColor;margin-left:.35rem;white-space:nowrap}
.v-ok{color:var(--ok)}.v-failed{color:var(--bad)}.v-warning{color:var(--warn)}.v-lose,.v-corrupt,.v-duplicate{color:var(--bad)}
.hour{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem .75rem}
.hour .name{font-weight:600;font-variant-numeric:tabular-nums}
ul.findings{margin:.2rem 0 0;padding-left:1.1rem;font-size:.85rem}
ul.findings li{margin:.15rem 0;border:0;padding:0;overflow-wrap:anywhere}
.check{font-weight:600;white-space:nowrap}
.nobr{white-space:nowrap}
.actions{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,13rem),1fr));gap:.6rem;align-items:start}
.action{border:1px solid var(--line);border-radius:6px;padding:.6rem .7rem;display:flex;flex-direction:column;gap:.35rem}
.action p{margin:0;font-size:.85rem;color:var(--muted)}
button{font:inherit;font-weight:600;padding:.45rem .8rem;border-radius:6px;border:1px solid #2c3e66;background:#2c3e66;color:#fff;cursor:pointer;text-align:left}
button.break{background:#fff;color:var(--bad);border-color:var(--bad)}
button.repair{background:var(--ok);border-color:var(--ok)}
button[aria-pressed="true"]{background:#fff;color:#2c3e66}
button[aria-pressed="true"]::after{content:" (on)"}
button:disabled{opacity:.55;cursor:not-allowed}
#action-status{min-height:1.4em;margin:.5rem 0 0;font-size:.9rem}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
code{font-size:.85em}
@media (max-width:480px){header,main{padding-left:.75rem;padding-right:.75rem}section{padding:.75rem}}
`

/** The page's script: reads `/events`, draws it, text only (never parsed as HTML). */
export const DEMO_SCRIPT = `'use strict'
const $ = (id) => document.getElementById(id)
const SVG = 'http://www.w3.org/2000/svg'
let state = null
let offset = 0
let lastVerdicts = null
const drawn = {}

// Lists are redrawn only when their data changed: a link a keyboard user is on keeps its focus.
function changed(id, data) {
  const signature = JSON.stringify(data)
  if (drawn[id] === signature) return false
  drawn[id] = signature
  return true
}

function el(tag, props, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue
    if (name === 'class') node.className = value
    else if (name === 'text') node.textContent = value
    else node.setAttribute(name, String(value))
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child)
  return node
}

// Long keys break after / and - (never inside a word of the page's own text).
function breakable(text) {
  const span = el('span', {class: 'data'})
  const parts = String(text).split(/(?<=[\\/\\-_=&?])/)
  parts.forEach((part, i) => {
    span.append(document.createTextNode(part))
    if (i < parts.length - 1) span.append(document.createElement('wbr'))
  })
  return span
}

function objectLink(key) {
  const link = el('a', {href: '/objects/' + key.split('/').map(encodeURIComponent).join('/')})
  link.append(breakable(key))
  return link
}

function clock(iso) {
  return iso ? String(iso).slice(11, 19) : ''
}

function hourName(hour) {
  return hour ? hour.slice(0, 10) + ' ' + hour.slice(11, 13) + ':00' : 'unpartitioned'
}

function count(n, one) {
  return n + ' ' + (n === 1 ? one : one + 's')
}

function bytes(n) {
  return n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB'
}

function drawChart(minutes) {
  if (!changed('chart', minutes)) return
  const svg = $('chart')
  const width = 600
  const height = 150
  const max = Math.max(1, ...minutes.map((m) => m.records + m.refused))
  const slot = width / minutes.length
  const bars = []
  minutes.forEach((m, i) => {
    const x = i * slot + 1
    const w = Math.max(1, slot - 2)
    const h = (m.records / max) * (height - 10)
    const r = (m.refused / max) * (height - 10)
    const rect = document.createElementNS(SVG, 'rect')
    rect.setAttribute('x', x.toFixed(1))
    rect.setAttribute('y', (height - h).toFixed(1))
    rect.setAttribute('width', w.toFixed(1))
    rect.setAttribute('height', h.toFixed(1))
    rect.setAttribute('fill', '#3b82c4')
    rect.setAttribute('class', 'bar')
    rect.setAttribute('data-records', String(m.records))
    const title = document.createElementNS(SVG, 'title')
    title.textContent = clock(m.minute).slice(0, 5) + ': ' + count(m.records, 'record') + ', ' + count(m.hits, 'hit') + ', ' + m.refused + ' refused'
    rect.append(title)
    bars.push(rect)
    if (m.refused > 0) {
      const red = document.createElementNS(SVG, 'rect')
      red.setAttribute('x', x.toFixed(1))
      red.setAttribute('y', (height - h - r).toFixed(1))
      red.setAttribute('width', w.toFixed(1))
      red.setAttribute('height', r.toFixed(1))
      red.setAttribute('fill', '#d9534f')
      red.setAttribute('class', 'refused')
      bars.push(red)
    }
  })
  for (const share of [0.5, 1]) {
    const line = document.createElementNS(SVG, 'line')
    const y = (height - share * (height - 10)).toFixed(1)
    line.setAttribute('x1', '0')
    line.setAttribute('x2', String(width))
    line.setAttribute('y1', y)
    line.setAttribute('y2', y)
    line.setAttribute('stroke', '#d9dde5')
    line.setAttribute('stroke-dasharray', '4 4')
    line.setAttribute('vector-effect', 'non-scaling-stroke')
    bars.unshift(line)
  }
  svg.replaceChildren(...bars)
  const last = minutes[minutes.length - 1] || {records: 0, hits: 0, refused: 0}
  $('chart-max').textContent = 'top line: ' + max + ' a minute'
  $('chart-from').textContent = clock(minutes[0] && minutes[0].minute).slice(0, 5)
  $('chart-to').textContent = 'now'
  $('chart-summary').textContent = 'This minute: ' + count(last.records, 'record') + ' taken, ' + count(last.hits, 'hit') + ', ' + last.refused + ' refused.'
}

function drawBuffer() {
  const now = Date.now() + offset
  const body = $('pending')
  const rows = state.pending.map((p) => {
    const left = Math.max(0, Math.ceil((Date.parse(p.flushAt) - now) / 1000))
    return el('tr', null, el('td', {text: hourName(p.hour)}), el('td', {class: 'num', text: String(p.records)}), el('td', {class: 'num', text: bytes(p.bytes)}), el('td', {class: 'num', text: left + ' s'}))
  })
  body.replaceChildren(...rows)
  $('pending-empty').hidden = rows.length > 0
  $('buffer-note').textContent = 'Each partition is written ' + state.bufferSeconds + ' s after its first record, or sooner when it fills.'
}

const FAULT_LABEL = {duplicate: 'second copy', corrupt: 'corrupt', lose: 'lost'}

function drawObjects() {
  if (!changed('landed', state.landedObjects)) return
  const items = state.landedObjects.map((o) => {
    const head = el('span', {class: 'line'}, el('span', {class: 'muted', text: clock(o.at) + ' '}), count(o.records, 'record') + ', ' + (o.fault === 'lose' ? 'never stored' : bytes(o.size)))
    if (o.fault) head.append(el('span', {class: 'tag v-' + o.fault, text: FAULT_LABEL[o.fault]}))
    const key = o.fault === 'lose' ? el('span', {class: 'line'}, breakable(o.key)) : el('span', {class: 'line'}, objectLink(o.key))
    return el('li', null, head, key)
  })
  $('landed-list').replaceChildren(...items)
  $('landed-empty').hidden = items.length > 0
}

function drawHits() {
  if (!changed('recent', state.recent)) return
  const items = state.recent.map((hit) => {
    const where = hit.object ? objectLink(hit.object) : hit.lost ? el('span', {class: 'v-failed', text: 'nothing: its flush was lost (dead letter)'}) : el('span', {class: 'muted', text: 'not yet: in the buffer'})
    return el('li', null,
      el('span', {class: 'line'}, el('span', {class: 'muted', text: clock(hit.ts) + ' '}), el('span', {class: 'data', text: hit.badge})),
      el('span', {class: 'line small'}, el('span', {class: 'muted', text: 'page '}), hit.page_url === null ? el('span', {class: 'muted', text: 'none'}) : breakable(hit.page_url)),
      el('span', {class: 'line small'}, el('span', {class: 'muted', text: 'user agent '}), hit.user_agent === null ? el('span', {class: 'muted', text: 'none'}) : el('span', {class: 'data', text: hit.user_agent})),
      el('span', {class: 'line small'}, el('span', {class: 'muted', text: 'landed in '}), where))
  })
  $('recent').replaceChildren(...items)
  $('recent-empty').hidden = items.length > 0
}

function drawCheck() {
  const check = state.check
  const panel = $('check-panel')
  if (!check) {
    panel.hidden = true
    return
  }
  panel.hidden = false
  const span = check.hours.length ? ' of ' + (check.hours.length === 1 ? hourName(check.hours[0].hour) : hourName(check.hours[0].hour) + ' to ' + hourName(check.hours[check.hours.length - 1].hour).slice(11)) : ''
  const status = check.error ? 'could not run: ' + check.error : check.status === 'running' && !check.checkedAt ? 'checking…' : check.checkedAt ? 'pixel check' + span + ', at ' + clock(check.checkedAt) + ' in ' + check.ms + ' ms (run ' + check.runs + ')' + (check.status === 'running' ? ', checking again…' : '') : 'waiting for the first flush'
  $('check-status').textContent = status
  if (!changed('check', check.hours)) return
  const items = check.hours.slice().reverse().map((h) => {
    const tag = h.ended ? null : el('span', {class: 'tag muted', text: 'not ended'})
    const head = el('div', {class: 'hour'},
      el('span', {class: 'name', text: hourName(h.hour)}),
      el('span', {class: 'tag v-' + h.verdict, 'data-verdict': h.verdict, text: h.verdict}),
      tag,
      el('span', {class: 'muted small', text: count(h.records, 'record') + ' in ' + count(h.objects, 'object') + (h.duplicateRecords ? ', ' + count(h.duplicateRecords, 'duplicate') : '')}))
    const list = h.findings.length ? el('ul', {class: 'findings'}, ...h.findings.map((f) => el('li', {'data-check': f.check},
      el('span', {class: 'check v-' + (f.severity === 'error' ? 'failed' : 'warning'), text: f.check}), ' ', el('span', {class: 'lake', text: f.message}),
      f.key ? el('span', {class: 'line'}, el('a', {href: '/objects/' + f.key.split('/').map(encodeURIComponent).join('/'), text: 'open the object'})) : null))) : null
    return el('li', {'data-hour': h.hour}, head, list)
  })
  $('check-hours').replaceChildren(...items)
  // Screen readers hear the hours whose verdict changed, not the whole list again.
  const verdicts = new Map(check.hours.map((h) => [h.hour, h.verdict + (h.findings.length ? ' (' + [...new Set(h.findings.map((f) => f.check))].join(', ') + ')' : '')]))
  if (check.runs > 0) {
    if (lastVerdicts !== null) {
      const news = [...verdicts].filter(([hour, verdict]) => lastVerdicts.get(hour) !== verdict).map(([hour, verdict]) => hourName(hour) + ' ' + verdict)
      if (news.length) $('verdict-live').textContent = 'pixel check: ' + news.join('; ')
    }
    lastVerdicts = verdicts
  }
}

function drawFaults() {
  const faults = state.faults
  $('faults-panel').hidden = !faults
  if (!faults) return
  const now = Date.now() + offset
  const throttle = $('fault-throttle')
  const left = faults.throttleUntil ? Math.max(0, Math.ceil((Date.parse(faults.throttleUntil) - now) / 1000)) : 0
  $('throttle-state').textContent = left > 0 ? 'Throttling: ' + left + ' s left.' : ''
  throttle.disabled = left > 0
  const armed = faults.armed.map((a) => (a.fault === 'lose' ? 'the flush of ' : a.fault === 'duplicate' ? 'a second copy of the next flush of ' : 'the next flush of ') + hourName(a.hour) + (a.fault === 'lose' ? ' will be lost' : a.fault === 'corrupt' ? ' will be corrupt' : ''))
  $('armed').textContent = armed.length ? 'Waiting for the flush: ' + armed.join('; ') + '.' : ''
  const repair = $('repair')
  const letters = faults.deadLetters
  repair.disabled = !state.repair || state.repair.status === 'running' || letters.length === 0
  $('dead-letters').textContent = letters.length ? 'Dead letter: ' + letters.map((d) => count(d.records, 'record') + ' of ' + hourName(d.hour)).join('; ') + '.' : 'No lost records yet.'
  const last = state.repair && state.repair.last
  $('repair-last').textContent = !last ? '' : last.error ? 'The repair failed: ' + last.error : 'Replayed ' + hourName(last.hour) + ': ' + last.sent + ' sent, ' + last.skippedDuplicate + ' skipped as already there, ' + last.failed + ' failed.'
  $('repair-command').textContent = last && !last.error ? last.command : ''
}

function draw() {
  if (!state) return
  for (const id of ['landed', 'received', 'objects', 'lost', 'refused', 'hits', 'hitsLost']) {
    $(id).textContent = String(state[id])
    const label = $(id).nextElementSibling
    if (label && label.dataset.one) label.textContent = state[id] === 1 ? label.dataset.one : label.dataset.one + 's'
  }
  drawChart(state.minutes)
  drawBuffer()
  drawObjects()
  drawHits()
  drawCheck()
  drawFaults()
}

function connect() {
  const source = new EventSource('/events')
  source.onopen = () => {
    $('conn').textContent = 'live'
    $('conn').className = 'conn live'
  }
  source.onerror = () => {
    $('conn').textContent = 'reconnecting'
    $('conn').className = 'conn down'
  }
  source.onmessage = (event) => {
    state = JSON.parse(event.data)
    offset = Date.parse(state.serverTime) - Date.now()
    draw()
  }
}

async function act(button, path, what) {
  button.disabled = true
  $('action-status').textContent = what + '…'
  try {
    const response = await fetch(path, {method: 'POST', headers: {'${DEMO_ACTION_HEADER}': '1'}, cache: 'no-store'})
    const answer = await response.json()
    $('action-status').textContent = answer.message
  } catch (error) {
    $('action-status').textContent = what + ' failed: ' + error.message
  } finally {
    button.disabled = false
    draw()
  }
}

let traffic = null
function toggleTraffic() {
  const button = $('traffic')
  if (traffic) {
    clearInterval(traffic)
    traffic = null
  } else {
    let n = 0
    traffic = setInterval(() => {
      fetch('/p.gif?b=${DEMO_BADGE}&c=traffic&n=' + n++, {cache: 'no-store'}).catch(() => {})
    }, 200)
  }
  // The label stays: a toggle says its state through aria-pressed (and its look), not by renaming itself.
  button.setAttribute('aria-pressed', traffic ? 'true' : 'false')
}

$('traffic').addEventListener('click', toggleTraffic)
for (const button of document.querySelectorAll('button[data-fault]')) {
  button.addEventListener('click', () => act(button, '/faults/' + button.dataset.fault, button.dataset.what))
}
$('repair').addEventListener('click', () => act($('repair'), '/repair', 'Replaying the lost records'))
setInterval(() => {
  if (state) {
    drawBuffer()
    drawFaults()
  }
}, 1000)
connect()
`

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

/**
 * The page's policy: only its own inline script and style (by hash), requests only to this
 * server, so that injected markup could not run even if escaping failed.
 */
export const DEMO_CONTENT_SECURITY_POLICY =
  `default-src 'none'; img-src 'self'; script-src ${sha256(DEMO_SCRIPT)}; style-src ${sha256(DEMO_STYLE)}; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`

const ACTIONS: readonly {fault: string; label: string; what: string; caught: string}[] = [
  {fault: 'duplicate', label: 'Deliver a batch twice', what: 'Delivering the next batch twice', caught: 'The next flush is stored twice under two names, as a Firehose retry does: duplicate-object and duplicate-record.'},
  {fault: 'corrupt', label: 'Corrupt an object', what: 'Corrupting the next object', caught: 'The next flush is stored cut in half, as a torn upload: corrupt-object, with its key.'},
  {fault: 'lose-flush', label: 'Lose an hour\u2019s flush', what: 'Losing an hour\u2019s flush', caught: 'A late batch of 20 records of an earlier hour is taken, and its only flush never reaches the lake: a gap in that hour. The records wait in a dead-letter file.'},
  {fault: 'throttle', label: 'Throttle Firehose for a minute', what: 'Throttling Firehose', caught: 'Half the calls are throttled, half of each batch fails: the chart shows the refusals, the counts the hits lost. pixel check sees only what landed, so a few lost hits in a busy hour leave no finding (with --history, a volume drop would).'},
]

/**
 * The demo page: the pipeline live on one screen. Hits per minute as they arrive, the Firehose
 * buffer and its next flushes, the objects as they land, pixel check of the hours with a verdict
 * per hour, buttons that break the pipeline and a repair, the latest hits. It is drawn by its
 * script from `/events`; lake data is set as text only.
 *
 * @example response.end(demoPage(stats))
 */
export function demoPage(stats: Pick<DevStats, 'stream' | 'lake' | 'landed' | 'received' | 'objects'>): string {
  const actions = ACTIONS.map((a) => `<div class="action"><button type="button" class="break" id="fault-${a.fault}" data-fault="${a.fault}" data-what="${escapeHtml(a.what)}">${escapeHtml(a.label)}</button><p>${escapeHtml(a.caught).replace(/\b(duplicate-object|duplicate-record|corrupt-object|dead-letter)\b/g, '<span class="nobr">$1</span>')}</p></div>`)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pixel dev</title>
<style>${DEMO_STYLE}</style>
</head>
<body>
<header>
<h1>pixel dev</h1>
<p class="badge"><span class="label">pixel</span><span class="value">demo</span><img id="pixel" src="/p.gif?b=${DEMO_BADGE}&amp;c=dev" width="1" height="1" alt="" referrerpolicy="no-referrer-when-downgrade"></p>
<span id="conn" class="conn">connecting</span>
<span class="small muted">Stream <code>${escapeHtml(stats.stream)}</code> delivers to <code class="data">${escapeHtml(stats.lake)}</code></span>
</header>
<main>
<section aria-labelledby="h-hits">
<h2 id="h-hits">Hits per minute</h2>
<ul class="counts">
<li><strong id="hits">0</strong> <span data-one="hit">hits</span></li>
<li><strong id="received">${stats.received}</strong> received</li>
<li><strong id="landed">${stats.landed}</strong> landed</li>
<li><strong id="objects">${stats.objects}</strong> <span data-one="object">objects</span></li>
<li><strong id="refused">0</strong> refused</li>
<li><strong id="hitsLost">0</strong> <span data-one="hit">hits</span> lost</li>
<li><strong id="lost">0</strong> <span data-one="record">records</span> lost in flushes</li>
</ul>
<div class="axis"><span class="muted">last 30 minutes</span><span id="chart-max"></span></div>
<svg id="chart" class="chart" viewBox="0 0 600 150" preserveAspectRatio="none" role="img" aria-labelledby="chart-summary"></svg>
<div class="axis"><span id="chart-from"></span><span id="chart-to"></span></div>
<div class="legend"><span><span class="swatch sw-records"></span>records taken by Firehose</span><span><span class="swatch sw-refused"></span>refused</span></div>
<p id="chart-summary" class="small muted"></p>
<button type="button" id="traffic" aria-pressed="false">Send traffic (5 hits a second)</button>
</section>
<section aria-labelledby="h-buffer">
<h2 id="h-buffer">Firehose buffer</h2>
<table><thead><tr><th>partition</th><th class="num">waiting</th><th class="num">bytes</th><th class="num">flush in</th></tr></thead><tbody id="pending"></tbody></table>
<p id="pending-empty" class="small muted">Nothing waiting: every record taken is in the lake.</p>
<p id="buffer-note" class="small muted"></p>
</section>
<section aria-labelledby="h-objects">
<h2 id="h-objects">Objects as they land</h2>
<ul id="landed-list" class="feed"></ul>
<p id="landed-empty" class="small muted">No object yet.</p>
</section>
<section id="check-panel" class="span2" aria-labelledby="h-check" hidden>
<h2 id="h-check">pixel check, live</h2>
<p id="check-status" class="small muted"></p>
<ul id="check-hours" class="feed"></ul>
<div id="verdict-live" class="sr-only" aria-live="polite" role="status"></div>
</section>
<section id="faults-panel" aria-labelledby="h-faults" hidden>
<h2 id="h-faults">Break the pipeline, then repair it</h2>
<div class="actions">
${actions.join('\n')}
<div class="action"><button type="button" class="repair" id="repair" disabled>Repair: replay the lost records</button><p>Replays the dead letter through the Firehose API with pixel replay, exactly once (its ledger sits beside it). The hour heals at the next flush.</p></div>
</div>
<p id="dead-letters" class="small"></p>
<p id="repair-last" class="small"></p>
<p><code id="repair-command" class="data"></code></p>
<p id="throttle-state" class="small"></p>
<p id="armed" class="small"></p>
<p id="action-status" role="status"></p>
</section>
<section class="wide" aria-labelledby="h-recent">
<h2 id="h-recent">Latest hits</h2>
<ul id="recent" class="feed"></ul>
<p id="recent-empty" class="small muted">No hit yet.</p>
</section>
</main>
<script>${DEMO_SCRIPT}</script>
</body>
</html>
`
}
