/** API Gateway HTTP API (v2) events, shaped like the real ones. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface EventInput {
  method?: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

export function httpEvent(input: EventInput): APIGatewayProxyEventV2 {
  const method = input.method ?? 'GET';
  const query = input.query ?? {};
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: input.path,
    rawQueryString,
    headers: { 'content-type': 'application/json', ...input.headers },
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: input.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: 'test-request',
      routeKey: '$default',
      stage: '$default',
      time: '24/Nov/2025:00:00:00 +0000',
      timeEpoch: 1764000000000,
    },
    ...(input.body !== undefined ? { body: input.body } : {}),
    isBase64Encoded: false,
  };
}

export const WEBHOOK_SECRET = 'test-webhook-secret_0123456789';

/** A webhook POST carrying `update` with the right secret unless told otherwise. */
export function webhookEvent(
  update: unknown,
  options: { secret?: string | null; method?: string } = {},
): APIGatewayProxyEventV2 {
  const secret = options.secret === undefined ? WEBHOOK_SECRET : options.secret;
  return httpEvent({
    method: options.method ?? 'POST',
    path: '/telegram/webhook',
    headers: secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret },
    body: typeof update === 'string' ? update : JSON.stringify(update),
  });
}
