/**
 * Webhook subscriptions (issue 12): one item per subscription, `SUB#<id>` / `SUB`, listed
 * through GSI1 under `SUBS` by creation time (keys.ts). Attributes: id, url, events (types, or
 * `["*"]`), description, includePhone, secret (`whsec_...`, signs deliveries; only ever shown
 * once, by the create route), createdAt, updatedAt (ISO), status (`active`, `failing`,
 * `disabled`), failingSince (epoch s of the first failure since the last success) and
 * statusReason. Not user-owned: erasure never touches them.
 *
 * Records come in two kinds: `Subscription`, without the secret, for the API, and
 * `SubscriptionWithSecret` for the dispatcher, which signs with it.
 *
 * A subscription's deliveries and attempt log live in its partition (`DELIVERY#`, `ATTEMPT#`,
 * written by deliveries.ts). Deleting a subscription deletes its item only: those carry
 * `expiresAt` and go with DynamoDB's TTL, the dispatcher drops deliveries whose subscription
 * is gone, and ids are random, so a new subscription never sees them.
 */
import { randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getItems, tableKeys } from '../../store/batch-get.ts';
import type { StoreContext } from '../../store/client.ts';
import { isConditionalCheckFailed, toStoreError } from '../../store/dynamo-errors.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import {
  SUBSCRIPTIONS_INDEX_PK,
  subscriptionIndexKeys,
  subscriptionKey,
} from '../../store/keys.ts';
import { type ListPage, type PageRequest, queryAll, queryPage } from '../../store/query.ts';
import { GSI1 } from '../../store/table.ts';
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

/** What the dispatcher records about a subscription's health. */
export interface SubscriptionMark {
  status: SubscriptionStatus;
  /** Why (`410 Gone from the receiver`); absent: the item's reason is removed. */
  statusReason?: string;
  /** A number is kept if the item has one already (the first failure); null removes it. */
  failingSince?: number | null;
}

export const SUBSCRIPTION_ID_PATTERN = /^sub_[0-9a-f]{20}$/;

/** `sub_` and 20 random hex digits. */
export const newSubscriptionId = () => `sub_${randomBytes(10).toString('hex')}`;
export const isSubscriptionId = (id: string) => SUBSCRIPTION_ID_PATTERN.test(id);

type Item = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function toSubscription(item: Item): Subscription {
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

const withSecret = (item: Item): SubscriptionWithSecret => ({
  ...toSubscription(item),
  secret: String(item.secret),
});

const iso = (ms: number) => new Date(ms).toISOString();

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
  try {
    await ctx.client.send(
      new PutCommand({
        TableName: ctx.tableName,
        Item: {
          ...subscriptionKey(subscription.id),
          ...subscriptionIndexKeys(createdAt, subscription.id),
          ...subscription,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err: unknown) {
    throw toStoreError(err, 'subscription create');
  }
  return subscription;
}

/** How many subscriptions there are (one index Query; the index lags writes a little). */
export async function countSubscriptions(ctx: StoreContext): Promise<number> {
  try {
    return (await indexEntries(ctx)).length;
  } catch (err: unknown) {
    throw toStoreError(err, 'subscription count');
  }
}

async function readItem(ctx: StoreContext, id: string, consistent: boolean): Promise<Item | null> {
  if (!isSubscriptionId(id)) return null;
  try {
    const { Item } = await ctx.client.send(
      new GetCommand({
        TableName: ctx.tableName,
        Key: subscriptionKey(id),
        ConsistentRead: consistent,
      }),
    );
    return Item ?? null;
  } catch (err: unknown) {
    throw toStoreError(err, 'subscription read');
  }
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

/** One page of subscriptions, newest first: an index Query and a BatchGetItem. */
export async function listSubscriptions(
  ctx: StoreContext,
  page: PageRequest,
): Promise<ListPage<Subscription>> {
  try {
    const entries = await queryPage(
      ctx,
      {
        IndexName: GSI1.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': SUBSCRIPTIONS_INDEX_PK },
        ScanIndexForward: false,
      },
      page.limit,
      page.startKey,
    );
    const items = await getItems(ctx, tableKeys(entries.items));
    return {
      items: items.map(toSubscription),
      ...(entries.lastKey ? { lastKey: entries.lastKey } : {}),
    };
  } catch (err: unknown) {
    throw toStoreError(err, 'subscription list');
  }
}

function indexEntries(ctx: StoreContext): Promise<Item[]> {
  return queryAll(ctx, {
    IndexName: GSI1.name,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': SUBSCRIPTIONS_INDEX_PK },
  });
}

/**
 * Every subscription without its secret, oldest first: one index Query and one BatchGet of at
 * most MAX_SUBSCRIPTIONS items (the create route's limit and duplicate checks).
 */
export async function listAllSubscriptions(ctx: StoreContext): Promise<Subscription[]> {
  try {
    const items = await getItems(ctx, tableKeys(await indexEntries(ctx)), { consistent: true });
    return items.map(toSubscription);
  } catch (err: unknown) {
    throw toStoreError(err, 'subscription list');
  }
}

/** Every subscription with its secret, oldest first (the dispatcher's fan-out). */
export async function listSubscriptionsWithSecrets(
  ctx: StoreContext,
): Promise<SubscriptionWithSecret[]> {
  try {
    const items = await getItems(ctx, tableKeys(await indexEntries(ctx)), { consistent: true });
    return items.map(withSecret);
  } catch (err: unknown) {
    throw toStoreError(err, 'subscription list');
  }
}

/** Every active subscription, with its secret, oldest first. */
export async function listActiveSubscriptions(
  ctx: StoreContext,
): Promise<SubscriptionWithSecret[]> {
  return (await listSubscriptionsWithSecrets(ctx)).filter((sub) => sub.status === 'active');
}

/** Runs an update of an existing subscription; its new state, or null when there is none. */
async function updateExisting(
  ctx: StoreContext,
  id: string,
  update: ItemUpdate,
  operation: string,
): Promise<Subscription | null> {
  if (!isSubscriptionId(id)) return null;
  update.when('attribute_exists(#{pk})');
  try {
    const { Attributes } = await ctx.client.send(
      new UpdateCommand({ ...update.toInput(ctx.tableName), ReturnValues: 'ALL_NEW' }),
    );
    return Attributes ? toSubscription(Attributes) : null;
  } catch (err: unknown) {
    if (isConditionalCheckFailed(err)) return null;
    throw toStoreError(err, operation);
  }
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

/** Deletes the subscription's item (see the module comment); false when there was none. */
export async function deleteSubscription(ctx: StoreContext, id: string): Promise<boolean> {
  if (!isSubscriptionId(id)) return false;
  try {
    const { Attributes } = await ctx.client.send(
      new DeleteCommand({
        TableName: ctx.tableName,
        Key: subscriptionKey(id),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes !== undefined;
  } catch (err: unknown) {
    throw toStoreError(err, 'subscription delete');
  }
}
