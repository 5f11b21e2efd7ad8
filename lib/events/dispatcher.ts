/**
 * Delivers outbox events (lib/events/store/outbox.ts) to subscriptions, signed (Standard Webhooks),
 * at least once, with retries for a day (retry-schedule.ts). The same code runs on AWS (the
 * table's stream and a schedule call functions/dispatcher.ts) and in the local stack (a loop
 * over the outbox, the stand-in for the stream).
 *
 * 1. Fan-out: an event still in the outbox (not settled away by an erasure) and not older
 *    than an erasure of a user it names gets one delivery per matching active subscription
 *    (created once: lib/events/store/deliveries.ts), then leaves the pending list.
 * 2. Attempt: a due delivery is claimed (a lease), its event read again (an erasure since of
 *    a person it names drops it, except `contact.erased`; an actor erased since goes out as
 *    null: erasure-checks.ts), the body built, signed and posted; the outcome is logged and
 *    the delivery finished: delivered, due again later, or at its end (it then forgets the
 *    event's key). A delivery parked for a stopped subscription whose event is gone or erased
 *    is dropped at once.
 * 3. Health: a 410 disables the subscription; failures for a day make it `failing`. Either
 *    way its deliveries are parked until it is re-enabled (a parking that raced the re-enable
 *    is undone by the parker: `unparkIfActive`).
 */

import { type FloorReader, floorReader } from '../directory/erasure/erased-actors.ts';
import type { BroadcastRunner } from '../messaging/broadcast-runner.ts';
import type { StoreContext } from '../store/client.ts';
import { getItem } from '../store/item-ops.ts';
import type { Key } from '../store/keys.ts';
import { envelope } from './envelope.ts';
import {
  endDroppedEvent,
  erasedFloor,
  eventOwner,
  type OutboxItem,
  withoutErasedActor,
} from './erasure-checks.ts';
import { subscribesTo } from './event-types.ts';
import { nextAttemptAt, RETRY_WINDOW_SECONDS } from './retry-schedule.ts';
import type { SendResult } from './send-webhook.ts';
import { signedHeaders } from './sign.ts';
import {
  type AttemptOutcome,
  claimDelivery,
  createDelivery,
  type Delivery,
  dropParkedDelivery,
  type Finish,
  finishDelivery,
  listDueDeliveries,
  listPendingEvents,
  logAttempt,
  markFannedOut,
  noteSubscriptionFailure,
  noteSubscriptionSuccess,
  parkDelivery,
  resumeDelivery,
  stopSubscription,
} from './store/deliveries.ts';
import { FANNED_OUT } from './store/outbox.ts';
import {
  getSubscriptionWithSecret,
  listSubscriptionsWithSecrets,
  type SubscriptionWithSecret,
} from './store/subscriptions.ts';

export interface DispatcherDeps {
  store: StoreContext;
  /** Posts one signed delivery (send-webhook.ts in production). */
  post(request: {
    url: string;
    headers: Record<string, string>;
    body: string;
  }): Promise<SendResult>;
  /** Epoch milliseconds. */
  now?: () => number;
  random?: () => number;
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Attempts in flight at once. */
  concurrency?: number;
  /** Sends broadcasts after each sweep (broadcast-runner.ts); absent: none are sent. */
  broadcasts?: BroadcastRunner;
}

/** A delivery the fan-out just created, with the subscription and event it read. */
interface Fresh {
  subscriptionId: string;
  eventId: string;
  sub: SubscriptionWithSecret;
  event: OutboxItem;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<unknown>) {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await run(item);
      } catch (err: unknown) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

/** Whether subscription `sub` takes events of `type` (a ping only its own). */
function wants(sub: SubscriptionWithSecret, event: OutboxItem): boolean {
  if (event.type === 'ping') return event.subscriptionId === sub.id;
  return subscribesTo(sub.events, event.type);
}

export function createDispatcher(deps: DispatcherDeps) {
  const ctx = deps.store;
  const now = () => (deps.now ?? Date.now)();
  const random = deps.random ?? Math.random;
  const log = deps.log ?? (() => {});
  const concurrency = deps.concurrency ?? 8;

  /**
   * True when an erasure of a person the event names came after it (erasure-checks.ts), read
   * afresh: it follows the write it guards (a claim, a park).
   */
  async function erasedSince(event: OutboxItem): Promise<boolean> {
    return (await erasedFloor(ctx, floorReader(ctx, seconds(now())), event)) !== undefined;
  }

  /**
   * A delivery just parked, whose event may be gone or erased (an erasure's Query may have
   * missed a delivery made while it ran): dropped, so that it keeps nothing of the person.
   * True when dropped.
   */
  async function dropParkedIfErased(
    subscriptionId: string,
    eventId: string,
    eventKey: Key | undefined,
    known?: OutboxItem,
  ): Promise<boolean> {
    const event = known ?? (eventKey ? await readEvent(eventKey) : undefined);
    if (event && !(await erasedSince(event))) return false;
    return dropParkedDelivery(ctx, subscriptionId, eventId);
  }

  /**
   * After parking a delivery because its subscription was read as stopped: a re-enable
   * (PATCH: status active, then resume what is parked) may have come between that read and
   * the park and not seen it. The re-enable writes before it lists, the park before this
   * read: one of the two sees the other, so a parked delivery of an active subscription is
   * resumed by one of them.
   */
  async function resumeIfReEnabled(subscriptionId: string, eventId: string) {
    const sub = await getSubscriptionWithSecret(ctx, subscriptionId);
    if (sub?.status === 'active') {
      await resumeDelivery(ctx, subscriptionId, eventId, seconds(now()));
    }
  }

  async function readEvent(key: Key): Promise<OutboxItem | undefined> {
    return (await getItem(ctx, key, 'fan-out')) as OutboxItem | undefined;
  }

  /**
   * Step 1 for one outbox event; returns the deliveries it created, with what it read (the
   * first attempt, right after, needs not read them again).
   */
  async function fanOut(key: Key): Promise<Fresh[]> {
    const read = await readEvent(key);
    if (!read || read[FANNED_OUT]) return [];
    let event = read;
    const created: Fresh[] = [];
    if (await erasedSince(event)) {
      // A copy naming someone erased since, which the erasure's Query missed: deleted now.
      await endDroppedEvent(ctx, key, event);
    } else {
      // An actor erased since whose reference the erasure missed: ended now (read afresh).
      event = await withoutErasedActor(ctx, floorReader(ctx, seconds(now())), key, event);
      const at = seconds(now());
      const owner = eventOwner(key);
      // A stopped subscription (failing, disabled) keeps its events parked until re-enabled.
      const subs = (await listSubscriptionsWithSecrets(ctx)).filter((sub) => wants(sub, event));
      await inParallel(subs, concurrency, async (sub) => {
        const active = sub.status === 'active';
        const fresh = await createDelivery(ctx, {
          subscriptionId: sub.id,
          eventId: event.eventId,
          type: event.type,
          event: key,
          now: at,
          parked: !active,
          ...(owner !== undefined ? { about: { userId: owner, at: event.at } } : {}),
        });
        if (fresh && active)
          created.push({ subscriptionId: sub.id, eventId: event.eventId, sub, event });
        else if (fresh && !(await dropParkedIfErased(sub.id, event.eventId, key, event))) {
          await resumeIfReEnabled(sub.id, event.eventId);
        }
      });
    }
    await markFannedOut(ctx, key);
    return created;
  }

  /**
   * Finishes an attempt under its lease and logs it, dated `atMs` (when it was made: the log
   * stays in attempt order when the finishing writes are slow).
   */
  async function record(
    claimed: Delivery,
    outcome: AttemptOutcome,
    finish: Finish,
    result: { httpStatus?: number; error?: string } = {},
    atMs = now(),
  ) {
    const finished = await finishDelivery(ctx, claimed, finish);
    if (!finished) return;
    await logAttempt(ctx, claimed.subscriptionId, {
      eventId: claimed.eventId,
      type: claimed.type,
      attempt: claimed.attempts,
      outcome,
      httpStatus: result.httpStatus ?? null,
      ...(result.error ? { error: result.error } : {}),
      atMs,
      nextAttemptAt: finish.status === 'pending' ? finish.nextAttemptAt : null,
    });
    log('delivery', {
      subscriptionId: claimed.subscriptionId,
      eventId: claimed.eventId,
      type: claimed.type,
      attempt: claimed.attempts,
      outcome,
      httpStatus: result.httpStatus,
      error: result.error,
    });
  }

  /**
   * Step 2 for one delivery; resolves to its status afterwards (undefined: not ours). `known`:
   * the subscription and the event as the fan-out just read them.
   */
  async function attempt(
    subscriptionId: string,
    eventId: string,
    known?: { sub: SubscriptionWithSecret; event: OutboxItem },
    actors: FloorReader = floorReader(ctx, seconds(now())),
  ): Promise<Finish['status'] | undefined> {
    const sub = known ? known.sub : await getSubscriptionWithSecret(ctx, subscriptionId);
    if (sub && sub.status !== 'active') {
      const parked = await parkDelivery(ctx, subscriptionId, eventId);
      if (parked) {
        const eventKey =
          parked.eventPk && parked.eventSk ? { pk: parked.eventPk, sk: parked.eventSk } : undefined;
        if (await dropParkedIfErased(subscriptionId, eventId, eventKey)) return 'dropped';
        await resumeIfReEnabled(subscriptionId, eventId);
      }
      return 'parked';
    }
    const at = seconds(now());
    const claimed = await claimDelivery(ctx, subscriptionId, eventId, at);
    if (!claimed) return undefined;
    const eventKey =
      claimed.eventPk && claimed.eventSk ? { pk: claimed.eventPk, sk: claimed.eventSk } : undefined;
    const stored = known ? known.event : eventKey ? await readEvent(eventKey) : undefined;
    // The erasure check follows the claim even when the fan-out just made it: an erasure may
    // have finished since (the fan-out's other deliveries, up to `concurrency` sends, came
    // first), and the erased user's data must not be sent after it.
    const erased = stored !== undefined && (await erasedSince(stored));
    if (!sub || !stored || erased) {
      const error = !sub ? 'subscription deleted' : 'event erased';
      await record(claimed, 'dropped', { status: 'dropped' }, { error });
      if (erased && eventKey) await endDroppedEvent(ctx, eventKey, stored);
      return 'dropped';
    }
    const event = await withoutErasedActor(ctx, actors, eventKey, stored);
    const body = envelope(event, sub.includePhone);
    const headers = {
      ...signedHeaders(sub.secret, { id: event.eventId, timestamp: new Date(now()), body }),
      'content-type': 'application/json',
      'user-agent': 'telegram-contacts-webhooks',
    };
    const result = await deps.post({ url: sub.url, headers, body });
    const doneMs = now();
    const done = seconds(doneMs);
    if (result.ok) {
      await record(claimed, 'delivered', { status: 'delivered' }, result, doneMs);
      if (sub.failingSince !== undefined) await noteSubscriptionSuccess(ctx, subscriptionId);
      return 'delivered';
    }
    if (result.gone) {
      await record(claimed, 'failed', { status: 'failed' }, result, doneMs);
      await stopSubscription(
        ctx,
        subscriptionId,
        'disabled',
        'the receiver answered 410 Gone',
        done,
      );
      return 'failed';
    }
    const first = claimed.firstAttemptAt ?? at;
    const next = nextAttemptAt(claimed.attempts, first, done, random());
    await record(
      claimed,
      'failed',
      next === undefined ? { status: 'failed' } : { status: 'pending', nextAttemptAt: next },
      result,
      doneMs,
    );
    const since = await noteSubscriptionFailure(ctx, subscriptionId, done);
    if (since !== undefined && done - since >= RETRY_WINDOW_SECONDS) {
      await stopSubscription(
        ctx,
        subscriptionId,
        'failing',
        'every delivery failed for 24 h',
        done,
      );
    }
    return next === undefined ? 'failed' : 'pending';
  }

  /**
   * Fans out these new events and attempts their deliveries at once; returns how many were
   * attempted and how many of those wait for a retry. `until` (epoch ms, wall clock): no
   * attempt starts after it (a Lambda invocation's end); those left stay due for the sweep.
   */
  async function dispatchEvents(keys: Key[], until?: number) {
    const deliveries: Fresh[] = [];
    await inParallel(keys, concurrency, async (key) => {
      deliveries.push(...(await fanOut(key)));
    });
    let retrying = 0;
    let attempted = 0;
    const actors = floorReader(ctx, seconds(now()));
    await inParallel(deliveries, concurrency, async (d) => {
      if (until !== undefined && Date.now() >= until) return;
      attempted++;
      if ((await attempt(d.subscriptionId, d.eventId, d, actors)) === 'pending') retrying++;
    });
    return { attempted, retrying };
  }

  /**
   * One pass over what is waiting: events not yet fanned out (the stream missed them, or
   * there is no stream), then deliveries due now, then broadcasts for `broadcastMs` (the
   * sender's default slice when absent, none when 0), and never past `until`. Returns how
   * many of each it found.
   */
  async function sweep(limit = 100, until?: number, options: { broadcastMs?: number } = {}) {
    const events = await listPendingEvents(ctx, limit);
    const fresh = await dispatchEvents(events, until);
    const due = await listDueDeliveries(ctx, seconds(now()), limit);
    let attempted = 0;
    const actors = floorReader(ctx, seconds(now()));
    await inParallel(due, concurrency, async (d) => {
      if (until !== undefined && Date.now() >= until) return;
      attempted++;
      await attempt(d.subscriptionId, d.eventId, undefined, actors);
    });
    const left = until === undefined ? undefined : Math.max(0, until - Date.now());
    const budgets = [options.broadcastMs, left].filter((ms) => ms !== undefined);
    const broadcasts = await deps.broadcasts?.run(
      budgets.length > 0 ? Math.min(...budgets) : undefined,
    );
    return {
      events: events.length,
      deliveries: fresh.attempted + attempted,
      ...(broadcasts ? { broadcasts } : {}),
    };
  }

  return { fanOut, attempt, dispatchEvents, sweep };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
