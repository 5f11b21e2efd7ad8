/** Items by key through BatchGetItem (for pages of a keys-only index query). */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { sendUntilProcessed } from './batch-retry.ts';
import type { StoreContext } from './client.ts';
import { type Key, keyId } from './keys.ts';

/** BatchGetItem's own limit, and the API's largest page. */
export const MAX_BATCH_GET = 100;

type Item = Record<string, unknown>;

/**
 * The items at `keys`, in the order asked; missing ones are left out. One request per 100
 * keys; more only when DynamoDB leaves keys unprocessed (throttling), retried with backoff.
 */
export async function getItems(
  ctx: StoreContext,
  keys: readonly Key[],
  options: { consistent?: boolean } = {},
): Promise<Item[]> {
  const found = new Map<string, Item>();
  for (let i = 0; i < keys.length; i += MAX_BATCH_GET) {
    const batch: Item[] = keys.slice(i, i + MAX_BATCH_GET).map((k) => ({ pk: k.pk, sk: k.sk }));
    await sendUntilProcessed(
      batch,
      async (pending) => {
        const result = await ctx.client.send(
          new BatchGetCommand({
            RequestItems: {
              [ctx.tableName]: { Keys: pending, ConsistentRead: options.consistent === true },
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
