/**
 * The guards a recorded write carries, as conditions of its UpdateItem:
 * - a queue's mark: the last update id of that queue applied to the item, with its date. A
 *   write applies only when its update id is above the mark (or its date more than
 *   RESTART_HORIZON_SECONDS past the mark's: Telegram numbered afresh), and raises it;
 * - the erasure floor: a write of a user's item applies only when the update can have been
 *   sent at or after the item's floor.
 */
import type { ItemUpdate } from '../../store/item-update.ts';
import { FLOOR } from './registers.ts';

/**
 * A queue's mark is passed by an update dated this long after the mark's own update: Telegram
 * numbers updates afresh after a week without any (Bot API, getUpdates), while a redelivery
 * never carries a later date than the delivery it repeats.
 */
export const RESTART_HORIZON_SECONDS = 25 * 3600;

/** A mark held in a map (a register, the active-senders mark): `i` the update id, `t` its date. */
export interface MapMark {
  i: number;
  t: number;
}

/** Sets the map `attr` to `mark`, on condition that the update is past the mark held there. */
export function passMapMark(update: ItemUpdate, attr: string, mark: MapMark): ItemUpdate {
  return update
    .set(attr, mark)
    .when(`attribute_not_exists(#{${attr}}) OR #{${attr}.i} < :id OR #{${attr}.t} < :stale`, {
      ':id': mark.i,
      ':stale': mark.t - RESTART_HORIZON_SECONDS,
    });
}

/**
 * Sets the flat mark `hwm` (a source's last update id, dated by its attribute `at`) to update
 * `id` of date `t`, on condition that the update is past it.
 */
export function passFlatMark(
  update: ItemUpdate,
  hwm: string,
  at: string,
  id: number,
  t: number,
): ItemUpdate {
  return update
    .set(hwm, id)
    .when(`attribute_not_exists(#{${hwm}}) OR #{${hwm}} < :id OR #{${at}} < :stale`, {
      ':id': id,
      ':stale': t - RESTART_HORIZON_SECONDS,
    });
}

/** On condition that an update sent no earlier than `sentFrom` is not older than the floor. */
export function notBeforeFloor(update: ItemUpdate, sentFrom: number): ItemUpdate {
  return update.when(`attribute_not_exists(#{${FLOOR}}) OR #{${FLOOR}} <= :f`, { ':f': sentFrom });
}
