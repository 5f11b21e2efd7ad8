/**
 * What every step of a dispatcher run shares (dispatcher.ts): its store, clock, randomness,
 * log and concurrency, and the checks both the fan-out (fan-out.ts) and an attempt
 * (delivery-attempt.ts) make: whether an erasure came after an event, and what follows the
 * parking of a delivery (dropped when its event is gone or erased, resumed when its
 * subscription was re-enabled meanwhile).
 */
import { floorReader } from '../directory/erasure/erased-actors.ts';
import type { StoreContext } from '../store/client.ts';
import { getItem } from '../store/item-ops.ts';
import type { Key } from '../store/keys.ts';
import { erasedFloor, type OutboxItem } from './erasure-checks.ts';
import type { SendResult } from './send-webhook.ts';
import { dropParkedDelivery, resumeDelivery } from './store/deliveries.ts';
import { getSubscriptionWithSecret } from './store/subscriptions.ts';

/** Posts one signed delivery (send-webhook.ts in production). */
export type Post = (request: {
  url: string;
  headers: Record<string, string>;
  body: string;
}) => Promise<SendResult>;

export interface DispatchRun {
  ctx: StoreContext;
  post: Post;
  /** Epoch milliseconds. */
  now(): number;
  random(): number;
  log(message: string, fields: Record<string, unknown>): void;
  /** Tasks in flight at once. */
  concurrency: number;
}

export const seconds = (ms: number) => Math.floor(ms / 1000);

export async function readEvent(run: DispatchRun, key: Key): Promise<OutboxItem | undefined> {
  return (await getItem(run.ctx, key, 'fan-out')) as OutboxItem | undefined;
}

/**
 * True when an erasure of a person the event names came after it (erasure-checks.ts), read
 * afresh: it follows the write it guards (a claim, a park).
 */
export async function erasedSince(run: DispatchRun, event: OutboxItem): Promise<boolean> {
  const floors = floorReader(run.ctx, seconds(run.now()));
  return (await erasedFloor(run.ctx, floors, event)) !== undefined;
}

/**
 * What follows the parking of a delivery (by the fan-out or an attempt) because its
 * subscription was read as stopped; true when the delivery was dropped.
 * - Its event may be gone or erased (an erasure's Query may have missed a delivery made while
 *   it ran): the delivery is dropped, so that it keeps nothing of the person.
 * - Otherwise a re-enable (PATCH: status active, then resume what is parked) may have come
 *   between that read and the park and not seen it. The re-enable writes before it lists, the
 *   park before this read: one of the two sees the other, so a parked delivery of an active
 *   subscription is resumed by one of them.
 */
export async function settleParked(
  run: DispatchRun,
  subscriptionId: string,
  eventId: string,
  eventKey: Key | undefined,
  known?: OutboxItem,
): Promise<boolean> {
  const event = known ?? (eventKey ? await readEvent(run, eventKey) : undefined);
  const gone = !event || (await erasedSince(run, event));
  if (gone && (await dropParkedDelivery(run.ctx, subscriptionId, eventId))) return true;
  const sub = await getSubscriptionWithSecret(run.ctx, subscriptionId);
  if (sub?.status === 'active') {
    await resumeDelivery(run.ctx, subscriptionId, eventId, seconds(run.now()));
  }
  return false;
}
