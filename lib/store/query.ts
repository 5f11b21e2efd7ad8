/** Query helpers: every page, or one page with a continuation key. */
import { paginateQuery, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './client.ts';

type QueryParams = Omit<QueryCommandInput, 'TableName'>;

/** Reads every page of a query (for bounded sets: a user's items, a migration). */
export async function queryAll(
  ctx: StoreContext,
  params: QueryParams,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const pages = paginateQuery({ client: ctx.client }, { TableName: ctx.tableName, ...params });
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items;
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
): Promise<Page> {
  const page = await ctx.client.send(
    new QueryCommand({
      TableName: ctx.tableName,
      ...params,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
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
