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
 * later writes nothing that stays; a user who writes again afterwards starts afresh.
 * Idempotent: running it again finishes the job.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './client.ts';
import { settleAll, toStoreError } from './dynamo-errors.ts';
import { contactMonthKey, monthOfSk, sharedOfPk, userPk } from './keys.ts';
import { queryAll } from './query.ts';
import { ERASURE_WINDOW_SECONDS, EXPIRES_AT, FLOOR, isRegisterAttr } from './registers.ts';
import { settleItem } from './settle.ts';
import { GSI1 } from './table.ts';

/** Longest a webhook delivery may still arrive after its update's date (Telegram: 24 h). */
const REDELIVERY_HORIZON_SECONDS = 25 * 3600;
const PARALLEL = 10;

const monthOf = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 7);

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
  const floor = now + 1;
  const gates = gateMonths(now);
  try {
    const closed = await settleAll(
      'erasure',
      gates.map((month) =>
        ctx.client.send(
          new PutCommand({
            TableName: ctx.tableName,
            Item: {
              ...contactMonthKey(userId, month),
              [FLOOR]: floor,
              [EXPIRES_AT]: now + ERASURE_WINDOW_SECONDS + 24 * 3600,
            },
            ReturnValues: 'ALL_OLD',
          }),
        ),
      ),
    );
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
    const gateSks = new Set(gates.map((m) => contactMonthKey(userId, m).sk));
    const rest = own.filter((item) => !gateSks.has(String(item.sk)));
    await inBatches(rest, (item) =>
      settleItem(ctx, { pk: String(item.pk), sk: String(item.sk) }, floor, item),
    );
    await inBatches(others, (item) =>
      settleItem(ctx, { pk: String(item.pk), sk: String(item.sk) }, floor),
    );
    const hadData = closed.some((r) =>
      Object.keys(r.Attributes ?? {}).some((attr) => isRegisterAttr(attr)),
    );
    const data = rest.filter(
      (item) => monthOfSk(String(item.sk)) === undefined || Object.keys(item).some(isRegisterAttr),
    );
    return {
      erased: hadData || data.length > 0 || others.length > 0,
      items: data.length + others.length,
    };
  } catch (err: unknown) {
    throw toStoreError(err, 'erasure');
  }
}
