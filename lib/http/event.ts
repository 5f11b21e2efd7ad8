/** Reading API Gateway HTTP API (payload v2) events. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from './http-error.ts';

/** Telegram updates are small; anything over this is refused before parsing. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The one 413 detail for a body over MAX_BODY_BYTES, whatever its size (the local server says
 * the same for one over the gateway's limit, which it stops reading).
 */
export const BODY_TOO_LARGE = `request body is larger than 1 MiB (${MAX_BODY_BYTES} bytes)`;

/** Header value by case-insensitive name (API Gateway lower-cases them, local servers may not). */
export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

export function method(event: APIGatewayProxyEventV2): string {
  return event.requestContext?.http?.method?.toUpperCase() ?? 'GET';
}

/** The raw body as text, refusing bodies over MAX_BODY_BYTES with 413. */
export function bodyText(event: APIGatewayProxyEventV2): string {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new HttpError(413, BODY_TOO_LARGE);
  }
  return bytes.toString('utf8');
}

/** Parses a JSON body, 400 when it is not JSON. */
export function jsonBody(event: APIGatewayProxyEventV2): unknown {
  const text = bodyText(event);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}
