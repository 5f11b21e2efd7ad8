/**
 * Thousands of items by key at once (a whole chat's memberships and its members' tags), for
 * the lookup function only: BatchGetItem, 100 keys per request, several requests in flight,
 * optionally only some attributes. Kept apart from batch-get.ts, which the webhook bundles.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { forEachConcurrently } from '../concurrency.ts';
import { MAX_BATCH_GET } from './batch-get.ts';
import { sendUntilProcessed } from './batch-retry.ts';
import type { StoreContext } from './client.ts';
import { type Key, keyId } from './keys.ts';

/** BatchGetItem requests in flight at once. */
export const BULK_GET_CONCURRENCY = 8;

type Item = Record<string, unknown>;

export interface BulkGetOptions {
  /** Read only these attributes (pk and sk are always read): less to transfer and parse. */
  attributes?: readonly string[];
  concurrency?: number;
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
 * The items at `keys`, in the order asked; missing ones are left out. Eventually consistent;
 * keys DynamoDB leaves unprocessed (throttling) are retried with backoff. The first failure
 * starts no further request; it is thrown once the ones in flight have ended.
 */
export async function bulkGet(
  ctx: StoreContext,
  keys: readonly Key[],
  options: BulkGetOptions = {},
): Promise<Item[]> {
  const projected = projection(options.attributes);
  const found = new Map<string, Item>();
  const read = (batch: Key[]) =>
    sendUntilProcessed(
      batch.map((k): Item => ({ pk: k.pk, sk: k.sk })),
      async (pending) => {
        const result = await ctx.client.send(
          new BatchGetCommand({
            RequestItems: { [ctx.tableName]: { Keys: pending, ...projected } },
          }),
        );
        for (const item of result.Responses?.[ctx.tableName] ?? []) {
          found.set(keyId({ pk: String(item.pk), sk: String(item.sk) }), item);
        }
        return result.UnprocessedKeys?.[ctx.tableName]?.Keys ?? [];
      },
      'item reads',
    );
  const batches: Key[][] = [];
  for (let i = 0; i < keys.length; i += MAX_BATCH_GET)
    batches.push(keys.slice(i, i + MAX_BATCH_GET));
  await forEachConcurrently(
    batches,
    { concurrency: options.concurrency ?? BULK_GET_CONCURRENCY, stopOnFailure: true },
    read,
  );
  return keys.map((k) => found.get(keyId(k))).filter((item): item is Item => item !== undefined);
}
