/**
 * The standard 43-byte transparent 1x1 GIF89a: a two-colour global table and a Graphic Control
 * Extension that marks colour 0 transparent, so the pixel is invisible on any background.
 */
export const TRANSPARENT_GIF_BASE64 = 'R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=='

/** Its length in bytes, for the Content-Length of a HEAD answer. */
export const TRANSPARENT_GIF_LENGTH = Buffer.from(TRANSPARENT_GIF_BASE64, 'base64').length
