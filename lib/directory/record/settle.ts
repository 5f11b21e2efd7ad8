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
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../errors.ts';
import type { StoreContext } from '../../store/client.ts';
import { getItem, writeIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import { type Key, MEMBERSHIP_PREFIX, monthOfSk } from '../../store/keys.ts';
import {
  FIRST_SEEN,
  FLOOR,
  isRegisterAttr,
  MEMBER_CHAT_SNAPSHOT,
  MEMBER_SOURCES,
  MEMBER_USER_SNAPSHOT,
  type MemberSource,
  MOVED_TO,
  memberAttrs,
  monthOfMemberCount,
  SINGLE_SOURCE,
} from './registers.ts';

type Item = Record<string, unknown>;

export type SettleAction =
  | { kind: 'none' }
  | { kind: 'delete' }
  | { kind: 'update'; remove: string[]; first?: number };

interface Source {
  /** The attribute that changes with every write of the source (for the write's condition). */
  attr: string;
  at?: number;
  /** The source's first contribution: a source with one before the floor goes whole. */
  since?: number;
  /** Membership source prefix, for removing its attributes. */
  prefix?: MemberSource;
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

/** Every source an item holds, present or not (absent ones have no `at`). */
function sourcesOf(item: Item): Source[] {
  const sk = String(item.sk);
  if (sk.startsWith(MEMBERSHIP_PREFIX)) {
    return MEMBER_SOURCES.map((p) => {
      const a = memberAttrs(p);
      const at = num(item[a.at]);
      return { attr: a.at, at, since: num(item[a.since]) ?? at, prefix: p };
    });
  }
  if (monthOfSk(sk) !== undefined) {
    return Object.entries(item)
      .filter(([attr]) => isRegisterAttr(attr))
      .map(([attr, value]) => {
        const at = num((value as { t?: unknown }).t);
        return { attr: `${attr}.t`, at, since: at };
      });
  }
  const at = num(item[SINGLE_SOURCE.at]);
  return [{ attr: SINGLE_SOURCE.at, at, since: num(item[SINGLE_SOURCE.since]) ?? at }];
}

/** Pure: what settling `item` against `floor` does. */
export function settleAction(item: Item, floor: number): SettleAction {
  if (typeof item[FLOOR] === 'number' && (item[FLOOR] as number) >= floor) return { kind: 'none' };
  const sk = String(item.sk);
  const sources = sourcesOf(item);
  // A month without registers is a tombstone of an earlier erasure: it stays until it expires.
  if (sources.length === 0) return { kind: 'none' };
  const present = sources.filter((s) => s.at !== undefined);
  const before = present.filter((s) => (s.since ?? 0) < floor);
  const kept = present.filter((s) => (s.since ?? 0) >= floor);
  // A live check's status alone is no membership: it is only ever added to a recorded one.
  if (kept.every((s) => s.prefix === 'l')) return { kind: 'delete' };
  if (!sk.startsWith(MEMBERSHIP_PREFIX) || before.length === 0) {
    // Single-source items and contact months are all-or-nothing (a month's counters are
    // shared by its queues: erasure replaces the months a late update can reach).
    return { kind: 'update', remove: [] };
  }
  const remove: string[] = [MEMBER_USER_SNAPSHOT, MEMBER_CHAT_SNAPSHOT, MOVED_TO];
  for (const source of before) {
    const a = memberAttrs(source.prefix as MemberSource);
    remove.push(a.hwm, a.at, a.since, a.seen, a.status, a.isMember, a.statusAt);
    remove.push(a.joinedAt, a.leftAt, a.count, a.prevSeen);
    if (a.first) remove.push(a.first);
    const prefix = source.prefix as MemberSource;
    remove.push(
      ...Object.keys(item).filter((attr) => monthOfMemberCount(prefix, attr) !== undefined),
    );
  }
  return { kind: 'update', remove, first: Math.min(...kept.map((s) => s.since as number)) };
}

/** Runs `action` on the item, conditional on its sources being as in `item`. */
async function apply(ctx: StoreContext, item: Item, floor: number, action: SettleAction) {
  const key: Key = { pk: String(item.pk), sk: String(item.sk) };
  const conditions: string[] = ['attribute_exists(pk)'];
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  let i = 0;
  for (const source of sourcesOf(item)) {
    const [attr, member] = source.attr.split('.') as [string, string | undefined];
    names[`#s${i}`] = attr;
    const path = member ? `#s${i}.${member}` : `#s${i}`;
    if (source.at === undefined) conditions.push(`attribute_not_exists(${path})`);
    else {
      conditions.push(`${path} = :s${i}`);
      values[`:s${i}`] = source.at;
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
const OPERATION = 'settle';

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
    item ??= await getItem(ctx, key, OPERATION);
    if (!item) return;
    const action = settleAction(item, floor);
    if (action.kind === 'none') return;
    const current = item;
    const applied = await writeIf(OPERATION, () => apply(ctx, current, floor, action));
    if (applied) return;
    // The item changed since it was read: read it again.
    item = undefined;
  }
  throw new StoreError(`store ${OPERATION} failed (the item kept changing)`);
}
