/**
 * Query helpers: every page, or one page with a continuation key. Given an `operation`, a
 * failure is a StoreError naming it (as item-ops.ts's calls), so a reader needs no try/catch.
 */
import { paginateQuery, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './client.ts';
import { toStoreError } from './dynamo-errors.ts';

type QueryParams = Omit<QueryCommandInput, 'TableName'>;

/** Reads every page of a query (for bounded sets: a user's items, a migration). */
export async function queryAll(
  ctx: StoreContext,
  params: QueryParams,
  operation?: string,
): Promise<Record<string, unknown>[]> {
  return named(operation, async () => {
    const items: Record<string, unknown>[] = [];
    const pages = paginateQuery({ client: ctx.client }, { TableName: ctx.tableName, ...params });
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items;
  });
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
