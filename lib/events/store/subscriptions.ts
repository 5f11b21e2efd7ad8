/**
 * Webhook subscriptions: one item per subscription, `SUB#<id>` / `SUB`, listed through GSI1
 * under `SUBS` by creation time (keys.ts). Attributes: id, url, events (types, or `["*"]`),
 * description, includePhone, secret (`whsec_...`, signs deliveries; only ever shown once, by
 * the create route), createdAt, updatedAt (ISO), status (`active`, `failing`, `disabled`),
 * failingSince (epoch s of the first failure since the last success) and statusReason. Not
 * user-owned: erasure never touches them.
 *
 * Records come in two kinds: `Subscription`, without the secret, for the API, and
 * `SubscriptionWithSecret` for the dispatcher, which signs with it. This module holds the
 * record, reading one and an admin's writes; subscription-lists.ts lists them, subscription-health.ts
 * records what the dispatcher sees of a subscription's receiver.
 *
 * A subscription's deliveries and attempt log live in its partition (`DELIVERY#`, `ATTEMPT#`:
 * deliveries.ts, delivery-log.ts). Deleting a subscription deletes its item only: those carry
 * `expiresAt` and go with DynamoDB's TTL, the dispatcher drops deliveries whose subscription
 * is gone, and ids are random, so a new subscription never sees them.
 */
import { randomBytes } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import { getItem, type Item, storeCall, updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import { subscriptionIndexKeys, subscriptionKey } from '../../store/service-keys.ts';
import { newWebhookSecret } from '../sign.ts';

export const SUBSCRIPTION_STATUSES = ['active', 'failing', 'disabled'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export interface Subscription {
  id: string;
  url: string;
  events: string[];
  description: string;
  includePhone: boolean;
  createdAt: string;
  updatedAt: string;
  status: SubscriptionStatus;
  /** Epoch seconds of the first failed attempt since the last success. */
  failingSince?: number;
  statusReason?: string;
}

export interface SubscriptionWithSecret extends Subscription {
  secret: string;
}

export interface NewSubscription {
  url: string;
  events: string[];
  description: string;
  includePhone: boolean;
}

/** What an admin may change; `status` only back to `active` (re-enable). */
export interface SubscriptionChanges {
  url?: string;
  events?: string[];
  description?: string;
  includePhone?: boolean;
  status?: 'active';
}

export const SUBSCRIPTION_ID_PATTERN = /^sub_[0-9a-f]{20}$/;

/** `sub_` and 20 random hex digits. */
export const newSubscriptionId = () => `sub_${randomBytes(10).toString('hex')}`;
export const isSubscriptionId = (id: string) => SUBSCRIPTION_ID_PATTERN.test(id);

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function toSubscription(item: Item): Subscription {
  const status = SUBSCRIPTION_STATUSES.find((s) => s === item.status) ?? 'active';
  const failingSince = typeof item.failingSince === 'number' ? item.failingSince : undefined;
  const statusReason = str(item.statusReason);
  return {
    id: String(item.id),
    url: String(item.url),
    events: Array.isArray(item.events) ? item.events.map(String) : [],
    description: str(item.description) ?? '',
    includePhone: item.includePhone === true,
    createdAt: String(item.createdAt),
    updatedAt: str(item.updatedAt) ?? String(item.createdAt),
    status,
    ...(failingSince !== undefined ? { failingSince } : {}),
    ...(statusReason !== undefined ? { statusReason } : {}),
  };
}

export const withSecret = (item: Item): SubscriptionWithSecret => ({
  ...toSubscription(item),
  secret: String(item.secret),
});

const iso = (ms: number) => new Date(ms).toISOString();

async function readItem(ctx: StoreContext, id: string, consistent: boolean) {
  if (!isSubscriptionId(id)) return undefined;
  return getItem(ctx, subscriptionKey(id), 'subscription read', { consistent });
}

/** The subscription without its secret, or null. One GetItem. */
export async function getSubscription(
  ctx: StoreContext,
  id: string,
  options: { consistent?: boolean } = {},
): Promise<Subscription | null> {
  const item = await readItem(ctx, id, options.consistent === true);
  return item ? toSubscription(item) : null;
}

/** The subscription with its secret (for signing a delivery), or null. One consistent GetItem. */
export async function getSubscriptionWithSecret(
  ctx: StoreContext,
  id: string,
): Promise<SubscriptionWithSecret | null> {
  const item = await readItem(ctx, id, true);
  return item ? withSecret(item) : null;
}

const ABSENT = { ConditionExpression: 'attribute_not_exists(pk)' };

/** Stores a new active subscription with a new id and secret; `now` is a milliseconds clock. */
export async function createSubscription(
  ctx: StoreContext,
  input: NewSubscription,
  now: () => number = Date.now,
): Promise<SubscriptionWithSecret> {
  const createdAt = iso(now());
  const subscription: SubscriptionWithSecret = {
    id: newSubscriptionId(),
    url: input.url,
    events: [...input.events],
    description: input.description,
    includePhone: input.includePhone,
    createdAt,
    updatedAt: createdAt,
    status: 'active',
    secret: newWebhookSecret(),
  };
  const item = {
    ...subscriptionKey(subscription.id),
    ...subscriptionIndexKeys(createdAt, subscription.id),
    ...subscription,
  };
  // A random id that is taken is a fault, not an answer.
  await storeCall(
    'subscription create',
    () => ctx.client.send(new PutCommand({ TableName: ctx.tableName, Item: item, ...ABSENT })),
    (err) => {
      throw toStoreError(err, 'subscription create');
    },
  );
  return subscription;
}

/**
 * Runs an update of an existing subscription; its new state, or null when there is none (for
 * an admin's change, and the dispatcher's marks: subscription-health.ts).
 */
export async function updateExisting(
  ctx: StoreContext,
  id: string,
  update: ItemUpdate,
  operation: string,
): Promise<Subscription | null> {
  if (!isSubscriptionId(id)) return null;
  update.when('attribute_exists(#{pk})');
  const result = await updateIf(ctx, update, operation, { returnValues: 'ALL_NEW' });
  return result.applied && result.attributes ? toSubscription(result.attributes) : null;
}

/**
 * Applies an admin's changes; `status: 'active'` re-enables (removes failingSince and
 * statusReason). The subscription as it then is, or null when there is none. No changes: the
 * subscription as it is (no write).
 */
export async function updateSubscription(
  ctx: StoreContext,
  id: string,
  changes: SubscriptionChanges,
  now: () => number = Date.now,
): Promise<Subscription | null> {
  const update = new ItemUpdate(subscriptionKey(id))
    .set('url', changes.url)
    .set('events', changes.events)
    .set('description', changes.description)
    .set('includePhone', changes.includePhone);
  if (changes.status === 'active') {
    update.set('status', 'active').remove('failingSince').remove('statusReason');
  }
  if (update.isEmpty) return getSubscription(ctx, id, { consistent: true });
  update.set('updatedAt', iso(now()));
  return updateExisting(ctx, id, update, 'subscription update');
}

/** Deletes the subscription's item (see the module comment); false when there was none. */
export async function deleteSubscription(ctx: StoreContext, id: string): Promise<boolean> {
  if (!isSubscriptionId(id)) return false;
  const deleted = await storeCall<Item | undefined>(
    'subscription delete',
    async () => {
      const input = { TableName: ctx.tableName, Key: subscriptionKey(id) };
      return (await ctx.client.send(new DeleteCommand({ ...input, ReturnValues: 'ALL_OLD' })))
        .Attributes;
    },
    () => undefined,
  );
  return deleted !== undefined;
}
