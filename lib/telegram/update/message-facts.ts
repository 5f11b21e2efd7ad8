/**
 * Facts carried by messages: the sender and chats, memberships from messages, joins and
 * leaves, migrations, contacts shared with the bot, and whether the message counts.
 */
import type { ChatFact, FactsDraft, UpdateFacts } from './facts.ts';
import { asRecord, compact, type JsonRecord, safeInt } from './json-fields.ts';
import { membershipEvent } from './member-facts.ts';
import { broadcastPreference } from './preference-facts.ts';
import { isServiceMessage } from './service-messages.ts';
import { messageShares } from './shared-contacts.ts';

/** How a message arrived: as a channel post or not, new (counted) or edited. */
export interface MessageKind {
  /** A `channel_post` or `edited_channel_post`. */
  channel: boolean;
  /** A new message (`message`, `channel_post`), not an edit or a business message. */
  counts: boolean;
}

/**
 * The facts of a message. Who sent it:
 * - in a channel (a `channel_post`, or any message whose chat is a channel) nobody: posts are
 *   the channel's, and a `from` there (a signed post's author, the bot that posted) is neither
 *   a member nor a counted sender, so a channel message gives no person facts at all;
 * - a message sent on behalf of a chat (a valid `sender_chat`) is the chat's: its `from` is a
 *   placeholder kept for backward compatibility;
 * - otherwise the person in `from`.
 * Only a new message (`counts`) gives memberships, shared contacts, migrations and, unless it
 * is a service message, `message`.
 */
export function messageFacts(message: JsonRecord, draft: FactsDraft, options: MessageKind): void {
  const chat = draft.chat(message.chat);
  const onBehalfOfChat = draft.chat(message.sender_chat) !== undefined;
  const inChannel = options.channel || chat?.type === 'channel';
  const sender = onBehalfOfChat || inChannel ? undefined : draft.person(message.from);
  if (!options.counts) return;
  const { facts } = draft;
  if (sender) {
    const shares = messageShares(message, sender.id);
    if (shares.verifiedPhone) facts.verifiedPhone = shares.verifiedPhone;
    facts.sharedContacts.push(...shares.sharedContacts);
    const preference = broadcastPreference(message, chat, sender, draft.botUsername);
    if (preference) facts.broadcastPreference = preference;
  }
  if (!chat) return;
  if (!inChannel) serviceFacts(message, chat, draft);
  if (isServiceMessage(message)) return;
  facts.message = compact({ chatId: chat.id, chatType: chat.type, senderId: sender?.id });
  if (sender && (chat.type === 'group' || chat.type === 'supergroup')) {
    const membership = { source: 'message', status: 'member', isMember: true } as const;
    facts.memberships.push({ userId: sender.id, chatId: chat.id, ...membership });
  }
}

/**
 * Joins, leaves and group-to-supergroup migrations announced by service messages in a group
 * or supergroup (the caller skips channels): in a private chat they mean nothing.
 */
function serviceFacts(message: JsonRecord, chat: ChatFact, draft: FactsDraft): void {
  if (chat.type === 'private') return;
  const { facts } = draft;
  const joined = Array.isArray(message.new_chat_members) ? message.new_chat_members : [];
  // Who added or removed the member: the sender (the member themself for a join by link).
  const actorId = safeInt(asRecord(message.from)?.id);
  const member = { status: 'member', isMember: true } as const;
  const notMember = { status: 'left', isMember: false } as const;
  /** Records that `user` joined or left the chat. */
  const change = (user: unknown, source: 'join' | 'leave') => {
    const person = draft.person(user);
    if (!person) return;
    const [before, after] = source === 'join' ? [notMember, member] : [member, notMember];
    const event = membershipEvent(before, after, person.id, actorId);
    facts.memberships.push({
      userId: person.id,
      chatId: chat.id,
      source,
      ...after,
      ...(event ? { event } : {}),
    });
  };
  for (const user of joined) change(user, 'join');
  change(message.left_chat_member, 'leave');
  const moved = migration(message, chat);
  if (moved) facts.migration = moved;
}

/**
 * A group becoming a supergroup: the old group's `migrate_to_chat_id` or the new supergroup's
 * `migrate_from_chat_id`. Both chats have negative ids and differ; anything else (a field
 * written as `0`, a "migration" in a channel, of a chat to itself) is no migration.
 */
function migration(message: JsonRecord, chat: ChatFact): UpdateFacts['migration'] {
  const toChatId = groupChatId(message.migrate_to_chat_id);
  const fromChatId = groupChatId(message.migrate_from_chat_id);
  if (chat.type === 'group' && toChatId !== undefined && toChatId !== chat.id) {
    return { fromChatId: chat.id, toChatId };
  }
  if (chat.type === 'supergroup' && fromChatId !== undefined && fromChatId !== chat.id) {
    return { fromChatId, toChatId: chat.id };
  }
  return undefined;
}

/** A negative safe integer: the id of a group, supergroup or channel. */
function groupChatId(value: unknown): number | undefined {
  const id = safeInt(value);
  return id !== undefined && id < 0 ? id : undefined;
}
