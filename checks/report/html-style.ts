/**
 * The HTML report's one style sheet, inline (the CSP allows it by hash). System fonts, dark text
 * on light, colours with at least 4.5:1 contrast for text, and never colour alone: every severity
 * also has its word and its shape.
 */
export const REPORT_CSS = `
:root {
  --ink: #1b1f24; --muted: #596270; --line: #d8dde3; --soft: #f5f7f9; --paper: #ffffff;
  --accent: #1f5fbf; --bar: #4f79b8; --bar-open: #9db3d6;
  --error: #b3261e; --error-soft: #fdeceb; --warning: #8a5300; --warning-soft: #fff4de;
  --ok: #17663a; --ok-soft: #e8f6ee; --canary: #7b3fa0;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  color-scheme: light;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--soft); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1120px; margin: 0 auto; padding: 24px 20px 48px; }
h1, h2, h3 { line-height: 1.25; margin: 0; }
h2 { font-size: 1.15rem; margin-bottom: 4px; }
p { margin: 0; }
a { color: var(--accent); }
code, .mono { font-family: var(--mono); font-size: 0.86em; }
.muted { color: var(--muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin-top: 16px; min-width: 0; }
.card > p.muted, .section-note { font-size: 0.9rem; margin-bottom: 10px; }

/* The verdict banner */
.banner { border-left: 6px solid var(--ok); }
.banner.failed { border-left-color: var(--error); }
.banner.warned { border-left-color: var(--warning); }
.eyebrow { font-size: 0.8rem; letter-spacing: 0.06em; text-transform: uppercase; color: var(--muted); font-weight: 600; }
.verdict { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin: 6px 0 4px; }
.verdict h1 { font-size: 1.75rem; }
.pill { display: inline-flex; align-items: center; gap: 6px; border-radius: 999px; padding: 2px 10px; font-size: 0.85rem; font-weight: 600; white-space: nowrap; }
.pill.error { background: var(--error-soft); color: var(--error); }
.pill.warning { background: var(--warning-soft); color: var(--warning); }
.pill.ok { background: var(--ok-soft); color: var(--ok); }
.verdict-icon { font-size: 1.5rem; line-height: 1; }
.failed .verdict-icon { color: var(--error); }
.warned .verdict-icon { color: var(--warning); }
.passed .verdict-icon { color: var(--ok); }
.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 4px 16px; margin: 14px 0 0; font-size: 0.92rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(118px, 1fr)); gap: 10px; margin-top: 16px; }
.stat { background: var(--soft); border-radius: 8px; padding: 8px 12px; }
.stat b { display: block; font-size: 1.2rem; font-variant-numeric: tabular-nums; }
.stat span { font-size: 0.8rem; color: var(--muted); }
.stat.bad b { color: var(--error); }
.notes { margin: 14px 0 0; padding: 10px 12px 10px 30px; background: var(--warning-soft); border-radius: 8px; font-size: 0.88rem; }
.notes li { overflow-wrap: anywhere; }

/* Charts */
.chart-box { position: relative; margin-top: 8px; }
.chart { display: block; width: 100%; height: auto; overflow: visible; }
.chart.narrow { display: none; }
.chart.narrow .axis { font-size: 15px; }
.chart .empty { fill: var(--error); }
.chart .axis { font-size: 12px; fill: var(--muted); font-variant-numeric: tabular-nums; }
.chart .grid line { stroke: #e7eaee; stroke-width: 1; }
.chart .floor { stroke: #9aa3ad; stroke-width: 1; }
.chart .bar { fill: var(--bar); }
.chart .bar.open { fill: var(--bar-open); }
.chart .band rect { fill: #e9eff8; }
.chart .band .baseline { stroke: #47607f; stroke-width: 1.5; stroke-dasharray: 4 3; }
.chart .canary polyline { fill: none; stroke: var(--canary); stroke-width: 2; stroke-linejoin: round; }
.chart .canary circle { fill: var(--paper); stroke: var(--canary); stroke-width: 1.6; }
.chart .canary-axis { fill: var(--canary); }
.chart .marker.error { fill: var(--error); }
.chart .marker.warning { fill: #c77a00; stroke: #8a5300; stroke-width: 0.8; }
.chart .marker-glyph { stroke: #fff; stroke-width: 1.8; stroke-linecap: round; }
.chart .bin rect { fill: transparent; }
.chart .bin:hover rect, .chart .bin.active rect { fill: rgba(31, 95, 191, 0.08); }
.chart .bin:focus { outline: none; }
.chart .bin:focus-visible rect { fill: rgba(31, 95, 191, 0.1); stroke: var(--accent); stroke-width: 2; }
.chart .lag .p95 { fill: #8fb0a0; }
.chart .lag .p95.stale { fill: #c77a00; }
.chart .lag .p50 { stroke: #1e4d3a; stroke-width: 2.5; }
.chart .limit { stroke: var(--error); stroke-width: 1.5; stroke-dasharray: 6 4; }
.chart .limit-label { fill: var(--error); paint-order: stroke; stroke: var(--paper); stroke-width: 4px; stroke-linejoin: round; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 10px 0 0; padding: 0; list-style: none; font-size: 0.85rem; color: var(--muted); }
.legend li { display: inline-flex; align-items: center; gap: 6px; }
.key { display: inline-block; width: 14px; height: 10px; border-radius: 2px; flex: none; }
.key.bar { background: var(--bar); }
.key.open { background: repeating-linear-gradient(45deg, #f4f5f7 0 3px, #c9ced6 3px 5px); border: 1px solid #c9ced6; }
.key.band { background: #e9eff8; border-top: 2px dashed #47607f; }
.key.canary { height: 0; border-top: 2px solid var(--canary); }
.key.p95 { background: #8fb0a0; }
.key.stale { background: #c77a00; }
.key.p50 { height: 0; border-top: 3px solid #1e4d3a; }
.key.limit { height: 0; border-top: 2px dashed var(--error); }
.glyph { font-weight: 700; }
.glyph.error { color: var(--error); }
.glyph.warning { color: #a86500; }
.tooltip {
  position: absolute; z-index: 2; pointer-events: none; min-width: 200px; max-width: 280px;
  background: var(--ink); color: #fff; border-radius: 8px; padding: 10px 12px; font-size: 0.84rem;
  box-shadow: 0 6px 24px rgba(15, 23, 42, 0.25);
}
.tooltip[hidden] { display: none; }
.tooltip b { display: block; margin-bottom: 4px; font-size: 0.9rem; }
.tooltip dl { display: grid; grid-template-columns: auto auto; gap: 1px 14px; margin: 0; }
.tooltip dt { color: #c5ccd6; }
.tooltip dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.tooltip .flags { margin-top: 6px; padding-top: 6px; border-top: 1px solid #3a424d; overflow-wrap: anywhere; }
.tooltip .flags .error { color: #ffb4ab; }
.tooltip .flags .warning { color: #ffd68a; }
.hint { font-size: 0.82rem; color: var(--muted); margin-top: 6px; }

/* Tables */
.table-box { overflow-x: auto; margin-top: 10px; border: 1px solid var(--line); border-radius: 8px; }
.table-box:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; text-align: right; white-space: nowrap; border-bottom: 1px solid #eceff2; }
th { background: var(--soft); color: var(--muted); font-weight: 600; font-size: 0.8rem; position: sticky; top: 0; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
td.text { white-space: normal; min-width: 12em; overflow-wrap: anywhere; }
tbody tr:last-child td { border-bottom: 0; }
tr.flag-error > :first-child { box-shadow: inset 3px 0 0 var(--error); }
tr.flag-warning > :first-child { box-shadow: inset 3px 0 0 #c77a00; }
tbody th { text-align: left; font-weight: 600; color: var(--ink); background: transparent; position: static; font-size: 0.88rem; }
tr.open td { color: var(--muted); }
td .checks { color: var(--ink); }
.spark { width: 96px; height: 22px; display: block; }
.spark polyline { fill: none; stroke: var(--bar); stroke-width: 1.6; }
.trend.down { color: var(--error); }
.trend.up { color: var(--ok); }

/* Findings */
.toc { display: flex; flex-wrap: wrap; gap: 6px; margin: 12px 0 0; padding: 0; list-style: none; }
.toc a { display: inline-flex; gap: 6px; align-items: center; text-decoration: none; border: 1px solid var(--line); border-radius: 999px; padding: 3px 10px; font-size: 0.85rem; color: var(--ink); background: var(--paper); }
.toc a:hover { border-color: var(--accent); }
.check { border-top: 1px solid var(--line); margin-top: 18px; padding-top: 16px; }
.check h3 { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; font-size: 1.05rem; }
.check h3 .name { font-family: var(--mono); }
.check h3 .n { color: var(--muted); font-weight: 400; font-size: 0.9rem; }
.check .about { color: var(--muted); font-size: 0.9rem; margin: 4px 0 8px; max-width: 75ch; }
.findings { list-style: none; margin: 0; padding: 0; }
.finding { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; margin-top: 8px; break-inside: avoid; }
.finding.error { border-left: 4px solid var(--error); }
.finding.warning { border-left: 4px solid #c77a00; }
.finding.compact { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 14px; padding: 6px 12px; margin-top: 4px; }
.finding.compact .message { margin-top: 0; flex: 1 1 20em; min-width: 0; }
.finding-head { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 0.82rem; color: var(--muted); }
.finding-head .hour { font-family: var(--mono); color: var(--ink); font-weight: 600; }
.message { margin-top: 4px; overflow-wrap: anywhere; white-space: pre-wrap; }
.copyable { display: flex; align-items: flex-start; gap: 8px; margin-top: 6px; min-width: 0; }
.copyable code { flex: 1 1 auto; min-width: 0; background: var(--soft); border-radius: 6px; padding: 4px 8px; overflow-wrap: anywhere; word-break: break-all; user-select: all; }
button.copy {
  flex: none; font: inherit; font-size: 0.78rem; line-height: 1.2; padding: 4px 10px; border-radius: 6px;
  border: 1px solid #b7c0cb; background: var(--paper); color: var(--ink); cursor: pointer; min-height: 28px;
}
button.copy:hover { border-color: var(--accent); color: var(--accent); }
button.copy:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
button.copy.done { color: var(--ok); border-color: var(--ok); }
.samples { list-style: none; margin: 8px 0 0; padding: 0; }
.sample { padding: 8px 0 0; border-top: 1px dashed #e3e7eb; margin-top: 8px; }
.sample-rows { list-style: none; margin: 4px 0 0; padding: 0; }
.sample-rows li { display: grid; grid-template-columns: minmax(7.5em, max-content) minmax(0, 1fr); gap: 2px 12px; padding: 3px 0 3px 8px; font-size: 0.88rem; }
.sample-rows .where { color: var(--muted); }
.sample-rows .where code { color: var(--ink); font-size: 0.82rem; overflow-wrap: anywhere; }
.sample-rows .what { overflow-wrap: anywhere; white-space: pre-wrap; }
.more { margin-top: 8px; font-size: 0.85rem; color: var(--muted); }
.none { display: flex; gap: 10px; align-items: center; color: var(--ok); font-weight: 600; }
footer { margin-top: 24px; font-size: 0.82rem; color: var(--muted); text-align: center; }
footer code { overflow-wrap: anywhere; }

@media (max-width: 640px) {
  main { padding: 12px 10px 32px; }
  .card { padding: 14px 14px; border-radius: 8px; }
  .verdict h1 { font-size: 1.4rem; }
  .facts { gap: 4px 12px; font-size: 0.88rem; }
  .chart.wide { display: none; }
  .chart.narrow { display: block; }
  .stats { grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 6px; }
  .stat { padding: 6px 8px; }
  .stat span { font-size: 0.72rem; }
  .stat b { font-size: 1.05rem; }
  .sample-rows li { grid-template-columns: minmax(0, 1fr); gap: 0; }
}
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  .card { border: 0; padding: 8px 0; border-radius: 0; }
  .banner { border-left-width: 4px; padding-left: 12px; }
  button.copy, .tooltip, .hint, .toc { display: none !important; }
  .table-box { overflow: visible; border: 0; }
  th { position: static; }
  .check, .finding, tr, svg { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`
