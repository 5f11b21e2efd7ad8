/**
 * A user's erasure floor as the recorder and the dispatcher read it: the newest floor on the
 * user's contact months an update (or an event) of a given month can meet (erasure.ts closes
 * today's month and those around it).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from '../../store/client.ts';
import { contactMonthKey, type Key } from '../../store/keys.ts';
import { FLOOR } from './registers.ts';

type Item = Record<string, unknown>;

export const floorOf = (item: Item | undefined) =>
  typeof item?.[FLOOR] === 'number' ? (item[FLOOR] as number) : undefined;

/** A consistent read of one item. */
export async function readItem(ctx: StoreContext, key: Key): Promise<Item | undefined> {
  const { Item } = await ctx.client.send(
    new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true }),
  );
  return Item;
}

async function readFloor(ctx: StoreContext, key: Key): Promise<number | undefined> {
  return floorOf(await readItem(ctx, key));
}

/** The newest erasure floor of `owner` seen in the contact months of `months`. */
export async function readOwnerFloor(ctx: StoreContext, owner: number, months: string[]) {
  const floors = await Promise.all(
    [...new Set(months)].map((month) => readFloor(ctx, contactMonthKey(owner, month))),
  );
  const known = floors.filter((f): f is number => f !== undefined);
  return known.length ? Math.max(...known) : undefined;
}
