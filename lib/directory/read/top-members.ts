/**
 * A chat's members ranked by their messages over whole UTC months: each membership keeps its
 * messages per month (`n<yyyymm>`, and `gn<yyyymm>` copied from a migrated group). Reads every
 * membership of the chat: one index Query page and one BatchGet per 100 members.
 */
import { getItems, tableKeys } from '../../store/batch-get.ts';
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import { chatPk } from '../../store/keys.ts';
import { queryAll } from '../../store/query.ts';
import { GSI1 } from '../../store/table.ts';
import { monthOfMemberCount } from '../record/registers.ts';
import { DEFAULT_RETENTION_DAYS, firstKeptMonth } from '../record/retention.ts';
import { memberUser } from './items/memberships.ts';
import type { ContactSummary } from './shapes.ts';

export interface TopMember {
  userId: number;
  messages: number;
  user?: ContactSummary;
}

type Item = Record<string, unknown>;

/** A membership's messages in the months from `fromMonth` to `toMonth` (`yyyy-mm`). */
export function messagesInMonths(item: Item, fromMonth: string, toMonth: string): number {
  let messages = 0;
  for (const [attr, value] of Object.entries(item)) {
    const month = monthOfMemberCount('m', attr) ?? monthOfMemberCount('g', attr);
    if (
      month !== undefined &&
      month >= fromMonth &&
      month <= toMonth &&
      typeof value === 'number'
    ) {
      messages += value;
    }
  }
  return messages;
}

/** Pure: the `limit` members with the most messages (ties by user id), none without any. */
export function rankMembers(
  items: Item[],
  fromMonth: string,
  toMonth: string,
  limit: number,
): TopMember[] {
  return items
    .filter((item) => item.userId !== undefined)
    .map((item) => {
      const user = memberUser(item);
      return {
        userId: Number(item.userId),
        messages: messagesInMonths(item, fromMonth, toMonth),
        ...(user ? { user } : {}),
      };
    })
    .filter((member) => member.messages > 0)
    .sort((a, b) => b.messages - a.messages || a.userId - b.userId)
    .slice(0, limit);
}

/**
 * The chat's top `limit` members over the months from `fromMonth` to `toMonth`, months past
 * RETENTION_DAYS left out (as activity reads no expired month; the per-month counts live on
 * the memberships, which do not expire).
 */
export async function topMembers(
  ctx: StoreContext,
  chatId: number,
  fromMonth: string,
  toMonth: string,
  limit: number,
  now = Math.floor(Date.now() / 1000),
): Promise<TopMember[]> {
  const kept = firstKeptMonth(now, ctx.retentionDays ?? DEFAULT_RETENTION_DAYS);
  const from = fromMonth < kept ? kept : fromMonth;
  if (from > toMonth) return [];
  try {
    const keys = await queryAll(ctx, {
      IndexName: GSI1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': chatPk(chatId) },
    });
    return rankMembers(await getItems(ctx, tableKeys(keys)), from, toMonth, limit);
  } catch (err: unknown) {
    throw toStoreError(err, 'top members read');
  }
}
