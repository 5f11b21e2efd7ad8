/**
 * Query helpers: every page, one page with a continuation key, or one page of a list mapped to
 * its entries. Given an `operation`, a failure is a StoreError naming it (as item-ops.ts's
 * calls), so a reader needs no try/catch.
 */
import { paginateQuery, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { getItems, tableKeys } from './batch-get.ts';
import type { StoreContext } from './client.ts';
import { toStoreError } from './dynamo-errors.ts';
import { GSI1 } from './table.ts';

type QueryParams = Omit<QueryCommandInput, 'TableName'>;

/** Reads every page of a query (for bounded sets: a user's items, a migration). */
export async function queryAll(
  ctx: StoreContext,
  params: QueryParams,
  operation?: string,
): Promise<Record<string, unknown>[]> {
  return named(operation, async () => {
    const items: Record<string, unknown>[] = [];
    for await (const page of queryPages(ctx, params)) items.push(...(page.Items ?? []));
    return items;
  });
}

/** The pages of a query one by one, each read when the one before is done with. */
export function queryPages(ctx: StoreContext, params: QueryParams) {
  return paginateQuery({ client: ctx.client }, { TableName: ctx.tableName, ...params });
}

/** Runs `read`; with an `operation`, a failure becomes a StoreError naming it. */
async function named<T>(operation: string | undefined, read: () => Promise<T>): Promise<T> {
  if (operation === undefined) return read();
  try {
    return await read();
  } catch (err: unknown) {
    throw toStoreError(err, operation);
  }
}

export interface Page {
  items: Record<string, unknown>[];
  lastKey?: Record<string, unknown>;
}

/** One page of at most `limit` items. */
export async function queryPage(
  ctx: StoreContext,
  params: QueryParams,
  limit: number,
  startKey?: Record<string, unknown>,
  operation?: string,
): Promise<Page> {
  const page = await named(operation, () =>
    ctx.client.send(
      new QueryCommand({
        TableName: ctx.tableName,
        ...params,
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    ),
  );
  return {
    items: page.Items ?? [],
    ...(page.LastEvaluatedKey ? { lastKey: page.LastEvaluatedKey } : {}),
  };
}

/** Which page of a list to read: at most `limit` items after `startKey`. */
export interface PageRequest {
  limit: number;
  startKey?: Record<string, unknown>;
}

/** One page of a list, mapped; `lastKey` is where the next page starts. */
export interface ListPage<T> {
  items: T[];
  lastKey?: Record<string, unknown>;
}

/** Reads one page of the list under one id (a user's chats, a chat's members, ...). */
export type ListReader<T> = (
  ctx: StoreContext,
  id: number,
  page: PageRequest,
) => Promise<ListPage<T>>;

/**
 * One page of a list: a Query page, its items turned into the list's entries (`entries` may
 * read more, e.g. a BatchGet of a keys-only index page), and where the next page starts. Any
 * fault, of the Query or of `entries`, is a StoreError naming `operation`.
 */
export function readListPage<T>(
  ctx: StoreContext,
  params: QueryParams,
  page: PageRequest,
  operation: string,
  entries: (items: Record<string, unknown>[]) => T[] | Promise<T[]>,
): Promise<ListPage<T>> {
  return named(operation, async () => {
    const { items, lastKey } = await queryPage(ctx, params, page.limit, page.startKey);
    return { items: await entries(items), ...(lastKey ? { lastKey } : {}) };
  });
}

/** The Query of the items in partition `pk` whose sort key starts with `prefix`. */
export const itemsUnder = (pk: string, prefix: string) => ({
  KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
  ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
});

/** The Query of the entries listed under `pk` in GSI1 (keys only), in their sort key's order. */
export const listedUnder = (pk: string) => ({
  IndexName: GSI1.name,
  KeyConditionExpression: 'gsi1pk = :pk',
  ExpressionAttributeValues: { ':pk': pk },
});

/**
 * One page of the items listed under `pk` in GSI1 by creation, newest first: an index Query and
 * a BatchGet (an item that expired since the index was read is left out), each item mapped by
 * `entry`. Any fault is a StoreError naming `operation`.
 */
export function readListedPage<T>(
  ctx: StoreContext,
  pk: string,
  page: PageRequest,
  operation: string,
  entry: (item: Record<string, unknown>) => T,
): Promise<ListPage<T>> {
  return readListPage(
    ctx,
    { ...listedUnder(pk), ScanIndexForward: false },
    page,
    operation,
    async (keys) => (await getItems(ctx, tableKeys(keys))).map(entry),
  );
}
