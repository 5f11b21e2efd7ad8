/** Items by key through BatchGetItem (for pages of a keys-only index query). */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { sendUntilProcessed } from './batch-retry.ts';
import type { StoreContext } from './client.ts';
import { type Key, keyId } from './keys.ts';

/** BatchGetItem's own limit, and the API's largest page. */
export const MAX_BATCH_GET = 100;

type Item = Record<string, unknown>;

export interface GetItemsOptions {
  consistent?: boolean;
  /** Read only these attributes (pk and sk are always read): less to transfer and parse. */
  attributes?: readonly string[];
}

/** A ProjectionExpression of `attributes` and the keys, every name through a placeholder. */
function projection(attributes: readonly string[] | undefined) {
  if (!attributes) return {};
  const names = [...new Set(['pk', 'sk', ...attributes])];
  return {
    ProjectionExpression: names.map((_, i) => `#p${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#p${i}`, name])),
  };
}

/**
 * The items at `keys`, in the order asked; missing ones are left out. One request per 100
 * keys; more only when DynamoDB leaves keys unprocessed (throttling), retried with backoff.
 */
export async function getItems(
  ctx: StoreContext,
  keys: readonly Key[],
  options: GetItemsOptions = {},
): Promise<Item[]> {
  const found = new Map<string, Item>();
  const projected = projection(options.attributes);
  for (let i = 0; i < keys.length; i += MAX_BATCH_GET) {
    const batch: Item[] = keys.slice(i, i + MAX_BATCH_GET).map((k) => ({ pk: k.pk, sk: k.sk }));
    await sendUntilProcessed(
      batch,
      async (pending) => {
        const result = await ctx.client.send(
          new BatchGetCommand({
            RequestItems: {
              [ctx.tableName]: {
                Keys: pending,
                ConsistentRead: options.consistent === true,
                ...projected,
              },
            },
          }),
        );
        for (const item of result.Responses?.[ctx.tableName] ?? []) {
          found.set(keyId({ pk: String(item.pk), sk: String(item.sk) }), item);
        }
        return result.UnprocessedKeys?.[ctx.tableName]?.Keys ?? [];
      },
      'item reads',
    );
  }
  return keys.map((k) => found.get(keyId(k))).filter((item): item is Item => item !== undefined);
}

/** The table keys of index query results. */
export const tableKeys = (items: readonly Item[]): Key[] =>
  items.map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));

/** BatchGetItem requests in flight at once by getItemsConcurrently. */
export const BATCH_GET_CONCURRENCY = 8;

/**
 * The items at `keys`, in the order asked, like getItems, with up to `concurrency` requests of
 * 100 keys in flight at once: for reads of thousands of items (a whole chat's members), where
 * one request after another would add a round trip per 100 items to the answer's time.
 */
export async function getItemsConcurrently(
  ctx: StoreContext,
  keys: readonly Key[],
  options: GetItemsOptions & { concurrency?: number } = {},
): Promise<Item[]> {
  const chunks: Key[][] = [];
  for (let i = 0; i < keys.length; i += MAX_BATCH_GET)
    chunks.push(keys.slice(i, i + MAX_BATCH_GET));
  const results: Item[][] = new Array(chunks.length);
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const i = next++;
      try {
        results[i] = await getItems(ctx, chunks[i] as Key[], options);
      } catch (err: unknown) {
        next = chunks.length; // the other workers stop after their request in flight
        throw err;
      }
    }
  };
  const workers = Math.min(options.concurrency ?? BATCH_GET_CONCURRENCY, chunks.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return results.flat();
}
