/** What the demo page shows; served as JSON at `/stats` and rendered into the page. */
export interface DevStats {
  readonly stream: string
  readonly lake: string
  /** Records acknowledged by the Firehose API. */
  readonly received: number
  /** Records written to the lake (error prefix included). */
  readonly landed: number
  readonly partitioningFailed: number
  readonly objects: number
  /** The latest hits, newest first; every field is attacker-controlled text. */
  readonly recent: readonly RecentHit[]
}

export interface RecentHit {
  readonly ts: string
  readonly badge: string
  readonly page_url: string | null
  readonly user_agent: string | null
}

/**
 * The page's policy: nothing inline, nothing from elsewhere, so injected markup could not run
 * even if escaping failed.
 */
export const DEMO_CONTENT_SECURITY_POLICY =
  "default-src 'none'; img-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** The badge the demo page's pixel carries. */
export const DEMO_BADGE = 'pixel-dev-demo'

/**
 * Escapes text for HTML element content and quoted attributes.
 *
 * @example escapeHtml('<b title="x">') // '&lt;b title=&quot;x&quot;&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * The demo page: a badge carrying the pixel `<img>`, a live count of hits landed (polled from
 * `/stats` by `/demo.js`) and the latest hits, rendered escaped.
 *
 * @example response.end(demoPage(stats))
 */
export function demoPage(stats: DevStats): string {
  const rows = stats.recent.map((hit) => `<tr><td>${escapeHtml(hit.ts)}</td><td>${escapeHtml(hit.badge)}</td><td>${escapeHtml(hit.page_url ?? '')}</td><td>${escapeHtml(hit.user_agent ?? '')}</td></tr>`)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>pixel dev</title>
<link rel="stylesheet" href="/demo.css">
<script src="/demo.js" defer></script>
</head>
<body>
<h1>pixel dev</h1>
<p class="badge"><span class="label">pixel</span><span class="value">demo</span><img id="pixel" src="/p.gif?b=${DEMO_BADGE}&amp;c=dev" width="1" height="1" alt="" referrerpolicy="no-referrer-when-downgrade"></p>
<p>Hits landed in the lake: <strong id="landed">${stats.landed}</strong> (received <span id="received">${stats.received}</span>, in <span id="objects">${stats.objects}</span> objects)</p>
<p>Stream <code>${escapeHtml(stats.stream)}</code> delivers to <code>${escapeHtml(stats.lake)}</code>.</p>
<table><thead><tr><th>time</th><th>badge</th><th>page</th><th>user agent</th></tr></thead><tbody id="recent">${rows.join('')}</tbody></table>
</body>
</html>
`
}

/** The page's script: polls `/stats` and shows it, text only (never parsed as HTML). */
export const DEMO_SCRIPT = `'use strict'
async function refresh() {
  try {
    const stats = await (await fetch('/stats', {cache: 'no-store'})).json()
    for (const id of ['landed', 'received', 'objects']) document.getElementById(id).textContent = String(stats[id])
    const body = document.getElementById('recent')
    body.replaceChildren(...stats.recent.map((hit) => {
      const row = document.createElement('tr')
      for (const value of [hit.ts, hit.badge, hit.page_url, hit.user_agent]) {
        const cell = document.createElement('td')
        cell.textContent = value ?? ''
        row.append(cell)
      }
      return row
    }))
  } catch {}
}
setInterval(refresh, 1000)
refresh()
`

export const DEMO_STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#222}
.badge{display:inline-flex;font:12px/20px Verdana,sans-serif;color:#fff;border-radius:3px;overflow:hidden}
.badge .label{background:#555;padding:0 6px}.badge .value{background:#4c1;padding:0 6px}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;word-break:break-all}
`
