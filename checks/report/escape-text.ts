// Control characters (C0, DEL, C1) and the Unicode bidi controls that can reorder a terminal line.
// Matched by code-point ranges so the source file itself holds none of them.
const UNSAFE_TERMINAL = new RegExp('[\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]', 'g')
const INVALID_XML = new RegExp('[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffe\\uffff]', 'g')

function hex(c: string): string {
  const code = c.charCodeAt(0)
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/**
 * Makes attacker-controlled text (keys, user agents, URLs) safe to print on a terminal: control
 * characters, escape sequences and bidi overrides become visible `\xNN` / `\uNNNN` text.
 *
 * @example escapeTerminal('evil\u001b[2J') // 'evil\\x1b[2J'
 */
export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE_TERMINAL, hex)
}

/**
 * Escapes text for XML attributes and content, replacing the characters XML 1.0 cannot hold at all.
 *
 * @example escapeXml('<a href="x">') // '&lt;a href=&quot;x&quot;&gt;'
 */
export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML, hex)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/**
 * Makes attacker-controlled text safe as HTML content or a quoted attribute value: markup
 * characters become entities, and the controls a terminal would hide become visible `\xNN` text
 * (a bidi override must not reorder a key on the page either).
 *
 * @example escapeHtml('</script><b>') // '&lt;/script&gt;&lt;b&gt;'
 */
export function escapeHtml(text: string): string {
  return escapeTerminal(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/**
 * JSON that can sit inside an HTML `<script type="application/json">` whatever the strings hold:
 * `<`, `>` and `&` as `\u003c`-style escapes (so no `</script>` or `<!--` can end or bend the
 * element), and U+2028 / U+2029. `JSON.parse` of the element's text gives back the value exactly.
 *
 * @example jsonForScript({key: '</script>'}) // '{"key":"\\u003c/script\\u003e"}'
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
