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
import type { UpdateKind } from './kinds.ts';

interface QueueRule {
  /** The queue's letter. */
  prefix: string;
  /** Where the payload holds the id the queue is by. */
  path: readonly string[];
}

const byChat = (prefix: string): QueueRule => ({ prefix, path: ['chat', 'id'] });
const bySender = (prefix: string): QueueRule => ({ prefix, path: ['from', 'id'] });

const QUEUES: ReadonlyMap<string, QueueRule> = new Map<UpdateKind, QueueRule>([
  ['message', byChat('c')],
  ['edited_message', byChat('c')],
  ['channel_post', byChat('c')],
  ['edited_channel_post', byChat('c')],
  ['business_message', byChat('b')],
  ['edited_business_message', byChat('b')],
  ['deleted_business_messages', byChat('b')],
  ['my_chat_member', byChat('y')],
  ['chat_member', { prefix: 'j', path: ['new_chat_member', 'user', 'id'] }],
  ['chat_join_request', bySender('j')],
  ['callback_query', bySender('k')],
  ['inline_query', bySender('i')],
  ['chosen_inline_result', bySender('r')],
  ['message_reaction', byChat('e')],
  ['message_reaction_count', byChat('E')],
  ['chat_boost', byChat('o')],
  ['removed_chat_boost', byChat('o')],
  ['business_connection', { prefix: 'B', path: ['user', 'id'] }],
]);

/** The queue without a known order. */
export const UNORDERED_QUEUE = 'x';

/** The queue of an update of kind `kind` whose payload (its `kind` field) is `payload`. */
export function queueOf(kind: string, payload: unknown): string {
  const rule = QUEUES.get(kind);
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
