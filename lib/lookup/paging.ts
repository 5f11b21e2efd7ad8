/** Lists as the API serves them: `{ items, nextCursor }`, cursors signed per query. */
import type { CursorCodec } from '../http/cursor.ts';
import type { ListPage, PageRequest } from '../store/query.ts';

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
 * the cursor must have been made for the same scope, and the next one is made for it.
 */
export async function readList<T>(
  cursors: CursorCodec,
  scope: string,
  query: ListQuery,
  read: (page: PageRequest) => Promise<ListPage<T>>,
): Promise<List<T>> {
  const startKey = query.cursor === undefined ? undefined : cursors.decode(scope, query.cursor);
  const page = await read({ limit: query.limit, ...(startKey ? { startKey } : {}) });
  return {
    items: page.items,
    ...(page.lastKey ? { nextCursor: cursors.encode(scope, page.lastKey) } : {}),
  };
}
