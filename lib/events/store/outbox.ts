/**
 * The outbox: one item per event for subscribers (issue "Real-time events"), written with
 * the facts that cause it, under a key derived from what happened (so a redelivered update,
 * or a chat_member update and the service message telling the same join, write one event).
 * The dispatcher (lib/events/dispatcher.ts) fans each new item out to the subscriptions.
 *
 * An event about a user lives in that user's partition and is a single-source item
 * (`st`/`s0`): an erasure settles it away with everything else, which is how an erased
 * user's pending deliveries are dropped. `contact.erased` and `ping` have partitions of their
 * own. Until the dispatcher has fanned an event out, it is listed in GSI1 under `OUTBOX` (the
 * schedule's sweep and the local stack find it there); fanning out sets `fo` and takes it off
 * the list, and a late rewrite of a fanned-out event is refused (`attribute_not_exists(fo)`).
 */
import { createHash } from 'node:crypto';
import { EXPIRES_AT, SINGLE_SOURCE } from '../../directory/record/registers.ts';
import type { StoreContext } from '../../store/client.ts';
import { deleteIf, putIfAbsent } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import {
  actorRefIndexKeys,
  type Key,
  personRefIndexKeys,
  phoneRefIndexKeys,
  REF_AT,
} from '../../store/keys.ts';
import { outboxKey, pendingEventIndexKeys } from '../../store/service-keys.ts';
import type { EventType } from '../event-types.ts';

/** Set on an outbox item once the dispatcher has created its deliveries. */
export const FANNED_OUT = 'fo';
/** How long an event item is kept: past Telegram's redelivery horizon and the retries. */
export const OUTBOX_KEEP_SECONDS = 3 * 86_400;

export interface OutboxEvent {
  eventId: string;
  type: EventType;
  /** When it happened (epoch seconds): the envelope's `timestamp`. */
  at: number;
  /** The user it is about (the item lives under them), if any. */
  userId?: number;
  /** The chat it is about, when it is about no user. */
  chatId?: number;
  /** Other users it names: an erasure of any of them before `at` drops it. */
  otherUserIds?: number[];
  /**
   * Someone else than `userId` whose data the event holds (keys.ts references): the erasure
   * of that person deletes the event (`user`, `phone`) or nulls its `data.actorId` (`actor`).
   */
  ref?: PersonRef;
  /** `ping`: the one subscription it goes to. */
  subscriptionId?: string;
  /** The envelope's `data` (API shapes). Phone numbers are stripped for most subscriptions. */
  data: Record<string, unknown>;
  /**
   * Fields a later, more authoritative report of the same event overwrites (a chat_member
   * update after the service message); the others are kept from the first report.
   */
  authoritative?: boolean;
}

/**
 * A person an event names outside their partition: a shared card's user (by id, else by the
 * phone number alone), or the actor of someone else's membership change.
 */
export type PersonRef = { user: number } | { phone: string } | { actor: number };

/** The GSI2 key and `refAt` of an item naming `ref`, made at `at` (person-refs.ts). */
export function refIndexKeys(ref: PersonRef, at: number): { gsi2pk: string; [REF_AT]: number } {
  if ('user' in ref) return personRefIndexKeys(ref.user, at);
  if ('phone' in ref) return phoneRefIndexKeys(ref.phone, at);
  return actorRefIndexKeys(ref.actor, at);
}

/** `evt_` + 24 hex of a hash of what happened: the same event always gets the same id. */
export function eventIdOf(...parts: (string | number)[]): string {
  return `evt_${createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 24)}`;
}

export function outboxEventKey(event: Pick<OutboxEvent, 'userId' | 'chatId' | 'eventId'>): Key {
  return outboxKey(
    event.userId !== undefined
      ? { userId: event.userId }
      : event.chatId !== undefined
        ? { chatId: event.chatId }
        : {},
    event.eventId,
  );
}

/** Pure: the conditional write that records `event` once. */
export function outboxUpdate(event: OutboxEvent): ItemUpdate {
  const index = pendingEventIndexKeys(event.at, event.eventId);
  const update = new ItemUpdate(outboxEventKey(event))
    .setIfMissing('eventId', event.eventId)
    .setIfMissing('type', event.type)
    .setIfMissing('at', event.at)
    .setIfMissing('userId', event.userId)
    .setIfMissing('chatId', event.chatId)
    .setIfMissing('otherUserIds', event.otherUserIds?.length ? event.otherUserIds : undefined)
    .setIfMissing('subscriptionId', event.subscriptionId)
    .setIfMissing('gsi1pk', index.gsi1pk)
    .setIfMissing('gsi1sk', index.gsi1sk)
    .set(SINGLE_SOURCE.at, event.at)
    .setIfMissing(SINGLE_SOURCE.since, event.at)
    .set(EXPIRES_AT, event.at + OUTBOX_KEEP_SECONDS)
    .when(`attribute_not_exists(#{${FANNED_OUT}})`);
  if (event.ref) {
    const ref = refIndexKeys(event.ref, event.at);
    update.set('gsi2pk', ref.gsi2pk).set(REF_AT, ref[REF_AT]);
  }
  if (event.authoritative) update.set('data', event.data);
  else update.setIfMissing('data', event.data);
  return update;
}

/** Writes an event outside the recorder (an erasure, a ping); true when it was new. */
export function enqueueEvent(ctx: StoreContext, event: OutboxEvent): Promise<boolean> {
  const item = {
    ...outboxEventKey(event),
    ...pendingEventIndexKeys(event.at, event.eventId),
    eventId: event.eventId,
    type: event.type,
    at: event.at,
    data: event.data,
    ...(event.userId !== undefined ? { userId: event.userId } : {}),
    ...(event.subscriptionId !== undefined ? { subscriptionId: event.subscriptionId } : {}),
    [EXPIRES_AT]: event.at + OUTBOX_KEEP_SECONDS,
  };
  return putIfAbsent(ctx, item, 'outbox');
}

/**
 * Deletes the event item at `key` dated `at` (an erased user's event found after the erasure);
 * false when it is not there (or was written again for another date).
 */
export function deleteEvent(ctx: StoreContext, key: Key, at: number): Promise<boolean> {
  return deleteIf(ctx, key, 'outbox', {
    ConditionExpression: '#at = :at',
    ExpressionAttributeNames: { '#at': 'at' },
    ExpressionAttributeValues: { ':at': at },
  });
}

/**
 * `contact.erased` for an erasure of `userId` at `at`: its own partition (the user's is being
 * erased), and only the id. One per erasure time: a retried erasure of the same second is one
 * event.
 */
export function erasedEvent(userId: number, at: number): OutboxEvent {
  return {
    eventId: eventIdOf('contact.erased', userId, at),
    type: 'contact.erased',
    at,
    data: { userId },
  };
}

/** A `ping` to one subscription (POST /v1/subscriptions/{id}/test). */
export async function enqueuePing(
  ctx: StoreContext,
  subscriptionId: string,
  now = Date.now(),
): Promise<{ eventId: string }> {
  const at = Math.floor(now / 1000);
  const eventId = eventIdOf('ping', subscriptionId, now, Math.random());
  await enqueueEvent(ctx, {
    eventId,
    type: 'ping',
    at,
    subscriptionId,
    data: { subscriptionId },
  });
  return { eventId };
}
