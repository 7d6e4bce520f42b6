import type {APIGatewayProxyEventV2} from 'aws-lambda'

export interface PixelEventOverrides {
  readonly method?: string
  readonly path?: string
  readonly rawQueryString?: string
  readonly headers?: Record<string, string | undefined>
  readonly sourceIp?: string
}

/** A typed API Gateway HTTP API (payload 2.0) event for the pixel route, as tests need it. */
export function apiGatewayEvent(overrides: PixelEventOverrides = {}): APIGatewayProxyEventV2 {
  const method = overrides.method ?? 'GET'
  const path = overrides.path ?? '/p.gif'
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: overrides.rawQueryString ?? 'b=docs&c=launch',
    headers: overrides.headers ?? {'user-agent': 'Mozilla/5.0 (test)', referer: 'https://example.com/readme'},
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      requestId: 'request-1',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '28/Nov/2026:10:00:00 +0000',
      timeEpoch: Date.UTC(2026, 10, 28, 10),
      http: {method, path, protocol: 'HTTP/1.1', sourceIp: overrides.sourceIp ?? '203.0.113.77', userAgent: 'Mozilla/5.0 (test)'},
    },
  }
}
