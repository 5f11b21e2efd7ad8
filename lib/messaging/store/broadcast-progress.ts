/**
 * A broadcast's progress, as the dispatcher makes it (broadcasts.ts holds the item): while it
 * has messages to send, its marker (`BROADCAST#<bc>` / `PENDING`) lists it under GSI1
 * `BROADCASTING`; the first sender moves it `queued` -> `sending`; once every recipient has
 * its final state the counts are stored (`done`, or kept `cancelled`) and the marker goes.
 */
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import { deleteIf, updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import { queryPage } from '../../store/query.ts';
import {
  broadcastKey,
  PENDING_BROADCASTS_PK,
  pendingBroadcastKey,
} from '../../store/service-keys.ts';
import { GSI1 } from '../../store/table.ts';
import type { BroadcastCounts } from './broadcasts.ts';

/** Ids of broadcasts with messages still to send, oldest first. */
export async function listPendingBroadcasts(ctx: StoreContext, limit = 10): Promise<string[]> {
  try {
    const { items } = await queryPage(
      ctx,
      {
        IndexName: GSI1.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': PENDING_BROADCASTS_PK },
      },
      limit,
    );
    return items.map((item) => String(item.gsi1sk).split('#')[1] ?? '').filter(Boolean);
  } catch (err: unknown) {
    throw toStoreError(err, 'pending broadcasts read');
  }
}

/** The dispatcher starts sending: `queued` -> `sending`. False when it was not queued. */
export async function markSending(ctx: StoreContext, id: string, now: number): Promise<boolean> {
  const update = new ItemUpdate(broadcastKey(id))
    .set('status', 'sending')
    .set('startedAt', now)
    .when('#{status} = :queued', { ':queued': 'queued' });
  return (await updateIf(ctx, update, 'broadcast update')).applied;
}

/**
 * Nothing is left to send: the final counts are stored (and a sending broadcast is `done`),
 * then the marker goes. Safe to repeat.
 */
export async function finishBroadcast(
  ctx: StoreContext,
  id: string,
  counts: BroadcastCounts,
  now: number,
): Promise<void> {
  const done = new ItemUpdate(broadcastKey(id))
    .set('status', 'done')
    .set('counts', counts)
    .set('finishedAt', now)
    .when('#{status} IN (:queued, :sending)', { ':queued': 'queued', ':sending': 'sending' });
  const { applied } = await updateIf(ctx, done, 'broadcast finish');
  // Cancelled meanwhile: it keeps its status and time, and gets its counts.
  if (!applied) {
    const counted = new ItemUpdate(broadcastKey(id))
      .set('counts', counts)
      .setIfMissing('finishedAt', now)
      .when('attribute_exists(pk)');
    await updateIf(ctx, counted, 'broadcast finish');
  }
  await forgetPending(ctx, id);
}

/** Takes a broadcast off the dispatcher's list. */
export async function forgetPending(ctx: StoreContext, id: string): Promise<void> {
  await deleteIf(ctx, pendingBroadcastKey(id), 'broadcast finish');
}
