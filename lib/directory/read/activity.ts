/**
 * Activity of a contact or a chat, from its monthly items (`PROFILE#yyyy-mm`: a counter
 * `dNN` per UTC day, `hWHH` per weekday and hour, and for chats `aNN`, the day's distinct
 * senders): one Query over the months the range touches. A chat's joins and leaves come from
 * its membership events (membership-events.ts).
 */
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import { chatPk, monthSk, userPk } from '../../store/keys.ts';
import { queryAll } from '../../store/query.ts';
import { toActivityDays, toChatActivityDays, toHours } from './items/activity.ts';
import { unexpired } from './items/values.ts';
import { countChatEvents } from './membership-events.ts';
import type { ActivityDay, ChatActivityDay, HourGrid } from './shapes.ts';

export interface Activity<Day> {
  days: Day[];
  /** Messages by weekday and hour over the whole months the range touches. */
  hours: HourGrid;
  hoursRange: { from: string; to: string };
}

/** The first and last day of the months that [from, to] touches. */
export function monthRange(from: string, to: string) {
  const [year, month] = to.slice(0, 7).split('-').map(Number) as [number, number];
  // Day 0 of the next month is this month's last; setUTCFullYear, unlike Date.UTC, takes a
  // year below 100 as it is (not as 19xx).
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0);
  return { from: `${from.slice(0, 7)}-01`, to: last.toISOString().slice(0, 10) };
}

async function readMonths(ctx: StoreContext, pk: string, from: string, to: string) {
  const items = await queryAll(
    ctx,
    {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': pk,
        ':from': monthSk(from.slice(0, 7)),
        ':to': monthSk(to.slice(0, 7)),
      },
    },
    'activity read',
  );
  return unexpired(items, ctx.retentionDays);
}

/** `from` and `to` are `YYYY-MM-DD`, inclusive; only days with messages are returned. */
export async function contactActivity(
  ctx: StoreContext,
  userId: number,
  from: string,
  to: string,
): Promise<Activity<ActivityDay>> {
  const items = await readMonths(ctx, userPk(userId), from, to);
  return {
    days: toActivityDays(items, from, to),
    hours: toHours(items, from.slice(0, 7), to.slice(0, 7)),
    hoursRange: monthRange(from, to),
  };
}

/** As contactActivity, and each day also with its distinct senders, joins and leaves. */
export async function chatActivity(
  ctx: StoreContext,
  chatId: number,
  from: string,
  to: string,
): Promise<Activity<ChatActivityDay>> {
  const [items, events] = await Promise.all([
    readMonths(ctx, chatPk(chatId), from, to),
    countChatEvents(ctx, chatId, from, to).catch((err: unknown) => {
      throw toStoreError(err, 'activity read');
    }),
  ]);
  return {
    days: toChatActivityDays(items, events, from, to),
    hours: toHours(items, from.slice(0, 7), to.slice(0, 7)),
    hoursRange: monthRange(from, to),
  };
}
