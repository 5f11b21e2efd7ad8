/**
 * `POST /v1/contacts/{userId}/messages`: a message sent now to a contact's private chat.
 *
 * 1. With an Idempotency-Key (header or `idempotencyKey`), the key is claimed first
 *    (store/idempotency.ts): a repeat of a finished request answers as it did, one of a
 *    request still sending is 409, another request under the key is 422. The contact's
 *    erasure leaves the key a tombstone naming no one (store/idempotency-tombstone.ts): every
 *    repeat within its 24 hours, whatever its request, is 404 `ERASED_KEY_DETAIL` and never
 *    sends, also after the contact came back. A finished record made before the contact's
 *    erasure (one the erasure missed) is made that tombstone when met, never taken as new.
 * 2. Who may be messaged (store/messaging-eligibility.ts): an unknown or erased contact is
 *    404, one who never opened a private chat with the bot or blocked it 409. Opting out of
 *    broadcasts (/stop) does not stop direct messages.
 * 3. One sendMessage, and what its answer says (send-result.ts): sent (201), surely not sent
 *    (a refusal: kept, or released when a retry may succeed), or maybe sent.
 *
 * At most once: anything that does not clearly say "not sent" (a timeout, a 5xx, a 2xx answer
 * that cannot be read, a crash between the claim and the record) leaves the key `unknown`:
 * 502 with `outcome: "unknown"`, on the call and on every repeat, and the key never sends
 * again. A crash leaves the record `pending`: 409 during its lease, `unknown` after. The text
 * is never logged; one audit line per send names the key id, the route and the recipient
 * count.
 */

import { readOwnerFloor } from '../../directory/record/owner-floor.ts';
import { HttpError } from '../../http/http-error.ts';
import { logger } from '../../logger.ts';
import {
  type Claim,
  type ClaimResult,
  claimKey,
  eraseRecord,
  idempotencyItemKey,
  recordAnswer,
  recordUnknown,
  release,
  sha256,
} from '../../messaging/store/idempotency.ts';
import { readEligibility } from '../../messaging/store/messaging-eligibility.ts';
import type { StoreContext } from '../../store/client.ts';
import { monthOf, personRefIndexKeys } from '../../store/keys.ts';
import { sendOutboundMessage } from '../../telegram/outbound-message.ts';
import { callerOf, type RequestContext } from '../context.ts';
import type { DirectMessage, SentMessage } from './message-schemas.ts';
import { type Outcome, problem, readSent, sendOutcome, UNKNOWN } from './send-result.ts';

export const SEND_ROUTE = 'POST /v1/contacts/{userId}/messages';

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

/**
 * What a repeat of a key whose recipient was erased answers (their erasure made its record a
 * tombstone). It names no one: the tombstone no longer knows whom the key was for.
 */
export const ERASED_KEY_DETAIL =
  'the contact this Idempotency-Key was used for has been erased: the request is not carried out again; use a new key';

const ERASED: Outcome = { answer: problem(404, ERASED_KEY_DETAIL), record: 'done' };

/**
 * Whether a finished record made at `createdAt` (epoch seconds) predates an erasure of
 * `userId`: the erasure makes such records tombstones (their `REF#` reference), but one
 * written while it ran may be missed by the index. One read, on repeats only.
 */
async function erasedSince(store: StoreContext, userId: number, createdAt: number) {
  const floor = await readOwnerFloor(store, userId, [monthOf(createdAt)]);
  return floor !== undefined && createdAt < floor;
}

/** Claims the key, or the outcome its record keeps (see the module comment). */
async function claimFor(
  ctx: RequestContext,
  userId: number,
  key: string,
  message: DirectMessage,
): Promise<Claim | Outcome> {
  const itemKey = idempotencyItemKey(callerOf(ctx).keyId, key);
  const hash = requestHash(userId, message);
  const found: ClaimResult = await claimKey(ctx.store, itemKey, hash, {
    now: (ctx.now ?? Date.now)(),
    expired: 'unknown',
    refs: (at) => personRefIndexKeys(userId, at),
  });
  if (
    (found.kind === 'done' || found.kind === 'unknown') &&
    (await erasedSince(ctx.store, userId, found.createdAt))
  ) {
    // The erasure missed it: it ends as the erasure would have ended it, and never sends.
    await eraseRecord(ctx.store, itemKey, found.createdAt);
    return ERASED;
  }
  switch (found.kind) {
    case 'claimed':
      return found.claim;
    case 'done':
      return { answer: found.answer, record: 'done' };
    case 'unknown':
      return UNKNOWN;
    case 'erased':
      return ERASED;
    case 'in-progress':
      throw new HttpError(409, 'a request with this key is in progress');
    case 'mismatch':
      throw new HttpError(
        422,
        'this Idempotency-Key was used for a different request (another recipient or message); use a new key',
      );
  }
}

/** Sends `message` to `userId` now (see the module comment). */
export async function sendDirectMessage(
  ctx: RequestContext,
  userId: number,
  message: DirectMessage,
  headerKey: string | undefined,
): Promise<SentMessage> {
  const key = idempotencyKeyOf(headerKey, message.idempotencyKey);
  let claim: Claim | undefined;
  if (key !== undefined) {
    const found = await claimFor(ctx, userId, key, message);
    if (!('token' in found)) return answerOf(found);
    claim = found;
  }
  let outcome: Outcome;
  try {
    outcome = await attempt(ctx, userId, message);
  } catch (err: unknown) {
    // Nothing was sent (the store failed before the send): the key is free again.
    if (claim) await release(ctx.store, claim).catch(() => undefined);
    throw err;
  }
  if (claim) await record(ctx, claim, outcome);
  return answerOf(outcome);
}

async function record(ctx: RequestContext, claim: Claim, outcome: Outcome): Promise<void> {
  try {
    if (outcome.record === 'done') await recordAnswer(ctx.store, claim, outcome.answer);
    else if (outcome.record === 'unknown') await recordUnknown(ctx.store, claim);
    else await release(ctx.store, claim);
  } catch (err: unknown) {
    // The answer stands; the record stays `pending`: 409 for its lease, `unknown` after.
    logger.warn('idempotency record failed', {
      keyId: callerOf(ctx).keyId,
      route: SEND_ROUTE,
      error: err instanceof Error ? err.name : 'Error',
    });
  }
}

/** The outcome as the route gives it: the sent message, or the problem. */
function answerOf({ answer, record }: Outcome): SentMessage {
  if (answer.status === 201) return answer.body as SentMessage;
  throw new HttpError(answer.status, answer.detail ?? '', {
    ...(answer.headers ? { headers: answer.headers } : {}),
    expose: true,
    ...(record === 'unknown' ? { extensions: { outcome: 'unknown' } } : {}),
  });
}

async function attempt(
  ctx: RequestContext,
  userId: number,
  message: DirectMessage,
): Promise<Outcome> {
  const eligibility = await readEligibility(ctx.store, userId);
  if (!eligibility.known)
    return { answer: problem(404, `no contact with id ${userId}`), record: 'release' };
  if (!eligibility.privateChat) {
    return { answer: problem(409, `contact ${userId} has not started the bot`), record: 'release' };
  }
  if (eligibility.botBlocked) {
    return { answer: problem(409, `contact ${userId} has blocked the bot`), record: 'release' };
  }
  const at = Math.floor(Date.now() / 1000);
  let outcome: Outcome;
  try {
    const sent = readSent(await sendOutboundMessage(ctx.botApi, userId, message), userId);
    outcome = sent ? { answer: { status: 201, body: sent }, record: 'done' } : UNKNOWN;
  } catch (err: unknown) {
    outcome = await sendOutcome(ctx.store, err, userId, at);
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
