/**
 * `POST /v1/contacts/{userId}/messages`: a message sent now to a contact's private chat.
 *
 * 1. With an Idempotency-Key (header or `idempotencyKey`), the key is claimed first
 *    (store/idempotency.ts): a repeat of a finished request answers as it did, one of a
 *    request still sending is 409, another request under the key is 422.
 * 2. Who may be messaged (store/messaging-eligibility.ts): an unknown or erased contact is
 *    404, one who never opened a private chat with the bot or blocked it 409. Opting out of
 *    broadcasts (/stop) does not stop direct messages.
 * 3. One sendMessage. Telegram's answer is stored under the key (repeats get it) unless
 *    Telegram surely sent nothing and a retry may succeed (429: 503 with Retry-After; no
 *    token; token refused): then the key is released. A refusal before sending (404, 409)
 *    releases it too. A 403 "blocked" is recorded (store/bot-blocked.ts).
 *
 * At most once: a timeout or a 5xx may hide a message Telegram sent, so it is stored as a
 * 502 and the key never sends again; a crash between the send and storing its answer
 * leaves the key `sending` (409) until it expires. The text is never logged; one audit line
 * per send names the key id, the route and the recipient count.
 */
import { HttpError } from '../http/http-error.ts';
import { logger } from '../logger.ts';
import { recordBotBlocked } from '../store/bot-blocked.ts';
import {
  type Claim,
  claimIdempotencyKey,
  completeClaim,
  idempotencyItemKey,
  releaseClaim,
  type StoredAnswer,
  sha256,
} from '../store/idempotency.ts';
import { readEligibility } from '../store/messaging-eligibility.ts';
import { sendFailure, sendOutboundMessage } from '../telegram/outbound-message.ts';
import { callerOf, type RequestContext } from './context.ts';
import type { DirectMessage, SentMessage } from './message-schemas.ts';

export const SEND_ROUTE = 'POST /v1/contacts/{userId}/messages';

/** What a send came to: the answer, and whether a repeat under its key gets it. */
interface Outcome {
  answer: StoredAnswer;
  keep: boolean;
}

/** The request a key stands for: the recipient and the message (not the key itself). */
export function requestHash(userId: number, message: DirectMessage): string {
  return sha256(
    JSON.stringify([
      userId,
      message.text,
      message.parseMode,
      message.disableNotification,
      message.buttons.map((row) => row.map((b) => [b.text, b.url])),
    ]),
  );
}

/** The Idempotency-Key of the request: the header's or the body's (400 when they differ). */
export function idempotencyKeyOf(
  header: string | undefined,
  body: string | undefined,
): string | undefined {
  if (header !== undefined && body !== undefined && header !== body) {
    throw new HttpError(
      400,
      'the Idempotency-Key header and idempotencyKey differ: send one of them, or the same key in both',
    );
  }
  return header ?? body;
}

const problem = (status: number, detail: string, headers?: Record<string, string>) => ({
  answer: { status, detail, ...(headers ? { headers } : {}) },
});

/** Sends `message` to `userId` now (see the module comment). */
export async function sendDirectMessage(
  ctx: RequestContext,
  userId: number,
  message: DirectMessage,
  headerKey: string | undefined,
): Promise<SentMessage> {
  const caller = callerOf(ctx);
  const key = idempotencyKeyOf(headerKey, message.idempotencyKey);
  let claim: Claim | undefined;
  if (key !== undefined) {
    const itemKey = idempotencyItemKey(caller.keyId, key);
    const found = await claimIdempotencyKey(ctx.store, itemKey, requestHash(userId, message));
    if (found.kind === 'replay') return answerOf(found.answer);
    if (found.kind === 'in-progress') {
      throw new HttpError(409, 'a request with this key is in progress');
    }
    if (found.kind === 'mismatch') {
      throw new HttpError(
        422,
        'this Idempotency-Key was used for a different request (another recipient or message); use a new key',
      );
    }
    claim = found.claim;
  }
  let outcome: Outcome;
  try {
    outcome = await attempt(ctx, userId, message);
  } catch (err: unknown) {
    // Nothing was sent (the store failed before the send): the key is free again.
    if (claim) await releaseClaim(ctx.store, claim).catch(() => undefined);
    throw err;
  }
  if (claim) {
    try {
      if (outcome.keep) await completeClaim(ctx.store, claim, outcome.answer);
      else await releaseClaim(ctx.store, claim);
    } catch (err: unknown) {
      // The answer stands; a repeat finds the key `sending` (409) until it expires.
      logger.warn('idempotency record failed', {
        keyId: caller.keyId,
        route: SEND_ROUTE,
        error: err instanceof Error ? err.name : 'Error',
      });
    }
  }
  return answerOf(outcome.answer);
}

/** The answer as the route gives it: the sent message, or the problem. */
function answerOf(answer: StoredAnswer): SentMessage {
  if (answer.status === 201) return answer.body as SentMessage;
  throw new HttpError(answer.status, answer.detail ?? '', {
    ...(answer.headers ? { headers: answer.headers } : {}),
    expose: true,
  });
}

async function attempt(
  ctx: RequestContext,
  userId: number,
  message: DirectMessage,
): Promise<Outcome> {
  const eligibility = await readEligibility(ctx.store, userId);
  if (!eligibility.known) return { ...problem(404, `no contact with id ${userId}`), keep: false };
  if (!eligibility.privateChat) {
    return { ...problem(409, `contact ${userId} has not started the bot`), keep: false };
  }
  if (eligibility.botBlocked) {
    return { ...problem(409, `contact ${userId} has blocked the bot`), keep: false };
  }
  const at = Math.floor(Date.now() / 1000);
  let outcome: Outcome;
  try {
    const sent = await sendOutboundMessage(ctx.botApi, userId, message);
    const body: SentMessage = {
      messageId: sent.message_id,
      chatId: typeof sent.chat?.id === 'number' ? sent.chat.id : userId,
      sentAt: new Date((typeof sent.date === 'number' ? sent.date : at) * 1000).toISOString(),
    };
    outcome = { answer: { status: 201, body }, keep: true };
  } catch (err: unknown) {
    outcome = await failed(ctx, err, userId, at);
  }
  logger.info('audit', {
    audit: 'message.send',
    keyId: callerOf(ctx).keyId,
    route: SEND_ROUTE,
    recipients: 1,
    status: outcome.answer.status,
  });
  return outcome;
}

async function failed(
  ctx: RequestContext,
  err: unknown,
  userId: number,
  at: number,
): Promise<Outcome> {
  const failure = sendFailure(err);
  if (!failure) throw err;
  switch (failure.kind) {
    case 'blocked':
      await recordBotBlocked(ctx.store, userId, at);
      return { ...problem(409, `contact ${userId} has blocked the bot`), keep: true };
    case 'not-started':
      return { ...problem(409, `contact ${userId} has not started the bot`), keep: true };
    case 'deactivated':
      return {
        ...problem(409, `contact ${userId} has deleted their Telegram account`),
        keep: true,
      };
    case 'forbidden':
      return {
        ...problem(409, `Telegram does not let the bot message contact ${userId} (403)`),
        keep: true,
      };
    case 'rate-limited':
      return {
        ...problem(503, 'Telegram asked to slow down (flood control); retry after Retry-After', {
          'retry-after': String(failure.retryAfter),
        }),
        keep: false,
      };
    case 'rejected':
      return { ...problem(502, failure.reason), keep: true };
    case 'no-token':
      return {
        ...problem(503, 'sending needs the bot token, and TELEGRAM_BOT_TOKEN is not configured'),
        keep: false,
      };
    case 'unauthorized':
      return { ...problem(502, 'Telegram refused the bot token (401)'), keep: false };
    case 'unreachable':
    case 'unknown':
      return {
        ...problem(
          502,
          'Telegram did not answer in time or failed; the message may have been delivered, and a repeat with the same Idempotency-Key will not send it again',
        ),
        keep: true,
      };
  }
}
