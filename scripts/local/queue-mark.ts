/**
 * A local hint, not a part of the deployed path: an update whose `update_id` is below the
 * mark of its chat's queue (an update with a higher id of that queue was applied) changes
 * nothing in the chat's counters, by design (Telegram sends a queue's updates in increasing
 * `update_id`; lib/directory/record/recorder.ts). Hand-made updates trip over it easily (ids from two
 * different clocks), and silently; `npm start` says so in one line.
 *
 * One GetItem of the chat's month, after the update was answered: only `npm start` asks for
 * it (the load test and the deployed webhook never do).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { RESTART_HORIZON_SECONDS } from '../../lib/directory/record/marks.ts';
import { registerAttr } from '../../lib/directory/record/registers.ts';
import type { StoreContext } from '../../lib/store/client.ts';
import { chatMonthKey, monthOf } from '../../lib/store/keys.ts';
import { deliveryQueue, queueChatId } from '../../lib/telegram/update/update-queue.ts';

export interface BelowMark {
  updateId: number;
  chatId: number;
  /** The update id the chat's queue last applied. */
  mark: number;
}

/** The update in `body` when it is below its chat queue's mark, else undefined. */
export async function belowQueueMark(
  store: StoreContext,
  body: Buffer | string,
  now = Math.floor(Date.now() / 1000),
): Promise<BelowMark | undefined> {
  let update: Record<string, unknown>;
  try {
    update = JSON.parse(body.toString()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const updateId = update?.update_id;
  if (typeof updateId !== 'number' || typeof update !== 'object') return undefined;
  const kind = Object.keys(update).find((key) => key !== 'update_id');
  if (!kind) return undefined;
  const queue = deliveryQueue(update, kind);
  const chatId = queueChatId(queue);
  if (chatId === undefined) return undefined;
  const payload = update[kind] as { date?: unknown } | undefined;
  const date = typeof payload?.date === 'number' ? payload.date : now;
  const attr = registerAttr(queue);
  const { Item } = await store.client.send(
    new GetCommand({
      TableName: store.tableName,
      Key: chatMonthKey(chatId, monthOf(date)),
      ProjectionExpression: '#r',
      ExpressionAttributeNames: { '#r': attr },
    }),
  );
  const register = Item?.[attr] as { i?: unknown; t?: unknown } | undefined;
  const mark = typeof register?.i === 'number' ? register.i : undefined;
  if (mark === undefined || mark <= updateId) return undefined;
  // A numbering Telegram restarted (an update dated a day past the mark's) passes the mark.
  if (typeof register?.t === 'number' && date > register.t + RESTART_HORIZON_SECONDS) {
    return undefined;
  }
  return { updateId, chatId, mark };
}

/** The line `npm start` prints for it. */
export function belowMarkLine(below: BelowMark): string {
  return `webhook: update_id ${below.updateId} is below its chat's queue mark (chat ${below.chatId} applied update_id ${below.mark}): Telegram sends a chat's updates in increasing update_id, so its chat counters did not count it; use a larger update_id (docs/webhook.md "Delivered exactly once")`;
}
