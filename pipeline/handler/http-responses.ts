import type {APIGatewayProxyStructuredResultV2} from 'aws-lambda'

import {TRANSPARENT_GIF_BASE64, TRANSPARENT_GIF_LENGTH} from './transparent-gif.js'

// Every view must reach the handler: no browser, proxy or CDN may answer from a cache.
const NO_CACHE = 'no-cache, no-store, must-revalidate'

const GIF_HEADERS = {
  'Content-Type': 'image/gif',
  'Cache-Control': NO_CACHE,
  Pragma: 'no-cache',
  Expires: '0',
  'X-Content-Type-Options': 'nosniff',
} as const

/** The pixel itself. No `cookies`: the pixel never sets one. */
export function gifResponse(): APIGatewayProxyStructuredResultV2 {
  return {statusCode: 200, headers: {...GIF_HEADERS}, body: TRANSPARENT_GIF_BASE64, isBase64Encoded: true}
}

/** The GIF's headers without its body, for HEAD. */
export function gifHeadResponse(): APIGatewayProxyStructuredResultV2 {
  return {statusCode: 200, headers: {...GIF_HEADERS, 'Content-Length': String(TRANSPARENT_GIF_LENGTH)}, body: '', isBase64Encoded: false}
}

export function healthResponse(): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: {'Content-Type': 'application/json', 'Cache-Control': NO_CACHE},
    body: JSON.stringify({status: 'ok'}),
    isBase64Encoded: false,
  }
}

export function notFoundResponse(): APIGatewayProxyStructuredResultV2 {
  return {statusCode: 404, headers: {'Content-Type': 'text/plain', 'Cache-Control': NO_CACHE}, body: 'not found', isBase64Encoded: false}
}
