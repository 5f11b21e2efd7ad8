/** Real-shaped ordinary group messages for the benchmarks, from a fixed pool of people and chats. */
import { loadUpdate } from '../../test/fixtures/updates.ts';

export interface MessagePool {
  userIds: readonly number[];
  chatIds: readonly number[];
}

/** `users` people (ids from 2001) in `chats` supergroups (ids from -1002000001). */
export function messagePool(users: number, chats: number): MessagePool {
  return {
    userIds: Array.from({ length: users }, (_, i) => 2001 + i),
    chatIds: Array.from({ length: chats }, (_, i) => -1002000001 - i),
  };
}

/** 2025-11-24T16:00:00Z, the fixtures' first date. */
export const DAY0 = 1764000000;

/**
 * The i-th message of the pool: person i mod users writes in chat (i / users) mod chats, so
 * every person writes in every chat; `day` moves the date (activity days). `at` chooses the
 * chat (index) and the date instead.
 */
export function groupUpdate(
  pool: MessagePool,
  i: number,
  updateId: number,
  day = 0,
  at?: { chat: number; date: number },
): Record<string, unknown> {
  const update = loadUpdate('group-message') as {
    update_id: number;
    message: Record<string, unknown>;
  };
  const userId = pool.userIds[i % pool.userIds.length] as number;
  const chatIndex = at?.chat ?? Math.floor(i / pool.userIds.length);
  const chatId = pool.chatIds[chatIndex % pool.chatIds.length] as number;
  update.update_id = updateId;
  update.message.message_id = updateId;
  update.message.date = at?.date ?? DAY0 + day * 86_400 + (i % 3600);
  update.message.from = {
    id: userId,
    is_bot: false,
    first_name: `Person ${userId}`,
    username: `person_${userId}`,
    language_code: 'en',
  };
  update.message.chat = { id: chatId, title: `Group ${-chatId}`, type: 'supergroup' };
  update.message.text = `message ${updateId}`;
  return update;
}
