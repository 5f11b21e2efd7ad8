/**
 * Actors of membership events who have been erased since (issue "Personal data in one
 * place"): an event whose actor is someone else than the member carries an `ACTOR#` reference
 * (keys.ts), and the actor's erasure sets its `actorId` to null (person-refs.ts). The index is
 * eventually consistent and an event may be written while that erasure runs, so every reader
 * that shows or sends an actor checks the actor's erasure floor too, and shows `null` when it
 * came after the event. Each distinct actor's floor is read once per reader (a dispatcher
 * batch, a page of a list).
 */

import { getItems } from '../../store/batch-get.ts';
import type { StoreContext } from '../../store/client.ts';
import { settleAll } from '../../store/dynamo-errors.ts';
import { actorRefPk, contactMonthKey, eventKey, type Key, monthOf } from '../../store/keys.ts';
import { floorOf, readOwnerFloor } from '../record/owner-floor.ts';
import { endReference } from './person-refs.ts';

/** Reads a person's erasure floor as it applies to a date, once per person and months. */
export type FloorReader = (userId: number, at: number) => Promise<number | undefined>;

/**
 * A memo of floors for one batch or page: the contact months of the event's date and of
 * `now` (epoch seconds), where a recent erasure's tombstones are (owner-floor.ts).
 */
export function floorReader(ctx: StoreContext, now: number): FloorReader {
  const floors = new Map<string, Promise<number | undefined>>();
  return (userId, at) => {
    const months = [...new Set([monthOf(at), monthOf(now)])].sort();
    const key = `${userId}|${months.join(',')}`;
    let floor = floors.get(key);
    if (!floor) {
      floor = readOwnerFloor(ctx, userId, months);
      floors.set(key, floor);
    }
    return floor;
  };
}

/** Whether `actorId`, who made a change of `memberId` at `at`, has been erased since. */
export async function actorErased(
  floors: FloorReader,
  memberId: number,
  actorId: unknown,
  at: number,
): Promise<boolean> {
  if (typeof actorId !== 'number' || actorId === memberId) return false;
  const floor = await floors(actorId, at);
  return floor !== undefined && at < floor;
}

/**
 * `events` (a page of a list) as shown: an actor erased after the event becomes null. The
 * floors of every actor other than the member are read in one BatchGet (none when there is no
 * such actor). A stored event that still names an actor so hidden (one the erasure's Query
 * missed) loses the actor then, as the erasure would have done (person-refs.ts): the event is
 * kept RETENTION_DAYS, the actor's tombstones only days, after which nothing would hide it.
 * That write happens only in this rare case.
 */
export async function withoutErasedActors<
  E extends { userId: number; chatId: number; kind: string; actorId?: number | null; at: string },
>(ctx: StoreContext, events: E[], now = Math.floor(Date.now() / 1000)): Promise<E[]> {
  const named = events.filter(
    (e): e is E & { actorId: number } => typeof e.actorId === 'number' && e.actorId !== e.userId,
  );
  if (named.length === 0) return events;
  const seconds = (e: E) => Date.parse(e.at) / 1000;
  const keys = new Map<string, Key>();
  for (const e of named) {
    for (const month of [monthOf(seconds(e)), monthOf(now)]) {
      const key = contactMonthKey(e.actorId, month);
      keys.set(`${key.pk}|${key.sk}`, key);
    }
  }
  const found = await getItems(ctx, [...keys.values()], { consistent: true });
  const floors = new Map<string, number | undefined>(
    found.map((item) => [`${item.pk}|${item.sk}`, floorOf(item)]),
  );
  const floorAt = (actorId: number, at: number) => {
    const known = [monthOf(at), monthOf(now)]
      .map((month) => contactMonthKey(actorId, month))
      .map((key) => floors.get(`${key.pk}|${key.sk}`))
      .filter((f): f is number => f !== undefined);
    return known.length ? Math.max(...known) : undefined;
  };
  const erased = named.flatMap((event) => {
    const floor = floorAt(event.actorId, seconds(event));
    return floor !== undefined && seconds(event) < floor ? [{ event, floor }] : [];
  });
  if (erased.length === 0) return events;
  await settleAll(
    'erased actors',
    erased.map(({ event, floor }) =>
      endReference(
        ctx,
        eventKey(event.userId, event.chatId, seconds(event), event.kind),
        actorRefPk(event.actorId),
        floor,
      ),
    ),
  );
  const hidden = new Set<E>(erased.map(({ event }) => event));
  return events.map((event) => (hidden.has(event) ? { ...event, actorId: null } : event));
}
