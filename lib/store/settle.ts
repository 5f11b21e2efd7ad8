/**
 * Settling a user's item against an erasure floor: whatever a source contributed before the
 * floor is removed, the rest stays, and the item records the floor so that no update dated
 * before it can write there again. An item left with nothing is deleted.
 *
 * The same step serves three callers (recorder.ts, erasure.ts): an erasure settling every item
 * of the user, an update that finds it is older than an erasure it raced (its own writes are
 * removed: they carry its date), and the first updates after an erasure stamping items they
 * created before they knew of it. Each write is conditional on the item being as it was read,
 * so a concurrent writer makes it read again rather than lose that writer's data.
 */
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../errors.ts';
import type { StoreContext } from './client.ts';
import { isConditionalCheckFailed } from './dynamo-errors.ts';
import { ItemUpdate } from './item-update.ts';
import { type Key, MEMBERSHIP_PREFIX, monthOfSk } from './keys.ts';
import {
  FIRST_SEEN,
  FLOOR,
  isRegisterAttr,
  MEMBER_CHAT_SNAPSHOT,
  MEMBER_SOURCES,
  MEMBER_USER_SNAPSHOT,
  MOVED_TO,
  memberAttrs,
  SINGLE_SOURCE,
} from './registers.ts';

type Item = Record<string, unknown>;

export type SettleAction =
  | { kind: 'none' }
  | { kind: 'delete' }
  | { kind: 'update'; remove: string[]; first?: number };

/** The (date attribute, value) pairs that identify what each source last wrote. */
function sourceDates(item: Item): Map<string, number | undefined> {
  const sk = String(item.sk);
  const dates = new Map<string, number | undefined>();
  if (sk.startsWith(MEMBERSHIP_PREFIX)) {
    for (const p of MEMBER_SOURCES) {
      const at = memberAttrs(p).at;
      dates.set(at, typeof item[at] === 'number' ? (item[at] as number) : undefined);
    }
  } else if (monthOfSk(sk) !== undefined) {
    for (const [attr, value] of Object.entries(item)) {
      if (isRegisterAttr(attr)) dates.set(attr, Number((value as { t?: unknown }).t));
    }
  } else {
    const at = item[SINGLE_SOURCE.at];
    dates.set(SINGLE_SOURCE.at, typeof at === 'number' ? at : undefined);
  }
  return dates;
}

/** Pure: what settling `item` against `floor` does. */
export function settleAction(item: Item, floor: number): SettleAction {
  if (typeof item[FLOOR] === 'number' && (item[FLOOR] as number) >= floor) return { kind: 'none' };
  const sk = String(item.sk);
  const dates = sourceDates(item);
  // A month without registers is a tombstone of an earlier erasure: it stays until it expires.
  if (dates.size === 0) return { kind: 'none' };
  const present = [...dates].filter((entry): entry is [string, number] => entry[1] !== undefined);
  const before = present.filter(([, t]) => t < floor);
  const kept = present.filter(([, t]) => t >= floor);
  if (kept.length === 0) return { kind: 'delete' };
  if (!sk.startsWith(MEMBERSHIP_PREFIX) || before.length === 0) {
    // Single-source items and contact months are all-or-nothing (a month's counters are
    // shared by its queues: erasure replaces the months a late update can reach).
    return { kind: 'update', remove: [] };
  }
  const remove: string[] = [MEMBER_USER_SNAPSHOT, MEMBER_CHAT_SNAPSHOT, MOVED_TO];
  for (const p of MEMBER_SOURCES) {
    const a = memberAttrs(p);
    const t = dates.get(a.at);
    if (t === undefined || t >= floor) continue;
    remove.push(a.hwm, a.at, a.status, a.isMember, a.statusAt, a.joinedAt, a.leftAt, a.count);
    if (a.first) remove.push(a.first);
  }
  return { kind: 'update', remove, first: Math.min(...kept.map(([, t]) => t)) };
}

/** Runs `action` on the item, conditional on its sources being as in `item`. */
async function apply(ctx: StoreContext, item: Item, floor: number, action: SettleAction) {
  const key: Key = { pk: String(item.pk), sk: String(item.sk) };
  const conditions: string[] = ['attribute_exists(pk)'];
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  let i = 0;
  for (const [attr, t] of sourceDates(item)) {
    names[`#s${i}`] = attr;
    if (t === undefined) conditions.push(`attribute_not_exists(#s${i})`);
    else if (isRegisterAttr(attr)) {
      conditions.push(`#s${i}.t = :s${i}`);
      values[`:s${i}`] = t;
    } else {
      conditions.push(`#s${i} = :s${i}`);
      values[`:s${i}`] = t;
    }
    i++;
  }
  if (action.kind === 'delete') {
    await ctx.client.send(
      new DeleteCommand({
        TableName: ctx.tableName,
        Key: key,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      }),
    );
    return;
  }
  if (action.kind !== 'update') return;
  const update = new ItemUpdate(key).set(FLOOR, floor);
  for (const attr of action.remove) update.remove(attr);
  if (action.first !== undefined) update.set(FIRST_SEEN, action.first);
  const input = update.toInput(ctx.tableName);
  await ctx.client.send(
    new UpdateCommand({
      ...input,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: { ...input.ExpressionAttributeNames, ...names },
      ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ...values },
    }),
  );
}

const MAX_ATTEMPTS = 8;

/**
 * Settles the item at `key` against `floor`. `known` is a consistent read of it, if the
 * caller has one; otherwise (and after a conflict) it is read again.
 */
export async function settleItem(
  ctx: StoreContext,
  key: Key,
  floor: number,
  known?: Item,
): Promise<void> {
  let item = known;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (!item) {
      const { Item } = await ctx.client.send(
        new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true }),
      );
      if (!Item) return;
      item = Item;
    }
    const action = settleAction(item, floor);
    if (action.kind === 'none') return;
    try {
      await apply(ctx, item, floor, action);
      return;
    } catch (err: unknown) {
      if (!isConditionalCheckFailed(err)) throw err;
      item = undefined;
    }
  }
  throw new StoreError('store settle failed (the item kept changing)');
}
