/**
 * The routes of broadcasts (`/v1/broadcasts...`): create one (a message to an audience), list
 * them, read one with its counts so far, and cancel one.
 */
import { idempotencyHeaders } from '../messages/message-schemas.ts';
import { defineRoute, type Route } from '../route.ts';
import { listQuery, noParams, noQuery } from '../schemas.ts';
import {
  ADMIN_BROADCAST_RECIPIENTS,
  Broadcast,
  BroadcastCreate,
  BroadcastList,
  broadcastParams,
  MAX_BROADCAST_AUDIENCE,
  QueuedBroadcast,
} from './broadcast-schemas.ts';
import {
  cancelBroadcastById,
  createBroadcastFor,
  getBroadcastById,
  listBroadcastsFor,
} from './broadcasts-service.ts';

export const broadcastRoutes: readonly Route[] = [
  defineRoute({
    method: 'POST',
    path: '/v1/broadcasts',
    operationId: 'createBroadcast',
    summary: 'Send a message to every contact of an audience (write; admin over 1,000 recipients)',
    description: [
      "The audience (a tag, a chat's current members, or user ids) is resolved now: contacts who have a private chat with the bot, have not blocked it and have not sent /stop are the recipients (total). The dispatcher then sends, paced under BROADCAST_RATE messages per second overall (default 25) and one per chat per second, honouring Telegram's retry_after; each recipient is checked again right before their message (a /stop meanwhile skips them). Follow it with GET /v1/broadcasts/{broadcastId}.",
      `Each recipient gets the message at most once, also across dispatcher crashes: a send interrupted between Telegram and its record is counted unknown and never repeated. More than ${ADMIN_BROADCAST_RECIPIENTS} recipients needs an admin key (403 otherwise); a tag or chatId audience of more than ${MAX_BROADCAST_AUDIENCE} contacts is 413 (a userIds list longer than ${MAX_BROADCAST_AUDIENCE} is 400: the body breaks its schema's maxItems), and a chatId never seen 404. An audience with no recipient is done at once (total 0). 503 when no bot token is configured (nothing is stored: as a direct message, it could never be sent).`,
      'Idempotency-Key (header, or idempotencyKey in the body; both given: equal): the same request again within 24 hours answers the broadcast it made (as it is now) and sends nothing more; while the first is still being processed, 409; another body under the same key, 422. Keys belong to the API key that used them (apart from those of direct messages). The text is never logged. Send the body as application/json.',
    ].join('\n\n'),
    scope: 'write',
    params: noParams,
    query: noQuery,
    headers: idempotencyHeaders,
    body: {
      mediaType: 'application/json',
      schema: BroadcastCreate,
      description:
        'text and audience; optionally parseMode, disableNotification, buttons, idempotencyKey',
    },
    status: 202,
    response: QueuedBroadcast,
    errors: [404, 409, 413, 415, 422, 503],
    run: (ctx, { body, headers }) => createBroadcastFor(ctx, body, headers['idempotency-key']),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/broadcasts',
    operationId: 'listBroadcasts',
    summary: 'The broadcasts, newest first, with their counts so far',
    description: 'Broadcasts are kept 30 days after they are created (their recipients with them).',
    scope: 'read',
    params: noParams,
    query: listQuery,
    status: 200,
    response: BroadcastList,
    run: (ctx, { query }) => listBroadcastsFor(ctx, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/broadcasts/{broadcastId}',
    operationId: 'getBroadcast',
    summary:
      'A broadcast: its status and how many messages were sent, failed, blocked, skipped or unknown',
    description:
      'While it is queued or sending, the counts are read from its recipients (one Query per ~1 MB of them); total minus their sum is still to send. Once done (or cancelled and settled) they are stored with it.',
    scope: 'read',
    params: broadcastParams,
    query: noQuery,
    status: 200,
    response: Broadcast,
    errors: [404],
    run: (ctx, { params }) => getBroadcastById(ctx, params.broadcastId),
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/broadcasts/{broadcastId}/cancel',
    operationId: 'cancelBroadcast',
    summary: 'Stop a broadcast: what is not sent yet never will be (write)',
    description:
      'The dispatcher stops within about a second; messages already on their way to Telegram finish (and count as theirs). The recipients not sent to count as skipped. A cancelled broadcast is answered as it is; a done one is 409. No body is needed.',
    scope: 'write',
    params: broadcastParams,
    query: noQuery,
    status: 200,
    response: Broadcast,
    errors: [404, 409],
    run: (ctx, { params }) => cancelBroadcastById(ctx, params.broadcastId),
  }),
];
