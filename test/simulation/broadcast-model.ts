/**
 * The plain reference model of broadcast sending (run-broadcast-simulation.ts records the
 * history it judges). It knows nothing of leases, pacers or passes: only what was asked of
 * Telegram and what it did, who opted out, blocked the bot or was erased and when that was
 * acknowledged, which store writes landed, and the table at the end. What must hold:
 *
 * - at most one message per broadcast and chat, always (crashes, stalls, retries, overlaps);
 * - no request without a claim of its recipient by the same invocation, and an eligibility
 *   read between the claim and the request; no request to one who was certainly not to be
 *   messaged when that read was made (an erasure, a /stop or a block acknowledged before it);
 *   never a request to one erased after the broadcast's creation, even after she came back
 *   (a new /start);
 * - after the drain (no faults): every recipient in a final state (a cancelled broadcast's
 *   untouched ones stay `queued`, counted as skipped) or gone, only if she was erased (her
 *   erasure or the sender deleted her recipient, counted as skipped), each broadcast `done`
 *   or `cancelled` with counts equal to its recipients' states, nothing left on the
 *   dispatcher's list (run-broadcast-simulation.ts also scans the table for each erased
 *   person: nothing of her but her tombstone, and her new life if she came back);
 * - `sent` iff Telegram accepted the message once; a delivered message is `sent` or
 *   `unknown`; `unknown` only where a send was interrupted (a crash or stall of the claimer,
 *   a timeout, a 5xx); `failed` only after Telegram refused (4xx) or was never reached 3
 *   times; `blocked` only for one who had blocked the bot; `skipped` only for one who may
 *   have been ineligible at a read of theirs;
 * - pacing on the simulated clock: at most `rate` request starts in any 1 s window, one per
 *   chat per second, none during a 429's retry_after; a cancel stops claims and requests
 *   within about a second.
 *
 * Allowances (each one the code documents), marked where they are used below.
 */
import type { RecipientState } from '../../lib/messaging/store/broadcast-recipients.ts';

export type AnswerKind =
  | 'ok'
  | 'rate-limited'
  | 'blocked'
  | 'deactivated'
  | 'bad-request'
  | 'server-error'
  | 'timeout'
  | 'refused';

/** Answers after which Telegram may have sent the message. */
export const MAYBE_SENT: ReadonlySet<AnswerKind> = new Set(['server-error', 'timeout']);

export interface ActorRecord {
  name: string;
  /** A broadcast sender invocation (its owner name), or a writer of the world. */
  sender?: string;
  crashed: boolean;
  /** Clock (ms) of its first stall past its leases. */
  stalledAt?: number;
}

export interface RequestRecord {
  n: number;
  seq: number;
  /** Clock (ms) when the request started. */
  at: number;
  actor: ActorRecord;
  /** The actor had stalled past its leases before this request (its lease had run out). */
  stale: boolean;
  chatId: number;
  broadcastId?: string;
  payload: Record<string, unknown>;
  answer: AnswerKind;
  /** Telegram delivered the message (always for `ok`; seeded for a timeout or a 5xx). */
  delivered: boolean;
  retryAfterMs?: number;
  /** Clock when the answer reached the actor; undefined when it crashed first. */
  answeredAt?: number;
}

/** A store write that landed (its answer may have been lost to a crash). */
export interface WriteRecord {
  seq: number;
  at: number;
  actor?: ActorRecord;
  kind: 'claim' | 'settle' | 'expire' | 'cancel' | 'finish' | 'other';
  broadcastId?: string;
  userId?: number;
  state?: string;
}

export interface ReadRecord {
  actor: ActorRecord;
  userId: number;
  /** Seq when the read was asked for (everything acknowledged before it is seen). */
  seq: number;
  result: { known: boolean; privateChat: boolean; botBlocked: boolean; broadcastOptOut: boolean };
}

/** A user's own act: /stop, /start, blocking the bot, erasure through the API. */
export interface UserOp {
  userId: number;
  kind: 'stop' | 'start' | 'block' | 'erase';
  /** Seq when its first attempt started (it may have landed from then on). */
  startSeq: number;
  /** Seq when it was acknowledged (recorded for sure). */
  ackSeq?: number;
  /** For `block`: clock (ms) from which Telegram refuses sends (403). */
  blockedAt?: number;
}

export interface BroadcastRecord {
  id: string;
  text: string;
  recipients: number[];
  createdAt: number;
  /** Seq when its creation began (its time taken, before its audience was read). */
  createdSeq: number;
}

export interface TableRecipient {
  userId: number;
  state: RecipientState;
}

export interface TableBroadcast {
  id: string;
  status: string;
  counts?: Record<string, number>;
  startedAt?: number;
  finishedAt?: number;
  recipients: TableRecipient[];
  listed: boolean;
}

export interface BroadcastHistory {
  rate: number;
  broadcasts: BroadcastRecord[];
  requests: RequestRecord[];
  writes: WriteRecord[];
  reads: ReadRecord[];
  ops: UserOp[];
  /** The table after the drain. */
  table: TableBroadcast[];
  /** Problems the run itself saw (a drain that did not finish, a deadlock). */
  invariants: string[];
}

export interface BroadcastStats {
  requests: number;
  delivered: number;
  sent: number;
  unknown: number;
  skipped: number;
  blocked: number;
  failed: number;
  cancelledBroadcasts: number;
  rateLimited: number;
  maybeSent: number;
  /** Requests left out of the pace checks: their invocation had stalled past its lease. */
  staleRequests: number;
  /** The most requests seen in any 1 s window (all invocations, stale ones left out). */
  maxPerSecond: number;
}

/** A window's length and the slack a clock-read-to-request gap may add (none here). */
const WINDOW_MS = 1000;
/** The longest an answer takes back from Telegram here, a timeout aside (run-broadcast-simulation.ts). */
const ANSWER_MS = 100;
/**
 * How late after a cancel landed a claim or a request may still come: the sender reads the
 * cancel at most once a second (broadcast-sender.ts `STATUS_EVERY_MS`), plus the store calls
 * between that read and the claim (the lease renewal, the claim itself) or the request (the
 * eligibility read), each at most 150 ms here.
 */
const CANCEL_SLACK_MS = WINDOW_MS + 4 * 150;

type Eligible = 'eligible' | 'ineligible' | 'either';

/**
 * What a read asked for at `seq`, for a broadcast whose creation began at `createdSeq`, must
 * see of `userId` (their acknowledged acts).
 */
export function eligibilityAt(
  ops: readonly UserOp[],
  userId: number,
  seq: number,
  createdSeq: number,
): Eligible {
  const mine = ops.filter((o) => o.userId === userId && o.startSeq < seq);
  const isAcked = (o: UserOp) => o.ackSeq !== undefined && o.ackSeq < seq;
  const erasures = mine.filter((o) => o.kind === 'erase');
  // Erased after the broadcast's creation began: never, even after she came back.
  if (erasures.some((o) => isAcked(o) && o.startSeq > createdSeq)) return 'ineligible';
  // Before it (or while it was being created): what she did since her erasure counts.
  const lastErasure = erasures.filter(isAcked).at(-1);
  const life = lastErasure ? mine.filter((o) => o.startSeq > lastErasure.startSeq) : mine;
  const acked = life.filter(isAcked);
  const open = life.filter((o) => !isAcked(o));
  const last = acked.at(-1);
  // Erased and not back (a new /start), or a block or a /stop that nothing later may undo
  // (only a /start undoes a /stop).
  if (lastErasure && !acked.some((o) => o.kind === 'start')) {
    return open.some((o) => o.kind === 'start') ? 'either' : 'ineligible';
  }
  if (acked.some((o) => o.kind === 'block')) return 'ineligible';
  if (last?.kind === 'stop' && !open.some((o) => o.kind === 'start')) return 'ineligible';
  if (open.length > 0) return 'either';
  // An erasure acknowledged only once the creation had begun: its floor may be after it.
  if (lastErasure && (lastErasure.ackSeq ?? 0) > createdSeq) return 'either';
  return 'eligible';
}

function windowMax(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= WINDOW_MS) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

export function checkBroadcastHistory(h: BroadcastHistory): {
  failures: string[];
  stats: BroadcastStats;
} {
  const failures: string[] = [...h.invariants];
  const fail = (line: string) => {
    if (failures.length < 40) failures.push(line);
  };
  const byId = new Map(h.broadcasts.map((b) => [b.id, b]));
  const tableOf = new Map(h.table.map((t) => [t.id, t]));
  const key = (b: string | undefined, u: number) => `${b}|${u}`;
  const requestsOf = new Map<string, RequestRecord[]>();
  for (const r of h.requests) {
    const k = key(r.broadcastId, r.chatId);
    requestsOf.set(k, [...(requestsOf.get(k) ?? []), r]);
  }
  const writesOf = new Map<string, WriteRecord[]>();
  for (const w of h.writes) {
    if (w.userId === undefined) continue;
    const k = key(w.broadcastId, w.userId);
    writesOf.set(k, [...(writesOf.get(k) ?? []), w]);
  }
  const stats: BroadcastStats = {
    requests: h.requests.length,
    delivered: h.requests.filter((r) => r.delivered).length,
    sent: 0,
    unknown: 0,
    skipped: 0,
    blocked: 0,
    failed: 0,
    cancelledBroadcasts: 0,
    rateLimited: h.requests.filter((r) => r.answer === 'rate-limited').length,
    maybeSent: h.requests.filter((r) => MAYBE_SENT.has(r.answer)).length,
    staleRequests: h.requests.filter((r) => r.stale).length,
    maxPerSecond: 0,
  };

  // --- every request: a known broadcast and recipient, its text, claimed and read first ---
  const ALLOWED_FIELDS = new Set([
    'chat_id',
    'text',
    'parse_mode',
    'disable_notification',
    'reply_markup',
  ]);
  for (const r of h.requests) {
    const b = r.broadcastId ? byId.get(r.broadcastId) : undefined;
    if (!b) {
      fail(`request ${r.n} to ${r.chatId}: no broadcast has its text`);
      continue;
    }
    if (!b.recipients.includes(r.chatId)) {
      fail(`request ${r.n}: ${r.chatId} is no recipient of ${b.id}`);
    }
    for (const field of Object.keys(r.payload)) {
      if (!ALLOWED_FIELDS.has(field)) fail(`request ${r.n} carries ${field}`);
    }
    const claims = (writesOf.get(key(b.id, r.chatId)) ?? []).filter(
      (w) => w.kind === 'claim' && w.actor === r.actor && w.seq < r.seq,
    );
    const claim = claims.at(-1);
    if (!claim) {
      fail(`request ${r.n} (${b.id} to ${r.chatId}) by ${r.actor.name} without its claim`);
      continue;
    }
    const read = h.reads
      .filter(
        (x) => x.actor === r.actor && x.userId === r.chatId && x.seq > claim.seq && x.seq < r.seq,
      )
      .at(-1);
    if (!read) {
      fail(`request ${r.n} (${b.id} to ${r.chatId}): no eligibility read after the claim`);
      continue;
    }
    // Allowance (broadcast-delivery.ts step 3): what finishes after this read, during the
    // request, cannot stop it; only what was acknowledged before the read counts.
    if (eligibilityAt(h.ops, r.chatId, read.seq, b.createdSeq) === 'ineligible') {
      const acts = h.ops.filter((o) => o.userId === r.chatId).map((o) => o.kind);
      fail(
        `request ${r.n} (${b.id}) to ${r.chatId}, whose ${acts.join(', ')} was acknowledged before its read`,
      );
    }
  }

  // --- at most once, and each recipient's final state against what happened -------------
  for (const b of h.broadcasts) {
    const t = tableOf.get(b.id);
    if (!t) {
      fail(`${b.id}: not in the table`);
      continue;
    }
    const cancelled = t.status === 'cancelled';
    if (cancelled) stats.cancelledBroadcasts++;
    if (t.status !== 'done' && !cancelled) fail(`${b.id}: ${t.status} after the drain`);
    if (t.listed) fail(`${b.id}: still listed for the dispatcher after the drain`);
    if (!t.counts) fail(`${b.id}: no counts after the drain`);
    if (t.finishedAt === undefined) fail(`${b.id}: no finishedAt`);
    if (t.startedAt !== undefined && t.finishedAt !== undefined && t.finishedAt < t.startedAt) {
      fail(`${b.id}: finished before it started`);
    }
    const tally: Record<string, number> = {};
    const stored = new Set(t.recipients.map((r) => r.userId));
    if (t.recipients.some((r) => !b.recipients.includes(r.userId))) {
      fail(`${b.id}: recipients ${[...stored]} stored, ${b.recipients} resolved`);
    }
    // A recipient gone (deleted): only one erased, and still at most one message.
    const gone = b.recipients.filter((u) => !stored.has(u));
    for (const u of gone) {
      if (!h.ops.some((o) => o.userId === u && o.kind === 'erase')) {
        fail(`${b.id}: recipient ${u} is gone, yet was never erased`);
      }
      const deliveries = (requestsOf.get(key(b.id, u)) ?? []).filter((r) => r.delivered);
      if (deliveries.length > 1)
        fail(`${b.id} to ${u} (gone): delivered ${deliveries.length} times`);
    }
    stats.skipped += gone.length;
    for (const { userId: u, state } of t.recipients) {
      tally[state] = (tally[state] ?? 0) + 1;
      const requests = requestsOf.get(key(b.id, u)) ?? [];
      const deliveries = requests.filter((r) => r.delivered);
      const writes = writesOf.get(key(b.id, u)) ?? [];
      const where = `${b.id} to ${u} (${state}; requests ${requests.map((r) => `${r.n}:${r.answer}${r.delivered ? '+' : ''}`).join(' ')})`;
      if (deliveries.length > 1) fail(`${where}: delivered ${deliveries.length} times`);
      if (state === 'queued' && !cancelled) fail(`${where}: still queued after the drain`);
      if (state === 'sending') fail(`${where}: still sending after the drain`);
      if (state === 'queued' && cancelled && deliveries.length > 0) {
        fail(`${where}: queued in a cancelled broadcast, yet delivered`);
      }
      if (deliveries.length > 0 && state !== 'sent' && state !== 'unknown') {
        fail(`${where}: delivered, yet ${state}`);
      }
      if (state === 'sent' && deliveries.length !== 1) fail(`${where}: sent without a delivery`);
      if (state === 'sent' && !requests.some((r) => r.answer === 'ok')) {
        fail(`${where}: sent, but Telegram never accepted it`);
      }
      if (state === 'unknown') {
        const maybe = requests.some((r) => MAYBE_SENT.has(r.answer));
        const interrupted = writes.some(
          (w) => w.kind === 'claim' && (w.actor?.crashed || w.actor?.stalledAt !== undefined),
        );
        if (!maybe && !interrupted) fail(`${where}: unknown, yet no send of it was interrupted`);
      }
      if (state === 'failed') {
        const refused = requests.some((r) =>
          ['deactivated', 'bad-request', 'refused'].includes(r.answer),
        );
        if (!refused) fail(`${where}: failed, yet Telegram never refused it`);
      }
      if (state === 'blocked') {
        const block = h.ops.find((o) => o.userId === u && o.kind === 'block');
        const settled = writes.find((w) => w.kind === 'settle' && w.state === 'blocked');
        if (!block || (settled && (block.blockedAt ?? 0) > settled.at)) {
          fail(`${where}: blocked, yet they had not blocked the bot`);
        }
      }
      if (state === 'skipped') {
        const reads = h.reads.filter(
          (x) =>
            x.userId === u &&
            writes.some((w) => w.kind === 'claim' && w.actor === x.actor && w.seq < x.seq),
        );
        if (!reads.some((x) => eligibilityAt(h.ops, u, x.seq, b.createdSeq) !== 'eligible')) {
          fail(`${where}: skipped, yet eligible at every read`);
        }
      }
      if (state !== 'queued') stats[state as 'sent']++;
    }
    if (t.counts) {
      const expected = {
        sent: tally.sent ?? 0,
        failed: tally.failed ?? 0,
        blocked: tally.blocked ?? 0,
        skipped: (tally.skipped ?? 0) + (cancelled ? (tally.queued ?? 0) : 0) + gone.length,
        unknown: tally.unknown ?? 0,
      };
      // A recipient erased after the broadcast finished was counted in the state she had then
      // (the counts stay as they were); one erased before counts as skipped.
      const lastStates = gone.map(
        (u) =>
          (writesOf.get(key(b.id, u)) ?? [])
            .filter((w) => (w.kind === 'settle' || w.kind === 'expire') && w.state !== 'queued')
            .at(-1)?.state,
      );
      const counts = t.counts;
      const excess = (state: keyof typeof expected) =>
        (counts[state] ?? 0) - (expected[state] ?? 0);
      const moved = (['sent', 'failed', 'blocked', 'unknown'] as const).map((state) => ({
        state,
        n: excess(state),
        may: lastStates.filter((last) => last === state).length,
      }));
      const fits =
        moved.every((m) => m.n >= 0 && m.n <= m.may) &&
        excess('skipped') === -moved.reduce((sum, m) => sum + m.n, 0);
      if (!fits) {
        fail(`${b.id}: counts ${JSON.stringify(t.counts)}, recipients ${JSON.stringify(expected)}`);
      }
    }
  }

  // --- pacing on the simulated clock ------------------------------------------------------
  // Allowance (broadcast-lease.ts): the lease is about pace only; an invocation that stalled
  // past it (a paused process) may wake and send once more while another holds it. Those
  // requests are left out of the pace checks (counted in staleRequests, bounded below).
  const paced = h.requests.filter((r) => !r.stale);
  stats.maxPerSecond = windowMax(paced.map((r) => r.at));
  if (stats.maxPerSecond > h.rate) {
    const sorted = [...paced].sort((a, b) => a.at - b.at);
    const first = sorted.findIndex((r, i) => (sorted[i + h.rate]?.at ?? Infinity) - r.at < 1000);
    const burst = sorted.slice(first, first + h.rate + 1).map((r) => `${r.at}:${r.actor.name}`);
    fail(`${stats.maxPerSecond} requests in one second (rate ${h.rate}): ${burst.join(' ')}`);
  }
  const byChat = new Map<number, RequestRecord[]>();
  for (const r of paced) byChat.set(r.chatId, [...(byChat.get(r.chatId) ?? []), r]);
  for (const [chat, list] of byChat) {
    const sorted = [...list].sort((a, b) => a.at - b.at);
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1] as RequestRecord;
      const b = sorted[i] as RequestRecord;
      if (b.at - a.at < WINDOW_MS) {
        fail(
          `chat ${chat}: requests ${a.n} (${a.actor.name}) and ${b.n} (${b.actor.name}) ${b.at - a.at} ms apart`,
        );
      }
    }
  }
  for (const limited of h.requests.filter((r) => r.answer === 'rate-limited')) {
    if (limited.answeredAt === undefined) continue; // nobody heard it
    // Telegram's retry_after runs from its answer, which left it at most ANSWER_MS after the
    // request: an invocation that stalled before hearing it (and paused only itself, its lease
    // gone) holds nobody else back beyond that.
    const heard = Math.min(limited.answeredAt, limited.at + ANSWER_MS);
    const until = heard + (limited.retryAfterMs ?? 0);
    for (const r of paced) {
      if (r.at > limited.answeredAt && r.at < until) {
        fail(
          `request ${r.n} (${r.actor.name}) at ${r.at}, during request ${limited.n}'s retry_after (until ${until})`,
        );
      }
    }
  }
  const stalls = new Set(h.requests.filter((r) => r.stale).map((r) => r.actor));
  // A stalled invocation's workers each had at most one request between their last check and
  // the request (concurrency is at most 8).
  if (stats.staleRequests > stalls.size * 8) {
    fail(`${stats.staleRequests} requests from ${stalls.size} stalled invocations`);
  }

  // --- cancels ----------------------------------------------------------------------------
  for (const cancel of h.writes.filter((w) => w.kind === 'cancel')) {
    const late = cancel.at + CANCEL_SLACK_MS;
    for (const w of h.writes) {
      if (w.kind !== 'claim' || w.broadcastId !== cancel.broadcastId || w.at <= late) continue;
      if (w.actor?.stalledAt !== undefined && w.actor.stalledAt <= w.at) continue;
      fail(`${w.broadcastId}: ${w.userId} claimed at ${w.at}, cancelled at ${cancel.at}`);
    }
    for (const r of paced) {
      if (r.broadcastId === cancel.broadcastId && r.at > late) {
        fail(`${r.broadcastId}: request ${r.n} at ${r.at}, cancelled at ${cancel.at}`);
      }
    }
  }
  return { failures, stats };
}
