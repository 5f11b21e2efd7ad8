/**
 * What the dispatcher checks before it sends an event, so that nothing of a person erased
 * since goes out (issue "Personal data in one place"). The erasure deletes the copies it finds
 * through the references (person-refs.ts); these checks cover what its Query missed (an item
 * written while it ran, an index not yet up to date), and end such a reference when they meet
 * one:
 * - the event's own user, and the users it names (`otherUserIds`): their erasure floor;
 * - a `contact.shared` card naming only a phone number: its owner's shared entry of that
 *   number (`SHARED#PHONE#<e164>`, which the erasure of whoever verified the number settles)
 *   must still be there, and not newer than the event;
 * - the actor of someone else's membership change: erased since, it goes out as
 *   `actorId: null`.
 * Floors are read once per person and batch (erased-actors.ts `floorReader`), the shared entry
 * once per event.
 */

import { actorErased, type FloorReader } from '../directory/erasure/erased-actors.ts';
import { endReference } from '../directory/erasure/person-refs.ts';
import { SINGLE_SOURCE } from '../directory/record/registers.ts';
import type { StoreContext } from '../store/client.ts';
import { getItem } from '../store/item-ops.ts';
import { idFromKey, type Key, REF_AT, sharedKey } from '../store/keys.ts';
import type { EventItem } from './envelope.ts';
import { deleteEvent } from './store/outbox.ts';

export interface OutboxItem extends EventItem {
  pk?: string;
  sk?: string;
  fo?: boolean;
  userId?: number;
  otherUserIds?: number[];
  subscriptionId?: string;
  gsi2pk?: string;
  [REF_AT]?: number;
}

const MEMBER_EVENT = /^member\./;

/** The phone number of a `contact.shared` card that names no Telegram user. */
function phoneOnlyCard(event: OutboxItem): string | undefined {
  if (event.type !== 'contact.shared') return undefined;
  const card = (event.data as { sharedContact?: Record<string, unknown> } | undefined)
    ?.sharedContact;
  if (!card || card.userId !== undefined || typeof card.phoneNumber !== 'string') return undefined;
  return card.phoneNumber;
}

/**
 * The erasure floor that drops `event` (a user it names erased after it happened), 0 when it
 * is a phone-only card whose entry is gone, undefined when it may go out. `contact.erased`
 * always goes out.
 */
export async function erasedFloor(
  ctx: StoreContext,
  floors: FloorReader,
  event: OutboxItem,
): Promise<number | undefined> {
  if (event.type === 'contact.erased') return undefined;
  const users = [
    ...(event.userId !== undefined ? [event.userId] : []),
    ...(event.otherUserIds ?? []),
  ];
  for (const userId of users) {
    const floor = await floors(userId, event.at);
    if (floor !== undefined && event.at < floor) return floor;
  }
  const phone = phoneOnlyCard(event);
  if (phone !== undefined && event.userId !== undefined) {
    const entry = await getItem(
      ctx,
      sharedKey(event.userId, { phoneNumber: phone }),
      'erasure check',
    );
    const since = entry?.[SINGLE_SOURCE.since];
    if (!entry?.phoneNumber || (typeof since === 'number' && since > event.at)) return 0;
  }
  return undefined;
}

/**
 * An event item dropped for an erasure (an item the erasure missed: a copy naming someone
 * else written while it ran, or an erased user's own event a late redelivery wrote again
 * before the recorder settled it) is deleted, as the erasure would have.
 */
export async function endDroppedEvent(ctx: StoreContext, key: Key, event: OutboxItem) {
  const ref = event.gsi2pk;
  if (typeof ref === 'string' && /^REF(PHONE)?#/.test(ref)) {
    await endReference(ctx, key, ref, event.at + 1);
  } else if (event.userId !== undefined && key.pk === `USER#${event.userId}`) {
    await deleteEvent(ctx, key, event.at);
  }
}

/**
 * `event` as it goes out: a membership change made by someone else who has been erased since
 * shows `actorId: null` (and the item loses the actor, as the erasure would have done).
 */
export async function withoutErasedActor(
  ctx: StoreContext,
  floors: FloorReader,
  key: Key | undefined,
  event: OutboxItem,
): Promise<OutboxItem> {
  if (!MEMBER_EVENT.test(event.type) || event.userId === undefined) return event;
  const actorId = event.data?.actorId;
  if (!(await actorErased(floors, event.userId, actorId, event.at))) return event;
  if (key && typeof event.gsi2pk === 'string') {
    const floor = await floors(actorId as number, event.at);
    await endReference(ctx, key, event.gsi2pk, floor ?? event.at + 1);
  }
  return { ...event, data: { ...event.data, actorId: null } };
}

/** The owner of an event kept in a user's partition, whose deliveries refer to them. */
export function eventOwner(key: Key): number | undefined {
  return key.pk.startsWith('USER#') ? idFromKey(key.pk) : undefined;
}
