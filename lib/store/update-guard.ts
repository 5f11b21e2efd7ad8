/**
 * Per-item guard: the set `g` of update ids whose counters an item already holds.
 * A guarded write is conditional on its id not being in `g`, so replaying it is a no-op.
 * The set is kept small by pruning ids whose update is marked done (a redelivery of those
 * stops at the marker and never reaches the item).
 */
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './client.ts';
import { isConditionalCheckFailed } from './dynamo-errors.ts';
import type { Key } from './keys.ts';
import { updateMarkerKey } from './keys.ts';

/** Prune when the guard holds more ids than this. */
export const GUARD_PRUNE_AT = 16;
/** Ids of updates never marked done are kept up to this many, then the oldest go. */
export const GUARD_MAX_PENDING = 64;

export async function pruneGuard(
  ctx: StoreContext,
  key: Key,
  guard: ReadonlySet<number>,
  currentUpdateId: number,
): Promise<void> {
  const candidates = [...guard].filter((id) => id !== currentUpdateId).slice(0, 100);
  if (candidates.length === 0) return;
  const response = await ctx.client.send(
    new BatchGetCommand({
      RequestItems: {
        [ctx.tableName]: {
          Keys: candidates.map((id) => updateMarkerKey(id)),
          ConsistentRead: true,
          ProjectionExpression: 'pk',
        },
      },
    }),
  );
  const done = new Set(
    (response.Responses?.[ctx.tableName] ?? []).map((item) => Number(String(item.pk).slice(7))),
  );
  const pending = candidates.filter((id) => !done.has(id)).sort((a, b) => a - b);
  const overflow = pending.slice(0, Math.max(0, pending.length - GUARD_MAX_PENDING));
  const drop = [...done, ...overflow];
  if (drop.length === 0) return;
  await ctx.client
    .send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { ...key },
        UpdateExpression: 'DELETE #g :drop',
        // An item erased meanwhile must stay erased, not come back as a bare key.
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#g': 'g' },
        ExpressionAttributeValues: { ':drop': new Set(drop) },
      }),
    )
    .catch((err: unknown) => {
      if (!isConditionalCheckFailed(err)) throw err;
    });
}
