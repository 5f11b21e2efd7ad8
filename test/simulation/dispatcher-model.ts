/**
 * The plain reference model of the dispatcher's simulation (run-dispatcher-simulation.ts):
 * from what happened (the events written, the subscriptions, every request the receiver got
 * and what it answered, the erasures, which invocation posted what and whether it crashed
 * afterwards) and the table at the end, what must hold. It knows the product's rules, not its
 * items' protocol:
 *
 * - Every request is signed with its subscription's secret (Standard Webhooks), carries the
 *   event's id as `webhook-id`, and its body is the event (type, timestamp, data as written;
 *   phone numbers only for `includePhone`; an actor erased since as null, always from an
 *   invocation begun after that erasure finished); it goes only to a subscription that takes
 *   the event's type (a ping only to its own).
 * - Every event reaches every subscription that takes it (a 2xx answer), unless a user it names
 *   was erased after it happened (then nothing of it goes out from an invocation that began
 *   after the erasure finished; `contact.erased` itself always goes out), or the receiver
 *   answered that delivery 410, or it failed every attempt for a day.
 * - One event reaches one subscription once, unless the invocation that sent it could not
 *   record it in time (it crashed after sending, stalled past the delivery's lease, or saw the
 *   answer too late): only then may a second 2xx follow.
 * - The attempt log agrees with the receiver: attempt numbers increase, a `delivered` line
 *   follows a 2xx answer and a `failed` one the answer (or the error) the receiver gave; a
 *   delivered delivery's last request was answered 2xx; a line is missing only where an
 *   invocation crashed.
 * - A subscription is disabled only after a 410, and made `failing` only after a day without
 *   a recorded 2xx answer. A deleted one gets nothing from an invocation begun after its
 *   deletion, and its deliveries are dropped (or, parked, left to expire).
 * - At the end nothing waits: no event on the pending list, no delivery pending or leased; and
 *   between rounds, an active subscription with no re-enable under way has nothing parked.
 */
import { isDeepStrictEqual } from 'node:util';
import { Webhook } from 'standardwebhooks';
import type { SimRequest } from './sim-receiver.ts';

type Item = Record<string, unknown>;

export interface SimSubscription {
  id: string;
  path: string;
  secret: string;
  events: string[];
  includePhone: boolean;
}

export interface SimEventRecord {
  eventId: string;
  type: string;
  at: number;
  /** Users it names (the erasure of any of them drops it). */
  users: number[];
  subscriptionId?: string;
  /** Every `data` written for it (a redelivered update may rewrite it before fan-out). */
  versions: Item[];
  /** contact.erased: whose. */
  erasedUser?: number;
  /** A membership change made by someone else: the actor (erased since: sent as null). */
  actor?: number;
}

export interface ActorRecord {
  name: string;
  startSeq: number;
  endSeq?: number;
  crashed: boolean;
  /** Stalled (out of the schedule) right now. */
  paused?: boolean;
  /** How many times it stalled so far. */
  stalls?: number;
  lastPost?: PostRecord;
  /** The call it crashed after (store calls and POSTs, 1-based). */
  crashCall?: number;
}

export interface PostRecord {
  n: number;
  seq: number;
  /** The simulated clock (epoch s). */
  clock: number;
  actor?: ActorRecord;
  /** Which of its actor's calls the POST was. */
  callIndex: number;
  eventId: string;
  subscriptionId: string;
  /** What the dispatcher saw. */
  result?: { ok: boolean; httpStatus?: number; error?: string };
  /** Its invocation stalled right after it (maybe past the delivery's lease), before recording it. */
  stalled?: boolean;
  /** Its invocation had stalled before it: its lease may have run out (another may have sent). */
  staleLease?: boolean;
}

export interface ErasureRecord {
  user: number;
  /** Its floor: events dated before it go. */
  floor: number;
  at: number;
  startSeq: number;
  doneSeq?: number;
}

export interface StopRecord {
  subscriptionId: string;
  status: string;
  at: number;
  reason?: string;
}

export interface DeletionRecord {
  subscriptionId: string;
  startSeq: number;
  doneSeq?: number;
}

export interface DispatcherHistory {
  events: Map<string, SimEventRecord>;
  subscriptions: SimSubscription[];
  posts: PostRecord[];
  requests: (SimRequest & { post?: PostRecord })[];
  erasures: ErasureRecord[];
  stops: StopRecord[];
  deletions: DeletionRecord[];
  /** Invariants seen broken between rounds (the driver checks them on the live table). */
  invariants: string[];
  table: Item[];
}

export interface DispatcherStats {
  events: number;
  /** (event, subscription) pairs that had to be delivered. */
  pairs: number;
  delivered: number;
  requests: number;
  failedRequests: number;
  /** Pairs excused: a user erased, a 410, a day of failures. */
  erased: number;
  gone: number;
  /** Pairs of a subscription deleted before it was delivered. */
  deleted: number;
  expired: number;
  /** A second 2xx after a crash between the send and its record (allowed), and their pairs. */
  duplicates: number;
  /** Requests sent by an invocation that began before an erasure of the event's user finished. */
  raced: number;
  /** Pairs whose body changed between requests. */
  bodyChanges: number;
  /** Delivered pairs with no `delivered` log line (a crash between the two writes). */
  logGaps: number;
  stops: number;
}

const DAY = 86_400;
const is2xx = (a: SimRequest['answer']) => typeof a === 'number' && a >= 200 && a < 300;

function withoutPhones(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPhones);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([name]) => name !== 'phoneNumber')
        .map(([name, inner]) => [name, withoutPhones(inner)]),
    );
  }
  return value;
}

function wants(sub: SimSubscription, event: SimEventRecord): boolean {
  if (event.type === 'ping') return event.subscriptionId === sub.id;
  return sub.events.includes('*') || sub.events.includes(event.type);
}

function signedBy(secret: string, request: SimRequest): boolean {
  const id = String(request.headers['webhook-id']);
  const timestamp = Number(request.headers['webhook-timestamp']);
  const signature = String(request.headers['webhook-signature']);
  if (!Number.isInteger(timestamp)) return false;
  const expected = new Webhook(secret).sign(id, new Date(timestamp * 1000), request.body);
  return signature.split(' ').includes(expected);
}

export function checkDispatcherHistory(history: DispatcherHistory): {
  failures: string[];
  stats: DispatcherStats;
} {
  const failures: string[] = [...new Set(history.invariants)];
  const stats: DispatcherStats = {
    events: history.events.size,
    pairs: 0,
    delivered: 0,
    requests: history.requests.length,
    failedRequests: history.requests.filter((r) => !is2xx(r.answer)).length,
    erased: 0,
    gone: 0,
    deleted: 0,
    expired: 0,
    duplicates: 0,
    raced: 0,
    bodyChanges: 0,
    logGaps: 0,
    stops: history.stops.length,
  };
  const subByPath = new Map(history.subscriptions.map((s) => [s.path, s]));
  const deletionOf = (sub: SimSubscription) =>
    history.deletions.find((d) => d.subscriptionId === sub.id);
  const erasuresOf = (event: SimEventRecord) =>
    event.type === 'contact.erased'
      ? []
      : history.erasures.filter((e) => event.users.includes(e.user) && e.floor > event.at);

  // Each request on its own.
  const byPair = new Map<string, (SimRequest & { post?: PostRecord })[]>();
  for (const request of history.requests) {
    const sub = subByPath.get(request.path);
    const id = String(request.headers['webhook-id']);
    const event = history.events.get(id);
    const what = `request ${request.post?.n ?? '?'} (${id} to ${request.path})`;
    if (!sub || !event) {
      failures.push(`${what}: no such ${sub ? 'event' : 'subscription'}`);
      continue;
    }
    if (!request.post) failures.push(`${what}: not sent by a dispatcher`);
    if (!signedBy(sub.secret, request)) failures.push(`${what}: signature does not verify`);
    if (!wants(sub, event)) failures.push(`${what}: the subscription does not take ${event.type}`);
    if (!sub.includePhone && /phoneNumber|\+1555/.test(request.body)) {
      failures.push(`${what}: a phone number to a subscription without includePhone`);
    }
    let body: { type?: unknown; timestamp?: unknown; data?: unknown } = {};
    try {
      body = JSON.parse(request.body);
    } catch {
      failures.push(`${what}: body is not JSON`);
    }
    // An actor erased after the event may go out as null (and must, from an invocation begun
    // after that erasure finished).
    const actorErasures = history.erasures.filter(
      (e) => e.user === event.actor && e.floor > event.at,
    );
    const versions =
      actorErasures.length > 0
        ? [...event.versions, ...event.versions.map((v) => ({ ...v, actorId: null }))]
        : event.versions;
    const data = versions.map((v) => (sub.includePhone ? v : withoutPhones(v)));
    if (
      body.type !== event.type ||
      body.timestamp !== new Date(event.at * 1000).toISOString() ||
      !data.some((d) => isDeepStrictEqual(d, body.data))
    ) {
      failures.push(`${what}: body ${request.body} is not the event`);
    }
    const sentActor = (body.data as { actorId?: unknown } | undefined)?.actorId;
    for (const erasure of actorErasures) {
      const begun = request.post?.actor?.startSeq ?? 0;
      if (sentActor === event.actor && erasure.doneSeq !== undefined && begun > erasure.doneSeq) {
        failures.push(
          `${what}: names actor ${event.actor}, erased (floor ${erasure.floor}) before ${request.post?.actor?.name} began`,
        );
      }
    }
    for (const erasure of erasuresOf(event)) {
      const post = request.post;
      if (erasure.doneSeq === undefined || !post || post.seq < erasure.doneSeq) continue;
      if ((post.actor?.startSeq ?? 0) > erasure.doneSeq) {
        failures.push(
          `${what}: sent by ${post.actor?.name} begun after the erasure of ${erasure.user} (floor ${erasure.floor}) finished`,
        );
      } else stats.raced++;
    }
    const deletion = deletionOf(sub);
    if (
      deletion?.doneSeq !== undefined &&
      (request.post?.actor?.startSeq ?? 0) > deletion.doneSeq
    ) {
      failures.push(
        `${what}: sent by ${request.post?.actor?.name} begun after the subscription was deleted`,
      );
    }
    const key = `${id}|${sub.id}`;
    byPair.set(key, [...(byPair.get(key) ?? []), request]);
  }

  // Each event and subscription that takes it.
  const table = history.table;
  const deliveryOf = (sub: SimSubscription, eventId: string) =>
    table.find((i) => i.pk === `SUB#${sub.id}` && i.sk === `DELIVERY#${eventId}`);
  const logOf = (sub: SimSubscription, eventId: string) =>
    table
      .filter(
        (i) =>
          i.pk === `SUB#${sub.id}` && String(i.sk).startsWith('ATTEMPT#') && i.eventId === eventId,
      )
      .sort((a, b) => Number(a.attempt) - Number(b.attempt));
  for (const event of history.events.values()) {
    for (const sub of history.subscriptions) {
      const requests = byPair.get(`${event.eventId}|${sub.id}`) ?? [];
      const posts = history.posts.filter(
        (p) => p.eventId === event.eventId && p.subscriptionId === sub.id,
      );
      if (!wants(sub, event)) continue;
      stats.pairs++;
      const pair = `${event.type} ${event.eventId} (at ${event.at}) to ${sub.path}`;
      const delivery = deliveryOf(sub, event.eventId);
      const oks = requests.filter((r) => is2xx(r.answer));
      const erased = erasuresOf(event);
      if (oks.length > 0) stats.delivered++;
      else if (erased.length > 0) stats.erased++;
      else if (requests.some((r) => r.answer === 410)) stats.gone++;
      else if (deletionOf(sub)) stats.deleted++;
      else if (
        posts.length > 0 &&
        delivery?.status === 'failed' &&
        (posts.at(-1)?.clock ?? 0) - (posts[0]?.clock ?? 0) >= 0.8 * DAY
      ) {
        stats.expired++;
      } else {
        failures.push(
          `${pair} never delivered (${requests.length} requests: ${requests.map((r) => r.answer).join(',')}; delivery ${JSON.stringify(delivery ?? null)})`,
        );
      }

      // Duplicates: only after a 2xx the dispatcher could not record in time (it crashed after
      // the send, stalled past its lease, or the answer came after its deadline).
      for (const [i, ok] of oks.entries()) {
        if (i === 0) continue;
        stats.duplicates++;
        const unrecorded = (r: (typeof oks)[number]) =>
          r.post !== undefined &&
          (!r.post.result?.ok ||
            r.post.stalled === true ||
            r.post.staleLease === true ||
            (r.post.actor?.crashed === true && (r.post.actor.crashCall ?? 0) >= r.post.callIndex));
        if (!ok.post?.staleLease && !oks.slice(0, i).some(unrecorded)) {
          failures.push(
            `${pair} delivered again by request ${ok.post?.n} though the first was recorded`,
          );
        }
      }
      if (new Set(requests.map((r) => JSON.stringify(JSON.parse(r.body).data))).size > 1) {
        stats.bodyChanges++;
      }

      // What the dispatcher saw is what the receiver answered.
      for (const post of posts) {
        const request = requests.find((r) => r.post === post);
        const result = post.result;
        if (result?.ok && !(request && is2xx(request.answer))) {
          failures.push(`${pair}: post ${post.n} ok, the receiver answered ${request?.answer}`);
        }
        if (result?.httpStatus !== undefined && request?.answer !== result.httpStatus) {
          failures.push(
            `${pair}: post ${post.n} saw ${result.httpStatus}, the receiver answered ${request?.answer}`,
          );
        }
      }

      // The delivery item and the attempt log agree with what the dispatcher saw.
      const log = logOf(sub, event.eventId);
      // An erasure deletes the deliveries of the user's events; a fan-out that read the event
      // before it and stalled creates the delivery again, and its attempt is then dropped: its
      // number starts over.
      const attempts = log
        .filter((l) => erased.length === 0 || l.outcome !== 'dropped')
        .map((l) => Number(l.attempt));
      if (new Set(attempts).size !== attempts.length) {
        failures.push(`${pair}: attempt numbers repeat in the log (${attempts})`);
      }
      const times = log.map((l) => Date.parse(String(l.at)));
      if (times.some((t, i) => i > 0 && t < (times[i - 1] as number))) {
        failures.push(`${pair}: the log's attempts go back in time`);
      }
      const seen = (line: Item) =>
        posts.some((p) =>
          line.outcome === 'delivered'
            ? p.result?.ok === true
            : line.httpStatus === null
              ? p.result?.error !== undefined
              : p.result?.httpStatus === line.httpStatus,
        );
      for (const line of log) {
        if (line.outcome === 'dropped') {
          if (erased.length === 0 && !deletionOf(sub))
            failures.push(`${pair}: dropped (${line.error}) with no erasure`);
        } else if (!seen(line)) {
          failures.push(
            `${pair}: log says attempt ${line.attempt} ${line.outcome} ${line.httpStatus}, no post saw that`,
          );
        }
      }
      const sent = log.filter((l) => l.outcome !== 'dropped').length;
      if (sent > posts.length) {
        failures.push(`${pair}: ${sent} attempts logged, ${posts.length} posts made`);
      }
      const last = posts.at(-1);
      // What an invocation that crashed or stalled sent may not be recorded (or may be recorded
      // after another's: a stale lease's answer is refused).
      const crashedSender = posts.some((p) => p.actor?.crashed || p.stalled || p.staleLease);
      const lastOk = posts.findLastIndex((p) => p.result?.ok === true);
      if (delivery?.status === 'delivered') {
        if (lastOk < 0 || posts.slice(lastOk + 1).some((p) => !p.staleLease)) {
          failures.push(
            `${pair}: delivered, but the last post saw ${JSON.stringify(last?.result)}`,
          );
        }
        if (!log.some((l) => l.outcome === 'delivered')) {
          stats.logGaps++;
          if (!crashedSender)
            failures.push(`${pair}: delivered, with no delivered line in the log`);
        }
      } else if (last?.result?.ok) {
        // Sent, then the sender crashed before recording it, and an erasure came before a retry.
        // A delivery the erasure deleted (it referred to the erased user) is dropped too.
        const excused =
          last.staleLease ||
          ((delivery === undefined || delivery.status === 'dropped') &&
            (erased.length > 0 || deletionOf(sub) !== undefined) &&
            (last.actor?.crashed || last.stalled));
        if (!excused) {
          failures.push(
            `${pair}: the last post was answered 2xx, the delivery is ${String(delivery?.status)}`,
          );
        }
      }
    }
  }

  // Health marks.
  for (const stop of history.stops) {
    const sub = history.subscriptions.find((s) => s.id === stop.subscriptionId);
    if (!sub) continue;
    const mine = history.requests.filter((r) => r.path === sub.path && r.post);
    if (
      stop.status === 'disabled' &&
      !mine.some((r) => r.answer === 410 && (r.post?.clock ?? 0) <= stop.at)
    ) {
      failures.push(`${sub.path} disabled at ${stop.at} without a 410`);
    }
    if (stop.status === 'failing') {
      const recent = mine.filter(
        (r) =>
          is2xx(r.answer) &&
          !r.post?.actor?.crashed &&
          (r.post?.clock ?? 0) > stop.at - DAY &&
          (r.post?.clock ?? 0) <= stop.at,
      );
      if (recent.length > 0) {
        failures.push(
          `${sub.path} made failing at ${stop.at}, though it answered 2xx at ${recent.map((r) => r.post?.clock).join(',')}`,
        );
      }
    }
  }

  // Nothing waits at the end (a deleted subscription's parked deliveries expire).
  const gone = new Set(history.deletions.map((d) => `SUB#${d.subscriptionId}`));
  for (const item of table) {
    if (gone.has(String(item.pk)) && item.status === 'parked') continue;
    const sk = String(item.sk);
    if (sk.startsWith('OUTBOX#') && item.gsi1pk === 'OUTBOX') {
      failures.push(`outbox event ${sk} (${String(item.type)}) still pending at the end`);
    }
    if (
      sk.startsWith('DELIVERY#') &&
      (item.status === 'pending' || item.status === 'parked' || item.lease !== undefined)
    ) {
      failures.push(
        `delivery ${String(item.pk)} ${sk} left ${String(item.status)}${item.lease ? ' and leased' : ''}`,
      );
    }
  }
  return { failures, stats };
}
