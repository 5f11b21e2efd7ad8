/** Profiles of many users or chats in one BatchGetItem (for the page of a list). */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { sendUntilProcessed } from './batch-retry.ts';
import type { StoreContext } from './client.ts';
import { PROFILE } from './keys.ts';

/** BatchGetItem's own limit, and the API's largest page. */
export const MAX_BATCH_GET = 100;

/**
 * Profile items by partition key (`USER#<id>` / `CHAT#<id>`); missing ones are absent from
 * the map. One request for up to 100 keys; more only when DynamoDB leaves keys unprocessed
 * (throttling), retried with backoff.
 */
export async function getProfiles(
  ctx: StoreContext,
  pks: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const unique = [...new Set(pks)];
  for (let i = 0; i < unique.length; i += MAX_BATCH_GET) {
    const keys: Record<string, unknown>[] = unique
      .slice(i, i + MAX_BATCH_GET)
      .map((pk) => ({ pk, sk: PROFILE }));
    await sendUntilProcessed(
      keys,
      async (batch) => {
        const result = await ctx.client.send(
          new BatchGetCommand({ RequestItems: { [ctx.tableName]: { Keys: batch } } }),
        );
        for (const item of result.Responses?.[ctx.tableName] ?? []) {
          found.set(String(item.pk), item);
        }
        return result.UnprocessedKeys?.[ctx.tableName]?.Keys ?? [];
      },
      'profile reads',
    );
  }
  return found;
}
