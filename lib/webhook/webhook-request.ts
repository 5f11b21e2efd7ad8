/**
 * The webhook's HTTP boundary: method, secret token, body. Throws HttpError with the
 * contract's status (405, 401, 413, 400); returns the update otherwise.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Update } from 'telegraf/types';
import { header, jsonBody, method } from '../http/event.ts';
import { HttpError } from '../http/http-error.ts';
import { verifyWebhookSecret } from '../telegram/webhook-secret.ts';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export function parseWebhookRequest(event: APIGatewayProxyEventV2, secret: string): Update {
  if (method(event) !== 'POST') {
    throw new HttpError(405, 'the webhook accepts POST only', { headers: { allow: 'POST' } });
  }
  // Checked before the body is read: an unauthenticated caller gets nothing processed.
  if (!verifyWebhookSecret(secret, header(event, SECRET_HEADER))) {
    throw new HttpError(401, 'missing or wrong secret token');
  }
  const body = jsonBody(event);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'the body must be a JSON object (a Telegram Update)');
  }
  const updateId = (body as { update_id?: unknown }).update_id;
  if (typeof updateId !== 'number' || !Number.isSafeInteger(updateId) || updateId < 0) {
    throw new HttpError(400, 'update_id must be a non-negative integer');
  }
  return body as Update;
}
