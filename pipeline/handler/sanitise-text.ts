// C0 and C1 controls and DEL: they break log lines and terminals, and no badge, URL or user agent
// needs them. Tabs and newlines go too: a record is one line.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** A string cut to at most `maxLength` code points (the unit JSON Schema's maxLength counts). */
export interface Sanitised {
  readonly value: string
  readonly truncated: boolean
}

/**
 * `raw` made safe to store: lone surrogates replaced, control characters removed, cut to
 * `maxLength` code points without splitting a character.
 *
 * @example
 * sanitiseText('caf\u00e9\n\u0000', 3) // {value: 'caf', truncated: true}
 */
export function sanitiseText(raw: string, maxLength: number): Sanitised {
  // Look at a bounded prefix only: a code point is at most two UTF-16 units, and removing
  // control characters can only shorten the string.
  const window = raw.length > maxLength * 4 ? raw.slice(0, maxLength * 4) : raw
  const cleaned = window.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL_CHARACTERS, '')
  const codePoints = Array.from(cleaned)
  if (codePoints.length <= maxLength) return {value: cleaned, truncated: window.length < raw.length}
  return {value: codePoints.slice(0, maxLength).join(''), truncated: true}
}
