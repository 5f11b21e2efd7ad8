/**
 * Lists of subscriptions (subscriptions.ts holds the record): a page for the API, newest
 * first, and every one for the create route's checks and the dispatcher's fan-out, oldest
 * first: an index Query of GSI1 `SUBS` and one BatchGetItem.
 */
import { getItems, tableKeys } from '../../store/batch-get.ts';
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import type { Item } from '../../store/item-ops.ts';
import {
  type ListPage,
  listedUnder,
  type PageRequest,
  queryAll,
  readListedPage,
} from '../../store/query.ts';
import { SUBSCRIPTIONS_INDEX_PK } from '../../store/service-keys.ts';
import {
  type Subscription,
  type SubscriptionWithSecret,
  toSubscription,
  withSecret,
} from './subscriptions.ts';

/** How many subscriptions there are (one index Query; the index lags writes a little). */
export async function countSubscriptions(ctx: StoreContext): Promise<number> {
  return (await indexEntries(ctx, 'subscription count')).length;
}

/** One page of subscriptions, newest first: an index Query and a BatchGetItem. */
export function listSubscriptions(
  ctx: StoreContext,
  page: PageRequest,
): Promise<ListPage<Subscription>> {
  return readListedPage(ctx, SUBSCRIPTIONS_INDEX_PK, page, 'subscription list', toSubscription);
}

function indexEntries(ctx: StoreContext, operation?: string): Promise<Item[]> {
  return queryAll(ctx, listedUnder(SUBSCRIPTIONS_INDEX_PK), operation);
}

/** Every subscription item, oldest first: one index Query and one consistent BatchGet. */
async function readAll<T>(ctx: StoreContext, read: (item: Item) => T): Promise<T[]> {
  try {
    const items = await getItems(ctx, tableKeys(await indexEntries(ctx)), { consistent: true });
    return items.map(read);
  } catch (err: unknown) {
    throw toStoreError(err, 'subscription list');
  }
}

/**
 * Every subscription without its secret, oldest first: at most MAX_SUBSCRIPTIONS items (the
 * create route's limit and duplicate checks).
 */
export function listAllSubscriptions(ctx: StoreContext): Promise<Subscription[]> {
  return readAll(ctx, toSubscription);
}

/** Every subscription with its secret, oldest first (the dispatcher's fan-out). */
export function listSubscriptionsWithSecrets(ctx: StoreContext): Promise<SubscriptionWithSecret[]> {
  return readAll(ctx, withSecret);
}

/** Every active subscription, with its secret, oldest first. */
export async function listActiveSubscriptions(
  ctx: StoreContext,
): Promise<SubscriptionWithSecret[]> {
  return (await listSubscriptionsWithSecrets(ctx)).filter((sub) => sub.status === 'active');
}
