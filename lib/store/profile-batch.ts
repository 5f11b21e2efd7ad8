/** Profiles of many users or chats in one BatchGetItem (for the page of a list). */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './client.ts';
import { PROFILE } from './keys.ts';

/** BatchGetItem's own limit, and the API's largest page. */
export const MAX_BATCH_GET = 100;
const MAX_ATTEMPTS = 8;

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
    let keys: Record<string, unknown>[] = unique
      .slice(i, i + MAX_BATCH_GET)
      .map((pk) => ({ pk, sk: PROFILE }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error('unprocessed profile reads after retries');
      if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      const result = await ctx.client.send(
        new BatchGetCommand({ RequestItems: { [ctx.tableName]: { Keys: keys } } }),
      );
      for (const item of result.Responses?.[ctx.tableName] ?? []) found.set(String(item.pk), item);
      keys = result.UnprocessedKeys?.[ctx.tableName]?.Keys ?? [];
    }
  }
  return found;
}
