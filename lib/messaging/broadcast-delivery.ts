/**
 * One recipient's turn in a broadcast: paced, checked, claimed, sent, recorded. The order is
 * what makes a message go out at most once (broadcast-recipients.ts): nothing is sent
 * without a claim, and a claim is given back (`queued`) only when Telegram certainly did not
 * send (send-outcome.ts).
 *
 * 1. a slot from the pacer (the long waits happen here, before anything is claimed);
 * 2. the claim (`queued` -> `sending`), then the pacer's gate for the request's own start;
 * 3. the recipient read again, last, right before the request: one who sent /stop or blocked
 *    the bot since the broadcast was created is `skipped` (`blocked`) and never sent; one
 *    erased since it was created (her floor is after her reference, also when she came back
 *    with a new /start since) or no longer known is deleted, under the claim, and counted as
 *    skipped (what finishes later than this read, during the request, cannot stop it);
 * 4. the pacer's `start`: the request itself one interval after the previous one (the read
 *    takes varying time), or the claim given back when a pause came meanwhile;
 * 5. sendMessage, and its outcome recorded under the claim.
 */
import { randomUUID } from 'node:crypto';
import { classifySendFailure } from '../events/send-outcome.ts';
import type { StoreContext } from '../store/client.ts';
import type { BotApi } from '../telegram/bot-api.ts';
import { sendOutboundMessage } from '../telegram/outbound-message.ts';
import type { Pacer } from './broadcast-pacer.ts';
import {
  claimRecipient,
  dropRecipient,
  type Recipient,
  type RecipientState,
  refSecondOf,
  type Settle,
  settleRecipient,
} from './store/broadcast-recipients.ts';
import type { Broadcast } from './store/broadcasts.ts';
import type { Eligibility } from './store/messaging-eligibility.ts';

/** A claim's lease: longer than a send may take (the Bot API client's 5 s timeout). */
export const CLAIM_LEASE_MS = 30_000;
/** Time a claimed recipient's send is given before its claim runs out. */
const SEND_MARGIN_MS = 10_000;
/** Sends of one message while Telegram cannot be reached (no connection made), then `failed`. */
export const MAX_TRIES = 3;

/** What a turn needs from the run it is part of. */
export interface Turn {
  store: StoreContext;
  botApi: BotApi;
  eligibility(ctx: StoreContext, userId: number): Promise<Eligibility>;
  recordBlocked(ctx: StoreContext, userId: number, at: number): Promise<void>;
  now(): number;
  pacer: Pacer;
  /** The run starts nothing more (its time is up, no slot is left, its lease lost, a failure). */
  shouldStop(): boolean;
  /** What is under way must not go on (its lease lost, a failure): a taken slot goes unused. */
  aborted(): boolean;
  /** By when a slot must start for this run to use it. */
  slotDeadline(): number;
  /** Renews the sender lease when due. */
  keepLease(): Promise<void>;
  stop(reason: string): void;
  /** No slot is left in this run: nothing more starts; slots already taken are still used. */
  endRun(): void;
  /** Nothing may be sent before `until` (Telegram's retry_after), here and by the next sender. */
  pause(until: number, broadcastId: string): Promise<void>;
  /** A message Telegram accepted. */
  sent(): void;
  /** Whether the broadcast was cancelled (read at most once a second). */
  cancelled(): Promise<boolean>;
}

/** Why a recipient is not messaged now; undefined when they may be. */
export function ineligible(
  e: Eligibility,
): { state: 'skipped' | 'blocked'; reason: string } | undefined {
  if (!e.known) return { state: 'skipped', reason: e.erased ? 'erased' : 'unknown contact' };
  if (e.botBlocked) return { state: 'blocked', reason: 'blocked the bot' };
  if (!e.privateChat) return { state: 'skipped', reason: 'no private chat with the bot' };
  if (e.broadcastOptOut) return { state: 'skipped', reason: 'opted out (/stop)' };
  return undefined;
}

/**
 * Whether the recipient was erased after the broadcast was created (her erasure floor is after
 * her reference: she is refused even after a new /start), or is unknown now: nothing of hers
 * is to be kept, so her recipient goes.
 */
export function gone(e: Eligibility, recipient: Recipient, broadcast: Broadcast): boolean {
  const madeAt = recipient.refAt ?? refSecondOf(broadcast.createdAt);
  return !e.known || (e.floor !== undefined && e.floor > madeAt);
}

/**
 * The recipient's state after its turn: `queued` when the turn did not happen (the run
 * stopped, the broadcast was cancelled, a retry later), undefined when another dispatcher
 * changed it meanwhile (the pass cannot count it).
 */
export async function deliver(
  turn: Turn,
  broadcast: Broadcast,
  recipient: Recipient,
): Promise<RecipientState | undefined> {
  const { store: ctx, now, pacer } = turn;
  const { userId } = recipient;
  if (turn.shouldStop()) return 'queued';
  const slot = await pacer.slot(userId, turn.slotDeadline());
  if (slot === undefined) {
    // Nothing more can start in this run (its time, or a pause Telegram asked for, runs past
    // it): the next sweep carries on.
    turn.endRun();
    return 'queued';
  }
  if (turn.aborted() || (await turn.cancelled())) return 'queued';
  await turn.keepLease();
  if (turn.aborted()) return 'queued';
  const token = randomUUID();
  const claimedAt = now();
  const claim = { token, now: claimedAt, leaseUntil: claimedAt + CLAIM_LEASE_MS };
  if (!(await claimRecipient(ctx, broadcast.id, userId, claim))) return undefined;

  const settle = async (result: Settle) =>
    (await settleRecipient(ctx, broadcast.id, userId, token, result, now()))
      ? result.state
      : undefined;
  // The request's own start, paced; a claim that cannot start in time is given back unsent.
  const open = await pacer.gate(userId, claim.leaseUntil - SEND_MARGIN_MS);
  if (!open || turn.aborted() || (await turn.cancelled())) {
    return settle({ state: 'queued', retryAt: now() });
  }
  // Read last, right before the request: a /stop, a block or an erasure that finished before
  // this read is honoured (the window left is this read's own latency).
  const eligibility = await turn.eligibility(ctx, userId);
  if (gone(eligibility, recipient, broadcast)) {
    // Counted as skipped: by this pass here, by the next ones as no longer stored.
    return (await dropRecipient(ctx, broadcast.id, userId, token)) ? 'skipped' : undefined;
  }
  const skip = ineligible(eligibility);
  if (skip) return settle({ state: skip.state, error: skip.reason });
  if (!(await pacer.start(userId, claim.leaseUntil - SEND_MARGIN_MS))) {
    return settle({ state: 'queued', retryAt: now() });
  }

  try {
    await sendOutboundMessage(turn.botApi, userId, broadcast.message);
  } catch (err: unknown) {
    return settleFailure(turn, broadcast, recipient, classifySendFailure(err), settle);
  }
  turn.sent();
  return settle({ state: 'sent' });
}

async function settleFailure(
  turn: Turn,
  broadcast: Broadcast,
  recipient: Recipient,
  failure: ReturnType<typeof classifySendFailure>,
  settle: (result: Settle) => Promise<RecipientState | undefined>,
): Promise<RecipientState | undefined> {
  const { error } = failure;
  const now = turn.now();
  switch (failure.kind) {
    case 'blocked': {
      const state = await settle({ state: 'blocked', error });
      await turn.recordBlocked(turn.store, recipient.userId, Math.floor(now / 1000));
      return state;
    }
    case 'failed':
    case 'unknown':
      return settle({ state: failure.kind, error });
    case 'stop':
      turn.stop(`Telegram refused the bot token (${error})`);
      return settle({ state: 'queued', retryAt: now, error });
    case 'retry': {
      if (failure.rateLimitedMs !== undefined) {
        const until = now + failure.rateLimitedMs;
        await turn.pause(until, broadcast.id);
        return settle({ state: 'queued', retryAt: until, error });
      }
      const tries = recipient.tries + 1;
      if (tries >= MAX_TRIES) return settle({ state: 'failed', error });
      return settle({ state: 'queued', retryAt: now + 1000 * 2 ** tries, tries, error });
    }
  }
}
