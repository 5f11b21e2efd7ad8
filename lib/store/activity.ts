/**
 * Messages per UTC day of a contact or a chat, from its monthly items (`PROFILE#yyyy-mm`,
 * a counter `dNN` per day): one Query over the months the range touches.
 */
import type { StoreContext } from './client.ts';
import { toStoreError } from './dynamo-errors.ts';
import { type ActivityDay, toActivityDays } from './items.ts';
import { chatPk, monthSk, userPk } from './keys.ts';
import { queryAll } from './query.ts';

/** `from` and `to` are `YYYY-MM-DD`, inclusive; only days with messages are returned. */
async function readActivity(
  ctx: StoreContext,
  pk: string,
  from: string,
  to: string,
): Promise<ActivityDay[]> {
  try {
    const items = await queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': pk,
        ':from': monthSk(from.slice(0, 7)),
        ':to': monthSk(to.slice(0, 7)),
      },
    });
    return toActivityDays(items, from, to);
  } catch (err: unknown) {
    throw toStoreError(err, 'activity read');
  }
}

export const contactActivity = (ctx: StoreContext, userId: number, from: string, to: string) =>
  readActivity(ctx, userPk(userId), from, to);

export const chatActivity = (ctx: StoreContext, chatId: number, from: string, to: string) =>
  readActivity(ctx, chatPk(chatId), from, to);
