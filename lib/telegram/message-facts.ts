/**
 * Facts carried by messages: the sender and chats, memberships from messages, joins and
 * leaves, migrations, contacts shared with the bot, and whether the message counts.
 */
import type { ChatFact, PersonFact, UpdateFacts } from './facts.ts';
import {
  asRecord,
  chatId,
  compact,
  type JsonRecord,
  pick,
  safeInt,
  str,
  username,
} from './update-fields.ts';

/** Facts being gathered: `person` and `chat` read, filter and deduplicate as they record. */
export interface FactsDraft {
  facts: UpdateFacts;
  /** Records a person; `undefined` for invalid users, placeholders and the bot itself. */
  person(value: unknown): PersonFact | undefined;
  /** Reads a chat and records it unless private; `undefined` when invalid. */
  chat(value: unknown): ChatFact | undefined;
}

/**
 * Keys of Bot API service messages: a message holding one of them is not user content and
 * does not count as a message (joins, leaves, shared users and migrations still give facts).
 */
export const SERVICE_MESSAGE_KEYS: readonly string[] = [
  'new_chat_members',
  'left_chat_member',
  'new_chat_title',
  'new_chat_photo',
  'delete_chat_photo',
  'group_chat_created',
  'supergroup_chat_created',
  'channel_chat_created',
  'message_auto_delete_timer_changed',
  'migrate_to_chat_id',
  'migrate_from_chat_id',
  'pinned_message',
  'successful_payment',
  'refunded_payment',
  'users_shared',
  'user_shared',
  'chat_shared',
  'connected_website',
  'write_access_allowed',
  'proximity_alert_triggered',
  'boost_added',
  'chat_background_set',
  'forum_topic_created',
  'forum_topic_edited',
  'forum_topic_closed',
  'forum_topic_reopened',
  'general_forum_topic_hidden',
  'general_forum_topic_unhidden',
  'giveaway_created',
  'giveaway_completed',
  'video_chat_scheduled',
  'video_chat_started',
  'video_chat_ended',
  'video_chat_participants_invited',
  'web_app_data',
];

/**
 * A message sent on behalf of a chat (`sender_chat`) has no person as sender: its `from` is
 * a placeholder kept for backward compatibility. Only a new message (`counts`) gives
 * memberships, shared contacts, migrations and, unless it is a service message, `message`.
 */
export function messageFacts(message: JsonRecord, draft: FactsDraft, counts: boolean): void {
  const chat = draft.chat(message.chat);
  const onBehalfOfChat = asRecord(message.sender_chat) !== undefined;
  if (onBehalfOfChat) draft.chat(message.sender_chat);
  const sender = onBehalfOfChat ? undefined : draft.person(message.from);
  if (!counts) return;
  if (sender) sharedContactFacts(message, sender.id, draft);
  if (!chat) return;
  serviceFacts(message, chat, draft);
  if (SERVICE_MESSAGE_KEYS.some((key) => message[key] !== undefined)) return;
  const { facts } = draft;
  facts.message = compact({ chatId: chat.id, chatType: chat.type, senderId: sender?.id });
  if (sender && (chat.type === 'group' || chat.type === 'supergroup')) {
    const membership = { source: 'message', status: 'member', isMember: true } as const;
    facts.memberships.push({ userId: sender.id, chatId: chat.id, ...membership });
  }
}

/**
 * Joins, leaves and group-to-supergroup migrations announced by service messages. Only
 * groups, supergroups and channels have members or migrate: in a private chat they mean nothing.
 */
function serviceFacts(message: JsonRecord, chat: ChatFact, draft: FactsDraft): void {
  if (chat.type === 'private') return;
  const { facts } = draft;
  const joined = Array.isArray(message.new_chat_members) ? message.new_chat_members : [];
  for (const user of joined) {
    const person = draft.person(user);
    if (person) {
      const join = { source: 'join', status: 'member', isMember: true } as const;
      facts.memberships.push({ userId: person.id, chatId: chat.id, ...join });
    }
  }
  const left = draft.person(message.left_chat_member);
  if (left) {
    const leave = { source: 'leave', status: 'left', isMember: false } as const;
    facts.memberships.push({ userId: left.id, chatId: chat.id, ...leave });
  }
  const toChatId = chatId(message.migrate_to_chat_id);
  const fromChatId = chatId(message.migrate_from_chat_id);
  // A migration names two different chats; one naming the same chat twice is ignored.
  if (toChatId !== undefined && toChatId !== chat.id) {
    facts.migration = { fromChatId: chat.id, toChatId };
  } else if (fromChatId !== undefined && fromChatId !== chat.id) {
    facts.migration = { fromChatId, toChatId: chat.id };
  }
}

/**
 * A contact card is the sender's verified phone only when it is their own
 * (`contact.user_id == from.id`); anything else, and users shared through a
 * `request_users` button, goes to the sender's shared contacts.
 */
function sharedContactFacts(message: JsonRecord, ownerId: number, draft: FactsDraft): void {
  const { facts } = draft;
  const contact = asRecord(message.contact);
  const phoneNumber = str(contact?.phone_number);
  const contactUserId = safeInt(contact?.user_id);
  const userId = contactUserId !== undefined && contactUserId > 0 ? contactUserId : undefined;
  if (contact && userId === ownerId) {
    if (phoneNumber) facts.verifiedPhone = { userId: ownerId, phoneNumber };
  } else if (contact && (phoneNumber || userId !== undefined)) {
    const names = { firstName: str(contact.first_name), lastName: str(contact.last_name) };
    facts.sharedContacts.push(compact({ ownerId, userId, phoneNumber, ...names }));
  }
  const usersShared = asRecord(message.users_shared);
  const shared = [
    ...(Array.isArray(usersShared?.users) ? usersShared.users : []),
    ...(Array.isArray(usersShared?.user_ids)
      ? usersShared.user_ids.map((id) => ({ user_id: id }))
      : []),
    pick(message, ['user_shared']),
  ];
  for (const entry of shared) {
    const user = asRecord(entry);
    const userId = safeInt(user?.user_id);
    if (!user || userId === undefined || userId <= 0) continue;
    const names = { firstName: str(user.first_name), lastName: str(user.last_name) };
    const shared = { ownerId, userId, ...names, username: username(user.username) };
    facts.sharedContacts.push(compact(shared));
  }
}
