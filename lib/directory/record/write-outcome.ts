/**
 * One planned write sent, and what its answer tells the steps after the round: applied or
 * refused, the item as it was (a user's item, when applied), and, when DynamoDB hands the
 * refused item over, its floor, its active-senders state and, for a gate, the item itself.
 */
import type { StoreContext } from '../../store/client.ts';
import { type Item, updateIf } from '../../store/item-ops.ts';
import type { PlannedWrite } from './record-plan.ts';
import { FLOOR, memberAttrs } from './registers.ts';

export interface Outcome {
  planned: PlannedWrite;
  applied: boolean;
  /** The item before this write (user items only); undefined when the write created it. */
  old?: Item;
  /** A refusal that carried the item (DynamoDB does; the embedded store does not)... */
  refusedItem?: boolean;
  /** ...and the floor it had, if any. */
  refusedFloor?: number;
  /** ...and, for a counted message's membership, its mark and previous last seen. */
  refusedActive?: ActiveState;
  /** ...and, for a gate, the item itself (contact-events.ts reads it). */
  refusedGate?: Item;
}

/**
 * A counted message's membership as its refusal found it: the `m` mark, the `m` last seen
 * before that update, and the last seen copied from a migrated group (`g`).
 */
export interface ActiveState {
  hwm?: number;
  prevSeen?: number;
  groupSeen?: number;
}

export function activeState(item: Item | undefined): ActiveState {
  const m = memberAttrs('m');
  return {
    hwm: numberIn(item, m.hwm),
    prevSeen: numberIn(item, m.prevSeen),
    groupSeen: numberIn(item, memberAttrs('g').seen),
  };
}

/** A number attribute of an item. */
export function numberIn(item: Item | undefined, attr: string): number | undefined {
  const value = item?.[attr];
  return typeof value === 'number' ? value : undefined;
}

/**
 * Sends `planned`: a user's item answers its old attributes, a gate or a counted message's
 * membership asks for the refused item. `operation` names a fault's StoreError (the step
 * that sent it: `record`, `settle`, `shared check`, `contact events`).
 */
export async function sendPlanned(
  ctx: StoreContext,
  planned: PlannedWrite,
  operation: string,
): Promise<Outcome> {
  const result = await updateIf(ctx, planned.update, operation, {
    ...(planned.owner !== undefined ? { returnValues: 'ALL_OLD' as const } : {}),
    returnOld: Boolean(planned.gate || planned.firstOfDay),
  });
  const item = result.attributes;
  if (result.applied) return { planned, applied: true, ...(item ? { old: item } : {}) };
  const floor = numberIn(item, FLOOR);
  return {
    planned,
    applied: false,
    ...(item ? { refusedItem: true } : {}),
    ...(floor ? { refusedFloor: floor } : {}),
    ...(item && planned.firstOfDay ? { refusedActive: activeState(item) } : {}),
    ...(item && planned.gate ? { refusedGate: item } : {}),
  };
}
