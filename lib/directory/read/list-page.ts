/**
 * One page of a directory list: a Query page, its items turned into the list's entries, and
 * where the next page starts; any store fault is a StoreError named for the list.
 */
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import type { Item } from '../../store/item-ops.ts';
import { type ListPage, type PageRequest, queryPage } from '../../store/query.ts';

export async function listPage<T>(
  ctx: StoreContext,
  params: Omit<QueryCommandInput, 'TableName'>,
  page: PageRequest,
  operation: string,
  entries: (items: Item[]) => T[] | Promise<T[]>,
): Promise<ListPage<T>> {
  try {
    const { items, lastKey } = await queryPage(ctx, params, page.limit, page.startKey);
    return { items: await entries(items), ...(lastKey ? { lastKey } : {}) };
  } catch (err: unknown) {
    throw toStoreError(err, operation);
  }
}
