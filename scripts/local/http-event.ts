/** Node HTTP request <-> API Gateway HTTP API (payload v2) event and result. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { finished } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** API Gateway's own payload limit; larger requests never reach a function. */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor() {
    super('request body too large');
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The request's body, up to `limit` bytes. Over it, nothing more is kept and
 * BodyTooLargeError is thrown; the rest is for `dropRest`.
 */
export function readBody(req: IncomingMessage, limit = GATEWAY_MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** The most `dropRest` reads and discards before it cuts the connection. */
const DROP_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * For an answer decided before the request's body was read (refused, or too large): reads the
 * rest and discards it, resolving once the request has ended; answer only then. Node closes
 * the connection right after an answer that ends it (the client asked `Connection: close`),
 * and closing a socket with unread data resets it: a client still sending would lose the
 * answer. Past DROP_LIMIT_BYTES the connection is cut (no answer) and it resolves as well.
 */
export function dropRest(req: IncomingMessage): Promise<void> {
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DROP_LIMIT_BYTES) req.socket.destroy();
  });
  const done = new Promise<void>((resolve) => finished(req, () => resolve()));
  req.resume();
  return done;
}

export function toEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `local-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    ...(body.length > 0 ? { body: body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0,
  };
}

export function sendResult(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const body = result.body ?? '';
  res.writeHead(result.statusCode ?? 200, {
    ...(result.headers as Record<string, string> | undefined),
    'content-length': Buffer.byteLength(body, result.isBase64Encoded ? 'base64' : 'utf8'),
  });
  res.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}
