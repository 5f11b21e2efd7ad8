/**
 * Delivery state: one item per event and subscription (`SUB#<sub>` / `DELIVERY#<event>`),
 * listed in GSI1 under `DUE` by when it is due while it waits (dispatch-queue.ts lists it).
 * Every step is one conditional single-item write, so the stream, the schedule and a crashed
 * and retried invocation can all run over the same deliveries:
 *
 * - create: once per event and subscription (`attribute_not_exists`), due now;
 * - claim: a due, pending delivery whose lease is free takes a lease and counts an attempt,
 *   so two dispatchers never attempt it at the same time;
 * - finish: only under the lease it holds: delivered, a retry at a later time, or an end
 *   (failed, dropped). A crash while leased leaves it due: it is attempted again once the lease
 *   runs out (at least once; receivers drop repeats by `webhook-id`);
 * - park / resume: a subscription that is not active keeps its deliveries off the due list
 *   until it is re-enabled.
 *
 * A delivery names its event's item (`eventPk`/`eventSk`) only while it may still be sent: a
 * delivery of an event in a user's partition carries a reference to that user (keys.ts
 * `REF#`), so their erasure deletes it, and an ended delivery (delivered, failed, dropped)
 * keeps neither the event's key nor the reference. Each attempt is logged (delivery-log.ts).
 */
import type { StoreContext } from '../../store/client.ts';
import { putIfAbsent, updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import { type Key, personRefIndexKeys, REF_AT } from '../../store/keys.ts';
import { queryPages } from '../../store/query.ts';
import {
  DELIVERY_PREFIX,
  deliveryKey,
  dueDeliveryIndexKeys,
  subscriptionPk,
} from '../../store/service-keys.ts';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dropped' | 'parked';
export type AttemptOutcome = 'delivered' | 'failed' | 'dropped';

/** How long an attempt may run before another dispatcher may take the delivery over. */
export const LEASE_SECONDS = 60;
/** How long deliveries and their log are kept. */
export const DELIVERY_KEEP_SECONDS = 30 * 86_400;

export interface Delivery {
  subscriptionId: string;
  eventId: string;
  type: string;
  /** The outbox item's key, while the delivery may still be sent. */
  eventPk?: string;
  eventSk?: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  firstAttemptAt?: number;
  lease?: number;
}

/** The key of the outbox item a delivery sends, while it names one. */
export function eventKeyOf(delivery: Delivery): Key | undefined {
  return delivery.eventPk && delivery.eventSk
    ? { pk: delivery.eventPk, sk: delivery.eventSk }
    : undefined;
}

/** The operation named by a delivery write's StoreError. */
const OPERATION = 'delivery';

/** An update that answers the delivery as it is afterwards; undefined when refused. */
async function updateDelivery(ctx: StoreContext, update: ItemUpdate) {
  const result = await updateIf(ctx, update, OPERATION, { returnValues: 'ALL_NEW' });
  return result.applied ? (result.attributes as Delivery | undefined) : undefined;
}

/** Creates the delivery of an event to a subscription, due at `now`; false if it exists. */
export async function createDelivery(
  ctx: StoreContext,
  input: {
    subscriptionId: string;
    eventId: string;
    type: string;
    event: Key;
    now: number;
    /** For a subscription that is not active: kept aside until it is re-enabled. */
    parked?: boolean;
    /** The user whose partition holds the event, and the event's date: the reference. */
    about?: { userId: number; at: number };
  },
): Promise<boolean> {
  const { subscriptionId, eventId, now } = input;
  const item = {
    ...deliveryKey(subscriptionId, eventId),
    ...(input.parked ? {} : dueDeliveryIndexKeys(now, subscriptionId, eventId)),
    ...(input.about ? personRefIndexKeys(input.about.userId, input.about.at) : {}),
    subscriptionId,
    eventId,
    type: input.type,
    eventPk: input.event.pk,
    eventSk: input.event.sk,
    status: input.parked ? 'parked' : 'pending',
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    expiresAt: now + DELIVERY_KEEP_SECONDS,
  };
  return putIfAbsent(ctx, item, OPERATION);
}

/** Takes the lease of a due delivery and counts the attempt; undefined if not ours to take. */
export async function claimDelivery(
  ctx: StoreContext,
  subscriptionId: string,
  eventId: string,
  now: number,
): Promise<Delivery | undefined> {
  const update = new ItemUpdate(deliveryKey(subscriptionId, eventId))
    .add('attempts')
    .set('lease', now + LEASE_SECONDS)
    .setIfMissing('firstAttemptAt', now)
    .when(
      '#{status} = :pending AND #{nextAttemptAt} <= :now AND (attribute_not_exists(#{lease}) OR #{lease} <= :now)',
      { ':pending': 'pending', ':now': now },
    );
  return updateDelivery(ctx, update);
}

export type Finish =
  | { status: 'delivered' }
  | { status: 'pending'; nextAttemptAt: number }
  | { status: 'failed' | 'dropped' | 'parked' };

/** Ends an attempt under the lease `claimed` holds; false when the lease was lost. */
export async function finishDelivery(
  ctx: StoreContext,
  claimed: Delivery,
  finish: Finish,
): Promise<boolean> {
  const update = new ItemUpdate(deliveryKey(claimed.subscriptionId, claimed.eventId))
    .set('status', finish.status)
    .remove('lease');
  if (finish.status === 'pending') {
    const index = dueDeliveryIndexKeys(
      finish.nextAttemptAt,
      claimed.subscriptionId,
      claimed.eventId,
    );
    update.set('nextAttemptAt', finish.nextAttemptAt).set('gsi1pk', index.gsi1pk);
    update.set('gsi1sk', index.gsi1sk);
  } else {
    update.remove('gsi1pk').remove('gsi1sk');
    if (finish.status !== 'parked') forgetEvent(update);
  }
  if (claimed.lease !== undefined) update.when('#{lease} = :lease', { ':lease': claimed.lease });
  else update.when('#{status} = :pending', { ':pending': 'pending' });
  return (await updateIf(ctx, update, OPERATION)).applied;
}

/** An ended delivery forgets its event: the key of its item and the reference to its user. */
function forgetEvent(update: ItemUpdate): ItemUpdate {
  return update.remove('eventPk').remove('eventSk').remove('gsi2pk').remove(REF_AT);
}

/**
 * Puts a pending delivery of a subscription that is not active aside (not an attempt);
 * returns it as parked, undefined when it was not pending.
 */
export async function parkDelivery(
  ctx: StoreContext,
  subscriptionId: string,
  eventId: string,
): Promise<Delivery | undefined> {
  const update = new ItemUpdate(deliveryKey(subscriptionId, eventId))
    .set('status', 'parked')
    .remove('gsi1pk')
    .remove('gsi1sk')
    .when('#{status} = :pending', { ':pending': 'pending' });
  return updateDelivery(ctx, update);
}

/**
 * Drops a parked delivery whose event is gone or erased (not an attempt): it will not be
 * sent, and forgets its event. False when it was not parked.
 */
export async function dropParkedDelivery(
  ctx: StoreContext,
  subscriptionId: string,
  eventId: string,
): Promise<boolean> {
  const update = forgetEvent(
    new ItemUpdate(deliveryKey(subscriptionId, eventId))
      .set('status', 'dropped')
      .when('#{status} = :parked', { ':parked': 'parked' }),
  );
  return (await updateIf(ctx, update, OPERATION)).applied;
}

/** A parked delivery becomes due at `now`, with a new retry window; false if not parked. */
export async function resumeDelivery(
  ctx: StoreContext,
  subscriptionId: string,
  eventId: string,
  now: number,
): Promise<boolean> {
  const index = dueDeliveryIndexKeys(now, subscriptionId, eventId);
  const update = new ItemUpdate(deliveryKey(subscriptionId, eventId))
    .set('status', 'pending')
    .set('nextAttemptAt', now)
    .set('firstAttemptAt', now)
    .set('gsi1pk', index.gsi1pk)
    .set('gsi1sk', index.gsi1sk)
    .when('#{status} = :parked', { ':parked': 'parked' });
  return (await updateIf(ctx, update, OPERATION)).applied;
}

/**
 * A re-enabled subscription's parked deliveries become due now, with a new retry window.
 * Returns how many. (A dispatcher that parks one after this looked re-reads the subscription
 * and resumes it itself: lib/events/dispatcher.ts.)
 */
export async function resumeDeliveries(
  ctx: StoreContext,
  subscriptionId: string,
  now = Math.floor(Date.now() / 1000),
): Promise<number> {
  let resumed = 0;
  const parked = queryPages(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
    FilterExpression: '#s = :parked',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: {
      ':pk': subscriptionPk(subscriptionId),
      ':d': DELIVERY_PREFIX,
      ':parked': 'parked',
    },
    ConsistentRead: true,
  });
  for await (const page of parked) {
    for (const item of page.Items ?? []) {
      if (await resumeDelivery(ctx, subscriptionId, String(item.eventId), now)) resumed++;
    }
  }
  return resumed;
}
