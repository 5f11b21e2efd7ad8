/**
 * Real-shaped membership updates, built from the fixtures (test/fixtures/updates and the
 * corpus) with other people, chats, dates and statuses: `chat_member`, `chat_join_request`,
 * `my_chat_member`, and the `new_chat_members` / `left_chat_member` service messages. Each
 * gets a fresh update id; posting the same object twice is a redelivery.
 */
import { corpusUpdate } from '../fixtures/corpus.ts';
import { freshUpdateId, loadUpdate } from '../fixtures/updates.ts';

export interface Who {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  is_bot?: boolean;
}

export interface ChatRef {
  id: number;
  type: 'group' | 'supergroup' | 'channel';
  title: string;
}

/** A ChatMember status; `restricted` carries `is_member` as Telegram sends it. */
export type MemberState =
  | 'creator'
  | 'administrator'
  | 'member'
  | 'left'
  | 'kicked'
  | { status: 'restricted'; isMember: boolean };

/** The contacts bot of the fixtures (TELEGRAM_BOT_USERNAME contacts_test_bot, id 999). */
export const BOT: Who = {
  id: 999,
  is_bot: true,
  first_name: 'Contacts',
  username: 'contacts_test_bot',
};

const user = (who: Who) => ({ is_bot: false, ...who });

function chatMemberOf(who: Who, state: MemberState): Record<string, unknown> {
  if (typeof state === 'string') {
    return {
      user: user(who),
      status: state,
      ...(state === 'kicked' ? { until_date: 0 } : {}),
      ...(state === 'administrator' ? { can_be_edited: false, can_manage_chat: true } : {}),
    };
  }
  return {
    user: user(who),
    status: 'restricted',
    is_member: state.isMember,
    can_send_messages: false,
    until_date: 0,
  };
}

/**
 * A `chat_member` update: `actor` changed `member` from `from` to `to` at `date`. `inviteLink`
 * as Telegram sends it (`name` only when the link has one); `viaJoinRequest` for an approved
 * join request.
 */
export function chatMemberUpdate(options: {
  chat: ChatRef;
  actor: Who;
  member: Who;
  from: MemberState;
  to: MemberState;
  date: number;
  inviteLink?: { invite_link: string; name?: string; creates_join_request?: boolean };
  viaJoinRequest?: boolean;
}): Record<string, unknown> {
  const update = corpusUpdate('chat-member-joined-by-invite-link');
  const body = update.chat_member as Record<string, unknown>;
  const link = body.invite_link as Record<string, unknown>;
  update.update_id = freshUpdateId();
  body.chat = { ...options.chat };
  body.from = user(options.actor);
  body.date = options.date;
  body.old_chat_member = chatMemberOf(options.member, options.from);
  body.new_chat_member = chatMemberOf(options.member, options.to);
  if (options.inviteLink) {
    const { name, ...rest } = options.inviteLink;
    const { name: _unnamed, ...shape } = link;
    body.invite_link = { ...shape, ...rest, ...(name === undefined ? {} : { name }) };
  } else {
    delete body.invite_link;
  }
  if (options.viaJoinRequest !== undefined) body.via_join_request = options.viaJoinRequest;
  return update;
}

/** A `chat_join_request` of `member` by `inviteLink` at `date`. */
export function joinRequestUpdate(options: {
  chat: ChatRef;
  member: Who;
  date: number;
  inviteLink: { invite_link: string; name?: string };
}): Record<string, unknown> {
  const update = loadUpdate('chat-join-request');
  const body = update.chat_join_request as Record<string, unknown>;
  body.chat = { ...options.chat };
  body.from = user(options.member);
  body.user_chat_id = options.member.id;
  body.date = options.date;
  body.invite_link = {
    ...(body.invite_link as Record<string, unknown>),
    creates_join_request: true,
    ...options.inviteLink,
  };
  return update;
}

/** The `new_chat_members` service message: `actor` added `members` (themself: joined by link). */
export function joinedMessage(options: {
  chat: ChatRef;
  actor: Who;
  members: Who[];
  date: number;
}): Record<string, unknown> {
  const update = loadUpdate('new-chat-members');
  const message = update.message as Record<string, unknown>;
  const [first] = options.members;
  message.message_id = update.update_id;
  message.chat = { ...options.chat };
  message.from = user(options.actor);
  message.date = options.date;
  message.new_chat_members = options.members.map(user);
  message.new_chat_member = first ? user(first) : undefined;
  message.new_chat_participant = first ? user(first) : undefined;
  return update;
}

/** The `left_chat_member` service message: `member` left (`actor` themself) or was removed. */
export function leftMessage(options: {
  chat: ChatRef;
  actor: Who;
  member: Who;
  date: number;
}): Record<string, unknown> {
  const update = loadUpdate('left-chat-member');
  const message = update.message as Record<string, unknown>;
  message.message_id = update.update_id;
  message.chat = { ...options.chat };
  message.from = user(options.actor);
  message.date = options.date;
  message.left_chat_member = user(options.member);
  message.left_chat_participant = user(options.member);
  return update;
}

/** A `my_chat_member` update: `actor` changed the bot from `from` to `to` in `chat`. */
export function myChatMemberUpdate(options: {
  chat: ChatRef | { id: number; type: 'private'; first_name: string };
  actor: Who;
  from: MemberState;
  to: MemberState;
  date: number;
}): Record<string, unknown> {
  const update = loadUpdate('my-chat-member-added-group');
  const body = update.my_chat_member as Record<string, unknown>;
  body.chat = { ...options.chat };
  body.from = user(options.actor);
  body.date = options.date;
  body.old_chat_member = { ...chatMemberOf(BOT, options.from), user: BOT };
  body.new_chat_member = { ...chatMemberOf(BOT, options.to), user: BOT };
  return update;
}

/** A message from `person` in `chat` at `date` (a counted group message). */
export function chatMessage(options: {
  chat: ChatRef;
  person: Who;
  date: number;
  text?: string;
}): Record<string, unknown> {
  const update = loadUpdate('group-message');
  const message = update.message as Record<string, unknown>;
  message.message_id = update.update_id;
  message.chat = { ...options.chat };
  message.from = user(options.person);
  message.date = options.date;
  message.text = options.text ?? `message ${update.update_id}`;
  return update;
}

/** Epoch seconds of a UTC time written `YYYY-MM-DDTHH:MM:SS`. */
export const at = (iso: string) => Date.parse(`${iso}Z`) / 1000;
