/**
 * Erasure of everything stored about one user: contact months, verified phone, memberships,
 * the contacts they shared and the entries where others shared them. The indexes (username,
 * phone, members) hold keys only and vanish with the items. Used by `DELETE
 * /v1/contacts/{userId}` and the bot's /forget. Aggregate chat counters keep the user's
 * messages as anonymous counts.
 *
 * Final (recorder.ts): first the user's gate months, every month an update still in flight
 * can be dated in (Telegram drops an update 24 h after its date) and every month of the
 * following window, become tombstones carrying the erasure's floor; then every other item
 * is settled against that floor (settle.ts), which removes what was written before it and
 * keeps what a newer update wrote meanwhile. An update dated before the floor that arrives
 * later writes nothing that stays; a user who writes again afterwards starts afresh. Her
 * verified number gets a floor of its own (phone-floor.ts), which holds against contact cards
 * that carry only that number.
 * Idempotent: running it again finishes the job.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { enqueueEvent, erasedEvent } from '../../events/store/outbox.ts';
import type { StoreContext } from '../../store/client.ts';
import { settleAll, toStoreError } from '../../store/dynamo-errors.ts';
import { storeCall } from '../../store/item-ops.ts';
import {
  contactMonthKey,
  monthOf,
  monthOfSk,
  phoneItemKey,
  sharedOfPk,
  sharedPhonePk,
  userPk,
} from '../../store/keys.ts';
import { queryAll } from '../../store/query.ts';
import { GSI1 } from '../../store/table.ts';
import { ERASURE_WINDOW_SECONDS, EXPIRES_AT, FLOOR, isRegisterAttr } from '../record/registers.ts';
import { settleItem } from '../record/settle.ts';
import { endReferences } from './person-refs.ts';
import { closePhone } from './phone-floor.ts';

/** Longest a webhook delivery may still arrive after its update's date (Telegram: 24 h). */
const REDELIVERY_HORIZON_SECONDS = 25 * 3600;
const PARALLEL = 10;

/** The months whose contact items an erasure at `now` turns into tombstones. */
export function gateMonths(now: number): string[] {
  const edges = [now - REDELIVERY_HORIZON_SECONDS, now, now + ERASURE_WINDOW_SECONDS];
  return [...new Set(edges.map(monthOf))];
}

async function inBatches<T>(items: T[], run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL) {
    await settleAll('erasure', items.slice(i, i + PARALLEL).map(run));
  }
}

/**
 * Puts the tombstones of `gates` (floor `at + 1`); returns what they replaced. A month that
 * already holds a later erasure's floor keeps it (two erasures may overlap: a retried DELETE,
 * a /forget beside it): an erasure never lowers a floor.
 */
function closeGates(
  ctx: StoreContext,
  userId: number,
  at: number,
  gates: string[],
): Promise<{ Attributes?: Record<string, unknown> }[]> {
  return settleAll(
    'erasure',
    gates.map(async (month) => {
      // A gate with this floor or a newer one already: nothing to answer.
      return storeCall(
        'erasure',
        () =>
          ctx.client.send(
            new PutCommand({
              TableName: ctx.tableName,
              Item: {
                ...contactMonthKey(userId, month),
                [FLOOR]: at + 1,
                [EXPIRES_AT]: at + ERASURE_WINDOW_SECONDS + 24 * 3600,
              },
              ConditionExpression: 'attribute_not_exists(#floor) OR #floor < :floor',
              ExpressionAttributeNames: { '#floor': FLOOR },
              ExpressionAttributeValues: { ':floor': at + 1 },
              ReturnValues: 'ALL_OLD',
            }),
          ),
        () => ({}),
      );
    }),
  );
}

/** The newest date of a register dated at or after `floor` in the replaced months. */
function newestRegister(
  closed: { Attributes?: Record<string, unknown> }[],
  floor: number,
): number | undefined {
  const dates = closed.flatMap((r) =>
    Object.entries(r.Attributes ?? {})
      .filter(([attr]) => isRegisterAttr(attr))
      .map(([, value]) => Number((value as { t?: unknown }).t))
      .filter((t) => t >= floor),
  );
  return dates.length ? Math.max(...dates) : undefined;
}

export interface ErasureResult {
  /** Something was stored about the user. */
  erased: boolean;
  /** Items removed or settled (tombstones not counted). */
  items: number;
}

/** Erases user `userId` as of `now` (epoch seconds): updates dated after it count again. */
export async function eraseUser(
  ctx: StoreContext,
  userId: number,
  now = Math.floor(Date.now() / 1000),
): Promise<ErasureResult> {
  let at = now;
  let gates = gateMonths(at);
  try {
    let closed = await closeGates(ctx, userId, at, gates);
    const hadData = closed.some((r) =>
      Object.keys(r.Attributes ?? {}).some((attr) => isRegisterAttr(attr)),
    );
    // A tombstone replaces its month whole: had an update dated after the floor landed there
    // first (an erasure slower than a second), the erasure takes effect after that update.
    for (let newest = newestRegister(closed, at + 1); newest !== undefined; ) {
      at = newest;
      gates = gateMonths(at);
      closed = await closeGates(ctx, userId, at, gates);
      newest = newestRegister(closed, at + 1);
    }
    const floor = at + 1;
    const own = await queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': userPk(userId) },
      ConsistentRead: true,
    });
    const others = await queryAll(ctx, {
      IndexName: GSI1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': sharedOfPk(userId) },
    });
    // Entries others saved of her phone number alone (no Telegram user id) go too; found
    // before her phone item is settled, so that a retry after a crash still knows the number.
    const phone = own.find((item) => item.sk === phoneItemKey(userId).sk)?.phoneNumber;
    // The number's floor first (phone-floor.ts): a card of it recorded after the Query below
    // (a redelivery, or one recorded meanwhile) meets the floor instead.
    if (typeof phone === 'string') await closePhone(ctx, phone, at);
    const byPhone =
      typeof phone === 'string'
        ? await queryAll(ctx, {
            IndexName: GSI1.name,
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': sharedPhonePk(phone) },
          })
        : [];
    const gateSks = new Set(gates.map((m) => contactMonthKey(userId, m).sk));
    const rest = own.filter((item) => !gateSks.has(String(item.sk)));
    const data = rest.filter(
      (item) => monthOfSk(String(item.sk)) === undefined || Object.keys(item).some(isRegisterAttr),
    );
    const found = data.length + others.length + byPhone.length;
    // Subscribers hear of it before the rest is settled, so that a crash from here on, which
    // a retried erasure finishes, cannot lose the event (the retry finds nothing to report).
    if (hadData || found > 0) await enqueueEvent(ctx, erasedEvent(userId, floor));
    await inBatches([...others, ...byPhone], (item) =>
      settleItem(ctx, { pk: String(item.pk), sk: String(item.sk) }, floor),
    );
    // What other features keep of her (person-refs.ts), before her phone item is settled: a
    // retry after a crash still knows the number.
    const refs = await endReferences(
      ctx,
      userId,
      typeof phone === 'string' ? phone : undefined,
      floor,
    );
    await inBatches(rest, (item) =>
      settleItem(ctx, { pk: String(item.pk), sk: String(item.sk) }, floor, item),
    );
    const ended = refs.deleted + refs.unnamed;
    return { erased: hadData || found > 0 || ended > 0, items: found + ended };
  } catch (err: unknown) {
    throw toStoreError(err, 'erasure');
  }
}
