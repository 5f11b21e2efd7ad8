/**
 * What the dispatcher's sweep works through, both listed in GSI1 oldest first: outbox events
 * not yet fanned out (`OUTBOX`, until `markFannedOut` takes one off the list and closes it to
 * rewrites) and deliveries due (`DUE`, by when they are due: deliveries.ts keeps the entry).
 */
import type { StoreContext } from '../../store/client.ts';
import { updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import { eventTime, type Key } from '../../store/keys.ts';
import { queryPage } from '../../store/query.ts';
import { DUE_DELIVERIES_PK, PENDING_EVENTS_PK } from '../../store/service-keys.ts';
import { GSI1 } from '../../store/table.ts';
import { FANNED_OUT } from './outbox.ts';

/** Marks an outbox event as fanned out: off the pending list, and closed to rewrites. */
export async function markFannedOut(ctx: StoreContext, event: Key): Promise<void> {
  const update = new ItemUpdate(event)
    .set(FANNED_OUT, true)
    .remove('gsi1pk')
    .remove('gsi1sk')
    .when('attribute_exists(pk)');
  await updateIf(ctx, update, 'delivery');
}

/** Entries listed under a GSI1 partition, sort key below `below`, oldest first. */
async function listIndex(ctx: StoreContext, pk: string, below: string, limit: number) {
  const { items } = await queryPage(
    ctx,
    {
      IndexName: GSI1.name,
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :below',
      ExpressionAttributeValues: { ':pk': pk, ':below': below },
    },
    limit,
  );
  return items;
}

/** Outbox events not yet fanned out (keys), oldest first. */
export async function listPendingEvents(ctx: StoreContext, limit = 100): Promise<Key[]> {
  const items = await listIndex(ctx, PENDING_EVENTS_PK, '~', limit);
  return items.map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));
}

/** Deliveries due at `now` (subscription and event ids), oldest first. */
export async function listDueDeliveries(
  ctx: StoreContext,
  now: number,
  limit = 100,
): Promise<{ subscriptionId: string; eventId: string }[]> {
  const items = await listIndex(ctx, DUE_DELIVERIES_PK, eventTime(now + 1), limit);
  return items.map((item) => {
    const [, subscriptionId = '', eventId = ''] = String(item.gsi1sk).split('#');
    return { subscriptionId, eventId };
  });
}
