/**
 * Step 1 of the dispatcher (dispatcher.ts): an outbox event still there (not settled away by
 * an erasure) and not older than an erasure of a user it names gets one delivery per matching
 * subscription (created once: store/deliveries.ts), then leaves the pending list. A stopped
 * subscription (failing, disabled) gets its delivery parked until it is re-enabled.
 */
import { forEachConcurrently } from '../concurrency.ts';
import { floorReader } from '../directory/erasure/erased-actors.ts';
import type { Key } from '../store/keys.ts';
import { type DispatchRun, erasedSince, readEvent, seconds, settleParked } from './dispatch-run.ts';
import {
  endDroppedEvent,
  eventOwner,
  type OutboxItem,
  withoutErasedActor,
} from './erasure-checks.ts';
import { subscribesTo } from './event-types.ts';
import { createDelivery } from './store/deliveries.ts';
import { markFannedOut } from './store/dispatch-queue.ts';
import { FANNED_OUT } from './store/outbox.ts';
import { listSubscriptionsWithSecrets } from './store/subscription-lists.ts';
import type { SubscriptionWithSecret } from './store/subscriptions.ts';

/** A delivery the fan-out just created, with the subscription and event it read. */
export interface Fresh {
  subscriptionId: string;
  eventId: string;
  sub: SubscriptionWithSecret;
  event: OutboxItem;
}

/** Whether subscription `sub` takes events of `type` (a ping only its own). */
function wants(sub: SubscriptionWithSecret, event: OutboxItem): boolean {
  if (event.type === 'ping') return event.subscriptionId === sub.id;
  return subscribesTo(sub.events, event.type);
}

/**
 * Fans out the outbox event at `key`; returns the deliveries it created, with what it read
 * (the first attempt, right after, needs not read them again).
 */
export async function fanOut(run: DispatchRun, key: Key): Promise<Fresh[]> {
  const { ctx } = run;
  const read = await readEvent(run, key);
  if (!read || read[FANNED_OUT]) return [];
  let event = read;
  const created: Fresh[] = [];
  if (await erasedSince(run, event)) {
    // A copy naming someone erased since, which the erasure's Query missed: deleted now.
    await endDroppedEvent(ctx, key, event);
  } else {
    // An actor erased since whose reference the erasure missed: ended now (read afresh).
    event = await withoutErasedActor(ctx, floorReader(ctx, seconds(run.now())), key, event);
    const at = seconds(run.now());
    const owner = eventOwner(key);
    // A stopped subscription (failing, disabled) keeps its events parked until re-enabled.
    const subs = (await listSubscriptionsWithSecrets(ctx)).filter((sub) => wants(sub, event));
    await forEachConcurrently(subs, { concurrency: run.concurrency }, async (sub) => {
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
      else if (fresh) await settleParked(run, sub.id, event.eventId, key, event);
    });
  }
  await markFannedOut(ctx, key);
  return created;
}
