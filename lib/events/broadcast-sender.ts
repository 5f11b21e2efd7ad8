/**
 * Sends broadcasts (lib/store/broadcasts.ts), paced, at most once per recipient. The
 * dispatcher's sweep runs it for a slice of time (`run(budgetMs)`): the scheduled Lambda
 * invocation for most of its timeout, the local stack's loop for a second at a time; the next
 * sweep carries on where it stopped.
 *
 * - One sender at a time, overall (broadcast-lease.ts), so the pace holds for the bot.
 * - Broadcasts go oldest first; each in passes over its recipients (a consistent Query of the
 *   partition, in pages). A queued recipient is paced (broadcast-pacer.ts), checked again
 *   (an opt-out, a block or an erasure since the broadcast was created: skipped or blocked),
 *   claimed, sent, and its outcome recorded (send-outcome.ts). A claim whose lease passed
 *   unsettled (a crash) becomes `unknown`.
 * - A pass that finds nothing left to send, and nothing claimed by anyone, stores the final
 *   counts and takes the broadcast off the dispatcher's list.
 *
 * DynamoDB requests per recipient sent: the eligibility Query, the claim and the record
 * (UpdateItem each), plus a share of the page Query (1/200), of the cancel check (one GetItem
 * a second) and of the lease renewal (one UpdateItem per 10 s).
 */
import { randomUUID } from 'node:crypto';
import { recordBotBlocked } from '../store/bot-blocked.ts';
import {
  pauseSenders,
  releaseSenderLease,
  renewSenderLease,
  type SenderLease,
  takeSenderLease,
} from '../store/broadcast-lease.ts';
import {
  claimRecipient,
  countsOf,
  emptyTally,
  expireRecipient,
  type Recipient,
  type RecipientState,
  readRecipients,
  type Settle,
  settleRecipient,
  skipRecipient,
} from '../store/broadcast-recipients.ts';
import {
  type Broadcast,
  finishBroadcast,
  forgetPending,
  getBroadcast,
  listPendingBroadcasts,
  markSending,
} from '../store/broadcasts.ts';
import type { StoreContext } from '../store/client.ts';
import { type Eligibility, readEligibility } from '../store/messaging-eligibility.ts';
import type { BotApi } from '../telegram/bot-api.ts';
import { sendMessageOptions } from '../telegram/message-options.ts';
import { createPacer, type Pacer } from './broadcast-pacer.ts';
import { classifySendFailure } from './send-outcome.ts';

export interface BroadcastSenderDeps {
  store: StoreContext;
  botApi: Pick<BotApi, 'hasToken' | 'sendMessage'>;
  /** Messages per second overall (BROADCAST_RATE). */
  rate: number;
  /** Sends in flight at once (default 8). */
  concurrency?: number;
  /** Epoch milliseconds. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Who may be messaged now (default: messaging-eligibility.ts). */
  eligibility?: (ctx: StoreContext, userId: number) => Promise<Eligibility>;
  /** Records a 403 as the contact's block (epoch seconds; default: bot-blocked.ts). */
  recordBlocked?: (ctx: StoreContext, userId: number, at: number) => Promise<void>;
  /** This sender's name in the lease (default: random). */
  owner?: string;
}

export interface BroadcastRun {
  /** Broadcasts listed as having messages to send. */
  pending: number;
  /** Messages Telegram accepted in this run. */
  sent: number;
  /** Broadcasts finished in this run. */
  finished: number;
  /** Another dispatcher holds the lease. */
  busy?: boolean;
}

/** The sender lease's length; renewed when a third of it is left. */
export const SENDER_LEASE_MS = 30_000;
/** A claim's lease: longer than a send may take (the Bot API client's 5 s timeout). */
export const CLAIM_LEASE_MS = 30_000;
/** Sends of one message when Telegram answers 5xx (or cannot be reached), then `failed`. */
export const MAX_TRIES = 3;
/** Recipients read per page of a pass. */
const PAGE_SIZE = 200;
/** Time a claimed recipient's send is given before its claim runs out. */
const SEND_MARGIN_MS = 10_000;
/** How often a sending broadcast is read again (a cancel stops it within this). */
const STATUS_EVERY_MS = 1000;
/** When a recipient someone else changed is looked at again. */
const RECHECK_MS = 250;
/** The slice a sweep sends for when it does not say. */
export const DEFAULT_SLICE_MS = 1000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Why a recipient is not messaged now; undefined when they may be. */
function ineligible(e: Eligibility): { state: 'skipped' | 'blocked'; reason: string } | undefined {
  if (!e.known) return { state: 'skipped', reason: e.erased ? 'erased' : 'unknown contact' };
  if (e.botBlocked) return { state: 'blocked', reason: 'blocked the bot' };
  if (!e.privateChat) return { state: 'skipped', reason: 'no private chat with the bot' };
  if (e.broadcastOptOut) return { state: 'skipped', reason: 'opted out (/stop)' };
  return undefined;
}

export function createBroadcastSender(deps: BroadcastSenderDeps) {
  const ctx = deps.store;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  const log = deps.log ?? (() => {});
  const eligibility = deps.eligibility ?? readEligibility;
  const recordBlocked = deps.recordBlocked ?? recordBotBlocked;
  const concurrency = deps.concurrency ?? 8;
  const owner = deps.owner ?? `sender-${randomUUID()}`;
  let pacer: Pacer | undefined;

  /** One run's state, shared by its workers. */
  interface Session {
    deadline: number;
    lease: SenderLease;
    pacer: Pacer;
    sent: number;
    stopped?: string;
    renewing?: Promise<void>;
  }

  const shouldStop = (s: Session) =>
    s.stopped !== undefined || now() >= s.deadline || now() >= s.lease.until - 2000;

  async function keepLease(s: Session) {
    if (now() < s.lease.until - SENDER_LEASE_MS / 3) return;
    s.renewing ??= (async () => {
      const at = now();
      if (await renewSenderLease(ctx, owner, at, SENDER_LEASE_MS)) {
        s.lease = { ...s.lease, until: at + SENDER_LEASE_MS };
      } else {
        s.stopped = 'lease lost';
      }
    })().finally(() => {
      s.renewing = undefined;
    });
    await s.renewing;
  }

  /** The broadcast as it is now, read at most once a second (a cancel, seen within that). */
  function statusReader(broadcast: Broadcast) {
    let cancelled = broadcast.status === 'cancelled';
    let readAt = now();
    let reading: Promise<void> | undefined;
    return async () => {
      if (!cancelled && now() - readAt >= STATUS_EVERY_MS) {
        reading ??= (async () => {
          const current = await getBroadcast(ctx, broadcast.id, true);
          readAt = now();
          cancelled = !current || current.status === 'cancelled';
        })().finally(() => {
          reading = undefined;
        });
        await reading;
      }
      return cancelled;
    };
  }

  /** Records Telegram's answer for a claimed recipient; returns its state afterwards. */
  async function settle(
    broadcast: Broadcast,
    recipient: Recipient,
    token: string,
    result: Settle,
  ): Promise<RecipientState | undefined> {
    const at = now();
    const done = await settleRecipient(ctx, broadcast.id, recipient.userId, token, result, at);
    return done ? result.state : undefined;
  }

  /**
   * One recipient's turn: pace, check, claim, send, record. Returns its state afterwards, or
   * undefined when it could not tell (a claim lost to someone else): the pass is not final.
   */
  async function deliver(
    s: Session,
    broadcast: Broadcast,
    recipient: Recipient,
    cancelled: () => Promise<boolean>,
  ): Promise<RecipientState | undefined> {
    if (shouldStop(s)) return 'queued';
    const at = await s.pacer.slot(recipient.userId, Math.min(s.deadline, s.lease.until - 2000));
    if (at === undefined || shouldStop(s) || (await cancelled())) return 'queued';
    await keepLease(s);
    if (shouldStop(s)) return 'queued';
    const skip = ineligible(await eligibility(ctx, recipient.userId));
    if (skip) {
      return (await skipRecipient(ctx, broadcast.id, recipient.userId, skip, now()))
        ? skip.state
        : undefined;
    }
    const token = randomUUID();
    const claimedAt = now();
    const claim = { token, now: claimedAt, leaseUntil: claimedAt + CLAIM_LEASE_MS };
    if (!(await claimRecipient(ctx, broadcast.id, recipient.userId, claim))) return undefined;
    // The request's own start, paced; a claim that cannot start in time is given back unsent.
    const waitFrom = now();
    const open = await s.pacer.gate(recipient.userId, claim.leaseUntil - SEND_MARGIN_MS);
    if (!open || s.stopped !== undefined || (await cancelled())) {
      const back = { state: 'queued' as const, retryAt: now() };
      return (await settle(broadcast, recipient, token, back)) ? 'queued' : undefined;
    }
    if (now() - waitFrom > STATUS_EVERY_MS) {
      // A long wait (a pause Telegram asked for): right before sending means now.
      const late = ineligible(await eligibility(ctx, recipient.userId));
      if (late)
        return settle(broadcast, recipient, token, { state: late.state, error: late.reason });
    }
    const { text } = broadcast.message;
    let failure: ReturnType<typeof classifySendFailure> | undefined;
    try {
      await deps.botApi.sendMessage(recipient.userId, text, sendMessageOptions(broadcast.message));
    } catch (err: unknown) {
      failure = classifySendFailure(err);
    }
    if (!failure) {
      s.sent++;
      return settle(broadcast, recipient, token, { state: 'sent' });
    }
    const { error } = failure;
    switch (failure.kind) {
      case 'blocked': {
        const state = await settle(broadcast, recipient, token, { state: 'blocked', error });
        await recordBlocked(ctx, recipient.userId, Math.floor(now() / 1000));
        return state;
      }
      case 'failed':
      case 'unknown':
        return settle(broadcast, recipient, token, { state: failure.kind, error });
      case 'stop':
        s.stopped = `Telegram refused the bot token (${error})`;
        return settle(broadcast, recipient, token, { state: 'queued', retryAt: now(), error });
      case 'retry': {
        if (failure.rateLimitedMs !== undefined) {
          const until = now() + failure.rateLimitedMs;
          s.pacer.pause(until);
          await pauseSenders(ctx, owner, until);
          log('broadcast paused', {
            broadcastId: broadcast.id,
            retryAfterMs: failure.rateLimitedMs,
          });
          return settle(broadcast, recipient, token, { state: 'queued', retryAt: until, error });
        }
        const tries = recipient.tries + 1;
        if (tries >= MAX_TRIES) {
          return settle(broadcast, recipient, token, { state: 'failed', error });
        }
        const retryAt = now() + 1000 * 2 ** tries;
        return settle(broadcast, recipient, token, { state: 'queued', retryAt, tries, error });
      }
    }
  }

  /** Runs `work` over `items`, `concurrency` at a time; a failure stops the rest, then throws. */
  async function inParallel<T>(s: Session, items: T[], work: (item: T) => Promise<void>) {
    let next = 0;
    let failed: { err: unknown } | undefined;
    const worker = async () => {
      while (next < items.length && !failed) {
        const item = items[next++] as T;
        try {
          await work(item);
        } catch (err: unknown) {
          failed ??= { err };
          s.stopped ??= 'store failure';
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
    if (failed) throw failed.err;
  }

  /**
   * One pass over a broadcast's recipients. `final`: every recipient has its final state and
   * `tally` counts them; otherwise `wakeAt` says when something may be due again.
   */
  async function pass(s: Session, broadcast: Broadcast) {
    const tally = emptyTally();
    const cancelled = statusReader(broadcast);
    let open = false;
    let wakeAt = Number.POSITIVE_INFINITY;
    let startKey: Record<string, unknown> | undefined;
    do {
      if (shouldStop(s)) return { final: false, wakeAt: now() };
      const page = await readRecipients(ctx, broadcast.id, {
        limit: PAGE_SIZE,
        ...(startKey ? { startKey } : {}),
      });
      const due: Recipient[] = [];
      const isCancelled = await cancelled();
      const at = now();
      for (const r of page.recipients) {
        if (r.state === 'queued' && !isCancelled && (r.retryAt ?? 0) <= at) due.push(r);
        else if (r.state === 'queued' && !isCancelled) {
          open = true;
          wakeAt = Math.min(wakeAt, r.retryAt ?? at);
        } else if (r.state === 'sending' && r.lease !== undefined && r.lease <= at) {
          const expired = await expireRecipient(
            ctx,
            broadcast.id,
            { userId: r.userId, lease: r.lease },
            at,
          );
          if (expired) tally.unknown++;
          else {
            open = true;
            wakeAt = Math.min(wakeAt, at + RECHECK_MS);
          }
        } else if (r.state === 'sending') {
          open = true;
          wakeAt = Math.min(wakeAt, r.lease ?? at);
        } else tally[r.state]++;
      }
      await inParallel(s, due, async (r) => {
        const state = await deliver(s, broadcast, r, cancelled);
        if (state === undefined) {
          open = true;
          wakeAt = Math.min(wakeAt, now() + RECHECK_MS);
        } else if (state === 'queued' && !(await cancelled())) {
          open = true;
          wakeAt = Math.min(wakeAt, now());
        } else tally[state]++;
      });
      startKey = page.lastKey;
    } while (startKey);
    return { final: !open, tally, cancelled: await cancelled(), wakeAt };
  }

  /** Sends one broadcast until it is finished, waits, or the run must stop. */
  async function sendBroadcast(
    s: Session,
    id: string,
  ): Promise<{ finished: boolean; wakeAt?: number }> {
    let broadcast = await getBroadcast(ctx, id, true);
    if (!broadcast || broadcast.counts) {
      await forgetPending(ctx, id);
      return { finished: true };
    }
    if (broadcast.status === 'queued') {
      const startedAt = now();
      if (await markSending(ctx, id, startedAt)) {
        broadcast = { ...broadcast, status: 'sending', startedAt };
        log('broadcast started', { broadcastId: id, recipients: broadcast.total });
      } else {
        // Cancelled meanwhile (or deleted by its TTL).
        broadcast = await getBroadcast(ctx, id, true);
        if (!broadcast) {
          await forgetPending(ctx, id);
          return { finished: true };
        }
      }
    }
    for (;;) {
      const result = await pass(s, broadcast);
      if (result.final && result.tally) {
        const counts = countsOf(result.tally, result.cancelled === true);
        await finishBroadcast(ctx, id, counts, now());
        log('broadcast finished', {
          broadcastId: id,
          recipients: broadcast.total,
          cancelled: result.cancelled === true,
          ...counts,
        });
        return { finished: true };
      }
      if (shouldStop(s)) return { finished: false };
      if (result.wakeAt > now()) return { finished: false, wakeAt: result.wakeAt };
    }
  }

  /**
   * Sends what waits (`listed`, or what the index lists), for at most `budgetMs` (messages in
   * flight then finish). Does nothing without a bot token or while another dispatcher holds
   * the lease.
   */
  async function run(budgetMs = DEFAULT_SLICE_MS, listed?: string[]): Promise<BroadcastRun> {
    const deadline = now() + budgetMs;
    const pending = budgetMs <= 0 ? [] : (listed ?? (await listPendingBroadcasts(ctx)));
    const result: BroadcastRun = { pending: pending.length, sent: 0, finished: 0 };
    if (pending.length === 0) return result;
    if (!deps.botApi.hasToken) {
      log('broadcasts wait: no bot token configured', { pending: pending.length });
      return result;
    }
    const lease = await takeSenderLease(ctx, owner, now(), SENDER_LEASE_MS);
    if (!lease) return { ...result, busy: true };
    pacer ??= createPacer({ rate: deps.rate, now, sleep });
    pacer.pause(Math.max(lease.pausedUntil, lease.quietUntil));
    const s: Session = { deadline, lease, pacer, sent: 0 };
    try {
      let queue = pending;
      while (queue.length > 0 && !shouldStop(s)) {
        const waiting: { id: string; wakeAt: number }[] = [];
        for (const id of queue) {
          const sent = await sendBroadcast(s, id);
          if (sent.finished) result.finished++;
          else if (sent.wakeAt !== undefined) waiting.push({ id, wakeAt: sent.wakeAt });
          if (shouldStop(s)) break;
        }
        const wakeAt = Math.min(...waiting.map((w) => w.wakeAt));
        if (waiting.length === 0 || wakeAt >= s.deadline || shouldStop(s)) break;
        await sleep(Math.max(0, wakeAt - now()));
        queue = waiting.map((w) => w.id);
      }
    } finally {
      result.sent = s.sent;
      if (s.stopped) log('broadcasts stopped', { reason: s.stopped });
      if (s.stopped === 'store failure') {
        // Let the store's own error be the one thrown; the lease runs out if this fails too.
        await releaseSenderLease(ctx, owner, now(), pacer.nextFree).catch(() => undefined);
      } else if (s.stopped !== 'lease lost') {
        await releaseSenderLease(ctx, owner, now(), pacer.nextFree);
      }
    }
    return result;
  }

  return { run, owner };
}

export type BroadcastSender = ReturnType<typeof createBroadcastSender>;
