/**
 * The delivery queue an update travels in, as Telegram's Bot API server assigns it
 * (tdlib/telegram-bot-api, Client.cpp: the `webhook_queue_id` of each `add_update` call).
 * WebhookActor.cpp keeps one update per queue in flight and retries a queue's head until it
 * is acknowledged or expires before sending the next, so within one queue updates arrive
 * in increasing `update_id` order. The store relies on that (see directory/record/recorder.ts).
 *
 * | updates                                                   | queue                |
 * | --------------------------------------------------------- | -------------------- |
 * | message, edited_message, channel_post, edited_channel_post | the chat (`c<id>`)   |
 * | business_message, edited_…, deleted_business_messages      | `b<chat id>`         |
 * | my_chat_member                                             | `y<chat id>`         |
 * | chat_member, chat_join_request                             | the user (`j<id>`)   |
 * | callback_query / inline_query / chosen_inline_result       | `k` / `i` / `r<user>`|
 * | message_reaction / message_reaction_count / boosts         | `e` / `E` / `o<chat>`|
 * | business_connection                                        | `B<user id>`         |
 * | anything else, or an update missing the id                 | `x` (no order known) |
 */
import { asRecord, pick, safeInt } from './json-fields.ts';

const BY_CHAT: ReadonlyMap<string, { prefix: string; path: readonly string[] }> = new Map([
  ['message', { prefix: 'c', path: ['chat', 'id'] }],
  ['edited_message', { prefix: 'c', path: ['chat', 'id'] }],
  ['channel_post', { prefix: 'c', path: ['chat', 'id'] }],
  ['edited_channel_post', { prefix: 'c', path: ['chat', 'id'] }],
  ['business_message', { prefix: 'b', path: ['chat', 'id'] }],
  ['edited_business_message', { prefix: 'b', path: ['chat', 'id'] }],
  ['deleted_business_messages', { prefix: 'b', path: ['chat', 'id'] }],
  ['my_chat_member', { prefix: 'y', path: ['chat', 'id'] }],
  ['chat_member', { prefix: 'j', path: ['new_chat_member', 'user', 'id'] }],
  ['chat_join_request', { prefix: 'j', path: ['from', 'id'] }],
  ['callback_query', { prefix: 'k', path: ['from', 'id'] }],
  ['inline_query', { prefix: 'i', path: ['from', 'id'] }],
  ['chosen_inline_result', { prefix: 'r', path: ['from', 'id'] }],
  ['message_reaction', { prefix: 'e', path: ['chat', 'id'] }],
  ['message_reaction_count', { prefix: 'E', path: ['chat', 'id'] }],
  ['chat_boost', { prefix: 'o', path: ['chat', 'id'] }],
  ['removed_chat_boost', { prefix: 'o', path: ['chat', 'id'] }],
  ['business_connection', { prefix: 'B', path: ['user', 'id'] }],
]);

/** The queue without a known order. */
export const UNORDERED_QUEUE = 'x';

/** The queue of an update of kind `kind` whose payload (its `kind` field) is `payload`. */
export function queueOf(kind: string, payload: unknown): string {
  const rule = BY_CHAT.get(kind);
  if (!rule) return UNORDERED_QUEUE;
  const id = safeInt(pick(payload, rule.path));
  return id === undefined || id === 0 ? UNORDERED_QUEUE : `${rule.prefix}${id}`;
}

/** The queue of `update` of kind `kind` (the key found by readUpdate). Pure and total. */
export function deliveryQueue(update: unknown, kind: string): string {
  return queueOf(kind, asRecord(update)?.[kind]);
}

/** The chat whose own queue this is (`c`, `b`, `y`, `e`, `E`, `o`), if any. */
export function queueChatId(queue: string): number | undefined {
  const match = /^[cbyeEo](-?\d+)$/.exec(queue);
  return match ? Number(match[1]) : undefined;
}
