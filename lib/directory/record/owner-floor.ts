/**
 * A user's erasure floor as the recorder and the dispatcher read it: the newest floor on the
 * user's contact months an update (or an event) of a given month can meet (erasure.ts closes
 * today's month and those around it).
 */
import type { StoreContext } from '../../store/client.ts';
import { getItem } from '../../store/item-ops.ts';
import { contactMonthKey } from '../../store/keys.ts';
import { FLOOR } from './registers.ts';

type Item = Record<string, unknown>;

/** The erasure floor an item holds, if any. */
export const floorOf = (item: Item | undefined) =>
  typeof item?.[FLOOR] === 'number' ? (item[FLOOR] as number) : undefined;

/**
 * The newest erasure floor of `owner` seen in the contact months of `months` (consistent
 * reads). `operation` names a failed read's StoreError.
 */
export async function readOwnerFloor(
  ctx: StoreContext,
  owner: number,
  months: string[],
  operation = 'floor read',
): Promise<number | undefined> {
  const floors = await Promise.all(
    [...new Set(months)].map(async (month) =>
      floorOf(await getItem(ctx, contactMonthKey(owner, month), operation)),
    ),
  );
  const known = floors.filter((f): f is number => f !== undefined);
  return known.length ? Math.max(...known) : undefined;
}
