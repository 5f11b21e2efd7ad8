/**
 * Delivery state: one item per event and subscription (`SUB#<sub>` / `DELIVERY#<event>`),
 * listed in GSI1 under `DUE` by when it is due while it waits, and one log item per attempt.
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
 * keeps neither the event's key nor the reference.
 */
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from '../../store/client.ts';
import { isConditionalCheckFailed, toStoreError } from '../../store/dynamo-errors.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import {
  attemptKey,
  DELIVERY_PREFIX,
  DUE_DELIVERIES_PK,
  deliveryKey,
  dueDeliveryIndexKeys,
  eventTime,
  type Key,
  PENDING_EVENTS_PK,
  personRefIndexKeys,
  REF_AT,
  subscriptionKey,
  subscriptionPk,
} from '../../store/keys.ts';
import { GSI1 } from '../../store/table.ts';
import { FANNED_OUT } from './outbox.ts';

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

type Item = Record<string, unknown>;

async function conditional<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err: unknown) {
    if (isConditionalCheckFailed(err)) return undefined;
    throw toStoreError(err, 'delivery');
  }
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
  const created = await conditional(() =>
    ctx.client.send(
      new PutCommand({
        TableName: ctx.tableName,
        Item: {
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
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return created !== undefined;
}

/** Marks an outbox event as fanned out: off the pending list, and closed to rewrites. */
export async function markFannedOut(ctx: StoreContext, event: Key): Promise<void> {
  const update = new ItemUpdate(event)
    .set(FANNED_OUT, true)
    .remove('gsi1pk')
    .remove('gsi1sk')
    .when('attribute_exists(pk)');
  await conditional(() => ctx.client.send(new UpdateCommand(update.toInput(ctx.tableName))));
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
  const answer = await conditional(() =>
    ctx.client.send(
      new UpdateCommand({ ...update.toInput(ctx.tableName), ReturnValues: 'ALL_NEW' }),
    ),
  );
  return answer?.Attributes as Delivery | undefined;
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
  const answer = await conditional(() =>
    ctx.client.send(new UpdateCommand(update.toInput(ctx.tableName))),
  );
  return answer !== undefined;
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
  const parked = await conditional(() =>
    ctx.client.send(
      new UpdateCommand({ ...update.toInput(ctx.tableName), ReturnValues: 'ALL_NEW' }),
    ),
  );
  return parked?.Attributes as Delivery | undefined;
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
  const dropped = await conditional(() =>
    ctx.client.send(new UpdateCommand(update.toInput(ctx.tableName))),
  );
  return dropped !== undefined;
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
  const done = await conditional(() =>
    ctx.client.send(new UpdateCommand(update.toInput(ctx.tableName))),
  );
  return done !== undefined;
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
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.client.send(
      new QueryCommand({
        TableName: ctx.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
        FilterExpression: '#s = :parked',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':pk': subscriptionPk(subscriptionId),
          ':d': DELIVERY_PREFIX,
          ':parked': 'parked',
        },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      if (await resumeDelivery(ctx, subscriptionId, String(item.eventId), now)) resumed++;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return resumed;
}

/** One line of a subscription's delivery log. */
export interface AttemptRecord {
  eventId: string;
  type: string;
  attempt: number;
  outcome: AttemptOutcome;
  httpStatus: number | null;
  error?: string;
  /** Epoch milliseconds. */
  atMs: number;
  /** Epoch seconds of the next attempt, or null when there is none. */
  nextAttemptAt: number | null;
}

export async function logAttempt(
  ctx: StoreContext,
  subscriptionId: string,
  record: AttemptRecord,
): Promise<void> {
  try {
    await ctx.client.send(
      new PutCommand({
        TableName: ctx.tableName,
        Item: {
          ...attemptKey(subscriptionId, record.atMs, record.eventId, record.attempt),
          eventId: record.eventId,
          type: record.type,
          attempt: record.attempt,
          outcome: record.outcome,
          httpStatus: record.httpStatus,
          ...(record.error ? { error: record.error } : {}),
          at: new Date(record.atMs).toISOString(),
          nextAttemptAt:
            record.nextAttemptAt === null
              ? null
              : new Date(record.nextAttemptAt * 1000).toISOString(),
          expiresAt: Math.floor(record.atMs / 1000) + DELIVERY_KEEP_SECONDS,
        },
      }),
    );
  } catch (err: unknown) {
    throw toStoreError(err, 'delivery log');
  }
}

/** Keys listed under a GSI1 partition, sort key below `below`, oldest first. */
async function listIndex(
  ctx: StoreContext,
  pk: string,
  below: string,
  limit: number,
): Promise<Item[]> {
  const { Items = [] } = await ctx.client.send(
    new QueryCommand({
      TableName: ctx.tableName,
      IndexName: GSI1.name,
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :below',
      ExpressionAttributeValues: { ':pk': pk, ':below': below },
      Limit: limit,
    }),
  );
  return Items;
}

/** Outbox events not yet fanned out (keys), oldest first. */
export async function listPendingEvents(ctx: StoreContext, limit = 100): Promise<Key[]> {
  const items = await listIndex(ctx, PENDING_EVENTS_PK, '~', limit);
  return items.map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));
}

/** Deliveries due at `now` (subscription and event ids), oldest first. */
export async function listDueDeliveries(
  ctx: StoreContext,
  now: number,
  limit = 100,
): Promise<{ subscriptionId: string; eventId: string }[]> {
  const items = await listIndex(ctx, DUE_DELIVERIES_PK, eventTime(now + 1), limit);
  return items.map((item) => {
    const [, subscriptionId = '', eventId = ''] = String(item.gsi1sk).split('#');
    return { subscriptionId, eventId };
  });
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
  const answer = await conditional(() =>
    ctx.client.send(
      new UpdateCommand({ ...update.toInput(ctx.tableName), ReturnValues: 'ALL_NEW' }),
    ),
  );
  const since = answer?.Attributes?.failingSince;
  return typeof since === 'number' ? since : undefined;
}

/** A delivered attempt ends a subscription's run of failures. */
export async function noteSubscriptionSuccess(ctx: StoreContext, subscriptionId: string) {
  const update = new ItemUpdate(subscriptionKey(subscriptionId))
    .remove('failingSince')
    .when('attribute_exists(#{failingSince})');
  await conditional(() => ctx.client.send(new UpdateCommand(update.toInput(ctx.tableName))));
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
  await conditional(() => ctx.client.send(new UpdateCommand(update.toInput(ctx.tableName))));
}
