/** The route sending a message to one contact now (routes.ts lists it after the contacts'). */
import { defineRoute, type Route } from '../route.ts';
import { noQuery, userParams } from '../schemas.ts';
import { DirectMessage, idempotencyHeaders, SentMessage } from './message-schemas.ts';
import { sendDirectMessage } from './messages-service.ts';

export const messageRoutes: readonly Route[] = [
  defineRoute({
    method: 'POST',
    path: '/v1/contacts/{userId}/messages',
    operationId: 'sendMessage',
    summary: 'Send a message to a contact now (write)',
    description:
      "Sends the text (optionally with parseMode, without a sound, with rows of URL buttons) to the contact's private chat with the bot and answers Telegram's message id and date. 404: unknown or erased contact. 409: the contact has not started the bot, or has blocked it (a 403 from Telegram is recorded: the contact then shows botBlocked). 503: Telegram's flood control (with Retry-After) or Telegram not reached; nothing was sent. 502: Telegram refused the message (e.g. markup that does not parse), or, with outcome: unknown in the problem, its answer did not say the message was not sent (timeout, 5xx, an unreadable answer): it may have been delivered, and it is never sent again under its key. A contact who sent /stop (broadcastOptOut) still gets direct messages. Idempotency-Key (header, or idempotencyKey in the body; both given: equal): a repeat within 24 h of the same request answers as the first did and sends nothing; while the first is still sending, 409 (a crashed request holds the key 60 s, then it is unknown); the same key with another recipient or message, 422; erasing the contact keeps the key's record as a tombstone naming no one: every repeat of the key within its 24 h, whatever its request and even after the contact came back, is 404 (detail: the contact this Idempotency-Key was used for has been erased) and sends nothing. Keys belong to the API key that used them. An answer of 404, 409 before sending, 503, or a 502 for a refused token is not kept: the key may be used again. The text is never logged.",
    scope: 'write',
    params: userParams,
    query: noQuery,
    headers: idempotencyHeaders,
    body: {
      mediaType: 'application/json',
      schema: DirectMessage,
      description: 'The message: text, parseMode, disableNotification, buttons, idempotencyKey',
    },
    status: 201,
    response: SentMessage,
    errors: [404, 409, 415, 422, 502, 503],
    run: (ctx, { params, body, headers }) =>
      sendDirectMessage(ctx, params.userId, body, headers['idempotency-key']),
  }),
];
