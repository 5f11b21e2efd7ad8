/**
 * Keys of the services built on the directory (the key table is in keys.ts): API keys, outbox
 * events and the queue of those not fanned out, subscriptions with their deliveries and
 * delivery log, broadcasts with their recipients and sender lease, and the idempotency records
 * of direct messages and broadcast requests.
 */
import { chatPk, eventTime, type Key, userPk } from './keys.ts';

export const apiKeyKey = (hash: string): Key => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' });
export const API_KEYS_INDEX_PK = 'APIKEYS';
/** GSI1 keys of an API key item: listed under APIKEYS in creation order. */
export const apiKeyIndexKeys = (createdAt: string, id: string) => ({
  gsi1pk: API_KEYS_INDEX_PK,
  gsi1sk: `${createdAt}#${id}`,
});

export const OUTBOX_PREFIX = 'OUTBOX#';
/**
 * An outbox event (lib/events/store/outbox.ts): under the user or chat it is about, so an erasure
 * settles it away with the rest; `contact.erased` and `ping` in a partition of their own.
 */
export const outboxKey = (owner: { userId?: number; chatId?: number }, eventId: string): Key => ({
  pk:
    owner.userId !== undefined
      ? userPk(owner.userId)
      : owner.chatId !== undefined
        ? chatPk(owner.chatId)
        : `${OUTBOX_PREFIX}${eventId}`,
  sk: `${OUTBOX_PREFIX}${eventId}`,
});
/** Outbox events not yet fanned out to subscriptions are listed under this GSI1 key. */
export const PENDING_EVENTS_PK = 'OUTBOX';
export const pendingEventIndexKeys = (at: number, eventId: string) => ({
  gsi1pk: PENDING_EVENTS_PK,
  gsi1sk: `${eventTime(at)}#${eventId}`,
});

export const SUBSCRIPTION_PREFIX = 'SUB#';
export const subscriptionPk = (subscriptionId: string) => `${SUBSCRIPTION_PREFIX}${subscriptionId}`;
export const subscriptionKey = (subscriptionId: string): Key => ({
  pk: subscriptionPk(subscriptionId),
  sk: 'SUB',
});
export const SUBSCRIPTIONS_INDEX_PK = 'SUBS';
export const subscriptionIndexKeys = (createdAt: string, subscriptionId: string) => ({
  gsi1pk: SUBSCRIPTIONS_INDEX_PK,
  gsi1sk: `${createdAt}#${subscriptionId}`,
});
export const DELIVERY_PREFIX = 'DELIVERY#';
/** One event's delivery to one subscription: its state and schedule. */
export const deliveryKey = (subscriptionId: string, eventId: string): Key => ({
  pk: subscriptionPk(subscriptionId),
  sk: `${DELIVERY_PREFIX}${eventId}`,
});
/** Deliveries waiting for an attempt are listed under this GSI1 key, by when they are due. */
export const DUE_DELIVERIES_PK = 'DUE';
export const dueDeliveryIndexKeys = (
  nextAttemptAt: number,
  subscriptionId: string,
  eventId: string,
) => ({
  gsi1pk: DUE_DELIVERIES_PK,
  gsi1sk: `${eventTime(nextAttemptAt)}#${subscriptionId}#${eventId}`,
});
export const BROADCAST_PREFIX = 'BROADCAST#';
export const broadcastPk = (broadcastId: string) => `${BROADCAST_PREFIX}${broadcastId}`;
/** A broadcast (lib/messaging/store/broadcasts.ts): its message, audience, status and final counts. */
export const broadcastKey = (broadcastId: string): Key => ({
  pk: broadcastPk(broadcastId),
  sk: 'BROADCAST',
});
/** Broadcasts are listed under this GSI1 key, by creation time (newest first when read back). */
export const BROADCASTS_INDEX_PK = 'BROADCASTS';
export const broadcastIndexKeys = (createdAt: string, broadcastId: string) => ({
  gsi1pk: BROADCASTS_INDEX_PK,
  gsi1sk: `${createdAt}#${broadcastId}`,
});
/** A broadcast the dispatcher has still to send: listed under BROADCASTING, oldest first. */
export const pendingBroadcastKey = (broadcastId: string): Key => ({
  pk: broadcastPk(broadcastId),
  sk: 'PENDING',
});
export const PENDING_BROADCASTS_PK = 'BROADCASTING';
/** `createdAtMs`: epoch milliseconds (13 digits), so broadcasts of the same second keep their order. */
export const pendingBroadcastIndexKeys = (createdAtMs: number, broadcastId: string) => ({
  gsi1pk: PENDING_BROADCASTS_PK,
  gsi1sk: `${String(Math.max(0, Math.floor(createdAtMs))).padStart(13, '0')}#${broadcastId}`,
});
export const RECIPIENT_PREFIX = 'R#';
/** One recipient of a broadcast and the state of its message. */
export const recipientKey = (broadcastId: string, userId: number): Key => ({
  pk: broadcastPk(broadcastId),
  sk: `${RECIPIENT_PREFIX}${userId}`,
});
/** The one lease that lets a dispatcher send broadcasts (one sender at a time, overall). */
export const broadcastSenderLeaseKey = (): Key => ({
  pk: `${BROADCAST_PREFIX}SENDER`,
  sk: 'LEASE',
});
/** A broadcast request made with an idempotencyKey: by the API key and a hash of the key. */
export const broadcastIdempotencyKey = (apiKeyId: string, keyHash: string): Key => ({
  pk: `${BROADCAST_PREFIX}IDEM#${apiKeyId}#${keyHash}`,
  sk: 'IDEMPOTENCY',
});
export const ATTEMPT_PREFIX = 'ATTEMPT#';
/** One delivery attempt, for the subscription's delivery log (newest first). */
export const attemptKey = (
  subscriptionId: string,
  atMs: number,
  eventId: string,
  attempt: number,
): Key => ({
  pk: subscriptionPk(subscriptionId),
  sk: `${ATTEMPT_PREFIX}${String(Math.max(0, Math.floor(atMs))).padStart(13, '0')}#${eventId}#${String(attempt).padStart(3, '0')}`,
});

export const IDEMPOTENCY_PREFIX = 'IDEMPOTENCY#';
/**
 * A request made with an Idempotency-Key: under the API key that made it and a hash of the
 * key (the key itself is the client's string and is not stored).
 */
export const idempotencyKey = (apiKeyId: string, keyHash: string): Key => ({
  pk: `${IDEMPOTENCY_PREFIX}${apiKeyId}#${keyHash}`,
  sk: 'IDEMPOTENCY',
});
