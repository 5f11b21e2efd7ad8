/**
 * Sends broadcasts (lib/messaging/store/broadcasts.ts), paced, at most once per recipient. The
 * dispatcher's sweep runs it for a slice of time (`run(budgetMs)`): the scheduled Lambda
 * invocation for most of its timeout, the local stack's loop for a second at a time; the next
 * sweep carries on where it stopped.
 *
 * - One sender at a time, overall (broadcast-lease.ts), so the pace holds for the bot.
 * - Broadcasts go oldest first; each in passes over its recipients (broadcast-pass.ts), each
 *   recipient's turn paced, checked again, claimed, sent and recorded (broadcast-delivery.ts).
 * - A pass that finds nothing left to send, and nothing claimed by anyone, stores the final
 *   counts and takes the broadcast off the dispatcher's list.
 * - A cancel is read at most a second late; a 429's retry_after pauses every send (and is left
 *   on the lease for the next sender).
 *
 * DynamoDB requests per recipient sent: the eligibility Query, the claim and the record
 * (UpdateItem each), plus a share of the page Query (1/200), of the cancel check (one GetItem
 * a second) and of the lease renewal (one UpdateItem per 10 s).
 */
import { randomUUID } from 'node:crypto';
import type { StoreContext } from '../store/client.ts';
import type { BotApi } from '../telegram/bot-api.ts';
import type { Turn } from './broadcast-delivery.ts';
import { createPacer, type Pacer } from './broadcast-pacer.ts';
import { runPass } from './broadcast-pass.ts';
import { recordBotBlocked } from './store/bot-blocked.ts';
import { countsOf, recipientStates } from './store/broadcast-counts.ts';
import {
  pauseSenders,
  releaseSenderLease,
  renewSenderLease,
  type SenderLease,
  takeSenderLease,
} from './store/broadcast-lease.ts';
import {
  finishBroadcast,
  forgetPending,
  listPendingBroadcasts,
  markSending,
} from './store/broadcast-progress.ts';
import { type Broadcast, getBroadcast } from './store/broadcasts.ts';
import { type Eligibility, readEligibility } from './store/messaging-eligibility.ts';

export interface BroadcastSenderDeps {
  store: StoreContext;
  botApi: BotApi;
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
/** A run stops taking slots this long before its lease runs out. */
const LEASE_MARGIN_MS = 2000;
/** How often a sending broadcast is read again (a cancel stops it within this). */
const STATUS_EVERY_MS = 1000;
/** The slice a sweep sends for when it does not say. */
export const DEFAULT_SLICE_MS = 1000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One run's state, shared by its workers. */
interface Session {
  deadline: number;
  lease: SenderLease;
  sent: number;
  stopped?: string;
  /** No slot is left before the deadline: nothing more starts. */
  closing?: boolean;
  renewing?: Promise<void>;
}

export function createBroadcastSender(deps: BroadcastSenderDeps) {
  const ctx = deps.store;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  const log = deps.log ?? (() => {});
  const concurrency = deps.concurrency ?? 8;
  const owner = deps.owner ?? `sender-${randomUUID()}`;
  /** Kept across runs: the pace goes on from one slice to the next. */
  let pacer: Pacer | undefined;
  /** The missing token is said once per sender, not on every sweep. */
  let saidNoToken = false;

  const aborted = (s: Session) =>
    s.stopped !== undefined || now() >= s.lease.until - LEASE_MARGIN_MS;
  const shouldStop = (s: Session) => aborted(s) || s.closing === true || now() >= s.deadline;

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

  /** The broadcast's cancel, read at most once a second. */
  function cancelReader(broadcast: Broadcast) {
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

  function turnOf(s: Session, pace: Pacer, broadcast: Broadcast): Turn {
    return {
      store: ctx,
      botApi: deps.botApi,
      eligibility: deps.eligibility ?? readEligibility,
      recordBlocked: deps.recordBlocked ?? recordBotBlocked,
      now,
      pacer: pace,
      shouldStop: () => shouldStop(s),
      aborted: () => aborted(s),
      slotDeadline: () => Math.min(s.deadline, s.lease.until - LEASE_MARGIN_MS),
      keepLease: () => keepLease(s),
      stop: (reason) => {
        s.stopped ??= reason;
      },
      endRun: () => {
        s.closing = true;
      },
      pause: async (until, broadcastId) => {
        pace.pause(until);
        await pauseSenders(ctx, owner, until);
        log('broadcast paused', { broadcastId, retryAfterMs: until - now() });
      },
      sent: () => {
        s.sent++;
      },
      cancelled: cancelReader(broadcast),
    };
  }

  /** Sends one broadcast until it is finished, waits, or the run must stop. */
  async function sendBroadcast(
    s: Session,
    pace: Pacer,
    id: string,
  ): Promise<{ finished: boolean; wakeAt?: number }> {
    let broadcast = await getBroadcast(ctx, id, true);
    if (broadcast?.status === 'queued') {
      const startedAt = now();
      if (await markSending(ctx, id, startedAt)) {
        broadcast = { ...broadcast, status: 'sending', startedAt };
        log('broadcast started', { broadcastId: id, recipients: broadcast.total });
      } else {
        broadcast = await getBroadcast(ctx, id, true); // cancelled meanwhile
      }
    }
    if (!broadcast || broadcast.counts) {
      await forgetPending(ctx, id);
      return { finished: true };
    }
    const turn = turnOf(s, pace, broadcast);
    for (;;) {
      const pass = await runPass(turn, broadcast, concurrency);
      if (pass.final) {
        const cancelled = await turn.cancelled();
        const counts = countsOf(pass.tally, cancelled, broadcast.total);
        await finishBroadcast(ctx, id, counts, now());
        log('broadcast finished', {
          broadcastId: id,
          recipients: broadcast.total,
          cancelled,
          ...counts,
        });
        return { finished: true };
      }
      if (shouldStop(s)) return { finished: false };
      if (pass.wakeAt > now()) return { finished: false, wakeAt: pass.wakeAt };
    }
  }

  /**
   * Without a token nothing can be sent: one warning line (the first time), and a broadcast
   * cancelled meanwhile is settled (every recipient not sent to is skipped) and taken off the
   * list, so a cancel leaves nothing waiting. One whose recipient is being sent elsewhere is
   * left to that sender.
   */
  async function settleWithoutToken(pending: string[], result: BroadcastRun) {
    if (!saidNoToken) {
      saidNoToken = true;
      log('broadcasts wait: no bot token configured', { pending: pending.length });
    }
    for (const id of pending) {
      const broadcast = await getBroadcast(ctx, id, true);
      if (!broadcast || broadcast.counts) {
        await forgetPending(ctx, id);
        result.finished++;
      } else if (broadcast.status === 'cancelled') {
        const tally = await recipientStates(ctx, id);
        if (tally.sending > 0) continue;
        await finishBroadcast(ctx, id, countsOf(tally, true, broadcast.total), now());
        result.finished++;
      }
    }
    return result;
  }

  /**
   * Sends what waits (`listed`, or what the index lists), for at most `budgetMs` (messages in
   * flight then finish). Sends nothing without a bot token (settleWithoutToken) or while
   * another dispatcher holds the lease.
   */
  async function run(budgetMs = DEFAULT_SLICE_MS, listed?: string[]): Promise<BroadcastRun> {
    const deadline = now() + budgetMs;
    const pending = budgetMs <= 0 ? [] : (listed ?? (await listPendingBroadcasts(ctx)));
    const result: BroadcastRun = { pending: pending.length, sent: 0, finished: 0 };
    if (pending.length === 0) return result;
    if (!deps.botApi.hasToken) return settleWithoutToken(pending, result);
    const lease = await takeSenderLease(ctx, owner, now(), SENDER_LEASE_MS);
    if (!lease) return { ...result, busy: true };
    pacer ??= createPacer({ rate: deps.rate, now, sleep });
    const pace = pacer;
    // Another holder's last chats: nothing before their second ends. This sender's own pacer
    // (the same holder again) knows its chats already.
    const chats = lease.previousOwner === owner ? 0 : lease.chatsQuietUntil;
    pace.pause(Math.max(lease.pausedUntil, lease.quietUntil, chats));
    const s: Session = { deadline, lease, sent: 0 };
    try {
      let queue = pending;
      while (queue.length > 0 && !shouldStop(s)) {
        const waiting: { id: string; wakeAt: number }[] = [];
        for (const id of queue) {
          const sent = await sendBroadcast(s, pace, id);
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
        await releaseSenderLease(ctx, owner, now(), pace.nextFree, pace.chatsQuietUntil).catch(
          () => undefined,
        );
      } else if (s.stopped !== 'lease lost') {
        await releaseSenderLease(ctx, owner, now(), pace.nextFree, pace.chatsQuietUntil);
      }
    }
    return result;
  }

  return { run, owner };
}

export type BroadcastSender = ReturnType<typeof createBroadcastSender>;
