/**
 * What the dispatcher records of a subscription's receiver: its first failure since the last
 * success (`failingSince`), cleared by a success; a stop (`failing` after a day of failures,
 * `disabled` on a 410) that parks its deliveries until an admin re-enables it
 * (subscriptions.ts `updateSubscription`). Every write is conditional on the subscription
 * being there (and, for a stop, active), so a deleted one is never recreated.
 */
import type { StoreContext } from '../../store/client.ts';
import { updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import { subscriptionKey } from '../../store/service-keys.ts';
import { type Subscription, type SubscriptionStatus, updateExisting } from './subscriptions.ts';

/** What the dispatcher records about a subscription's health. */
export interface SubscriptionMark {
  status: SubscriptionStatus;
  /** Why (`410 Gone from the receiver`); absent: the item's reason is removed. */
  statusReason?: string;
  /** A number is kept if the item has one already (the first failure); null removes it. */
  failingSince?: number | null;
}

/** Records the dispatcher's view of a subscription's health; null when it is gone. */
export function markSubscription(
  ctx: StoreContext,
  id: string,
  mark: SubscriptionMark,
): Promise<Subscription | null> {
  const update = new ItemUpdate(subscriptionKey(id)).set('status', mark.status);
  if (mark.statusReason === undefined) update.remove('statusReason');
  else update.set('statusReason', mark.statusReason);
  if (mark.failingSince === null) update.remove('failingSince');
  else if (mark.failingSince !== undefined) update.setIfMissing('failingSince', mark.failingSince);
  return updateExisting(ctx, id, update, 'subscription mark');
}

/**
 * A failed attempt: the subscription's first failure since its last success is remembered;
 * returns that time (epoch seconds).
 */
export async function noteSubscriptionFailure(
  ctx: StoreContext,
  subscriptionId: string,
  now: number,
): Promise<number | undefined> {
  const update = new ItemUpdate(subscriptionKey(subscriptionId))
    .setIfMissing('failingSince', now)
    .when('attribute_exists(pk)');
  const result = await updateIf(ctx, update, 'delivery', { returnValues: 'ALL_NEW' });
  const since = result.applied ? result.attributes?.failingSince : undefined;
  return typeof since === 'number' ? since : undefined;
}

/** A delivered attempt ends a subscription's run of failures. */
export async function noteSubscriptionSuccess(ctx: StoreContext, subscriptionId: string) {
  const update = new ItemUpdate(subscriptionKey(subscriptionId))
    .remove('failingSince')
    .when('attribute_exists(#{failingSince})');
  await updateIf(ctx, update, 'delivery');
}

/** Stops an active subscription (410 from its receiver, or failing for a day). */
export async function stopSubscription(
  ctx: StoreContext,
  subscriptionId: string,
  status: 'failing' | 'disabled',
  reason: string,
  now: number,
): Promise<void> {
  const update = new ItemUpdate(subscriptionKey(subscriptionId))
    .set('status', status)
    .set('statusReason', reason)
    .set('updatedAt', new Date(now * 1000).toISOString())
    .when('#{status} = :active', { ':active': 'active' });
  await updateIf(ctx, update, 'delivery');
}
