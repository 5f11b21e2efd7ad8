/** Lists as the API serves them: `{ items, nextCursor }`, cursors signed per query and API key. */
import type { ListPage, PageRequest } from '../store/query.ts';
import { callerOf, type RequestContext } from './context.ts';

export interface ListQuery {
  limit: number;
  cursor?: string;
}

export interface List<T> {
  items: T[];
  nextCursor?: string;
}

/**
 * Reads one page of the list named `scope` (the route and its ids, e.g. `members:-100`):
 * the cursor must have been made for the same scope and the same API key, within its
 * lifetime, and the next one is made for them.
 */
export async function readList<T>(
  ctx: RequestContext,
  scope: string,
  query: ListQuery,
  read: (page: PageRequest) => Promise<ListPage<T>>,
): Promise<List<T>> {
  const binding = { scope, keyId: callerOf(ctx).keyId };
  const startKey =
    query.cursor === undefined ? undefined : ctx.cursors.decode(binding, query.cursor);
  const page = await read({ limit: query.limit, ...(startKey ? { startKey } : {}) });
  return {
    items: page.items,
    ...(page.lastKey ? { nextCursor: ctx.cursors.encode(binding, page.lastKey) } : {}),
  };
}
