/**
 * What one Telegram update tells us about people and chats, independent of storage.
 * Produced by `readUpdate` (read-update.ts; pure, total: any object yields facts, never
 * throws) and consumed by the directory's recorder (directory/record/recorder.ts).
 */

/** Telegram's placeholder senders: they are not people and never become contacts. */
export const PLACEHOLDER_USER_IDS: ReadonlySet<number> = new Set([
  777000, // Telegram service notifications (and automatic forwards from a linked channel)
  1087968824, // GroupAnonymousBot: anonymous group administrators
  136817688, // Channel_Bot: messages sent on behalf of a channel
]);

export type ChatType = 'private' | 'group' | 'supergroup' | 'channel';

/** A chat member's status as the Bot API names it (ChatMember's `status`). */
export const MEMBER_STATUSES = [
  'creator',
  'administrator',
  'member',
  'restricted',
  'left',
  'kicked',
] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** A real person (or another bot) seen in the update, with the profile Telegram sent. */
export interface PersonFact {
  id: number;
  isBot: boolean;
  firstName: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
  /** Always set by read-update.ts: Telegram omits `is_premium` when it is false. */
  isPremium?: boolean;
}

export interface ChatFact {
  id: number;
  type: ChatType;
  title?: string;
  username?: string;
}

/**
 * A change or confirmation of a user's membership in a group, supergroup or channel.
 * `source` says where it came from: `message` (the user wrote in the chat, so is a member;
 * it must not downgrade an administrator), `join` / `leave` (service messages),
 * `chat_member` (the authoritative status from a chat_member update).
 */
export interface MembershipFact {
  userId: number;
  chatId: number;
  source: 'message' | 'join' | 'leave' | 'chat_member';
  status: MemberStatus;
  /** Bot API rule: creator/administrator/member are members; restricted uses its `is_member`. */
  isMember: boolean;
  /** chat_member only: whether the old status was a member (a join or leave is a change of this). */
  wasMember?: boolean;
  /** Set when the fact is a membership change (a join, a leave, a removal, a new status). */
  event?: MembershipEventFact;
}

/**
 * A membership change: `join` (not a member -> member), `leave` (member -> not a member, by
 * the user), `remove` (the same by someone else: kicked or banned), `change` (member ->
 * member with another status: promoted, restricted, ...).
 */
export type MembershipEventKind = 'join' | 'leave' | 'remove' | 'change';

export interface MembershipEventFact {
  kind: MembershipEventKind;
  fromStatus: MemberStatus;
  toStatus: MemberStatus;
  /** Who made the change (the member themself for a join by link or a leave). */
  actorId?: number;
  /** The invite link's name, else the link as Telegram shows it (already truncated). */
  inviteLink?: string;
  viaJoinRequest?: boolean;
}

/** A contact someone shared with the bot (a contact card of someone else, or users_shared). */
export interface SharedContactFact {
  ownerId: number;
  userId?: number;
  /** As sent by Telegram; normalized by the store. Never becomes a verified phone. */
  phoneNumber?: string;
  firstName?: string;
  lastName?: string;
  username?: string;
}

/** The bot's own status in a chat (my_chat_member). */
export interface BotStatusFact {
  chatId: number;
  chatType: ChatType;
  status: MemberStatus;
  /** In a private chat: the user on the other side; `kicked` there means they blocked the bot. */
  privateUserId?: number;
  /** In a private chat: the bot's status before (`kicked` -> `member` is an unblock). */
  previousStatus?: MemberStatus;
  /** The bot's own user id (the update's `new_chat_member.user`). */
  botUserId?: number;
  /** Set when the bot's own membership of a group or channel changed. */
  event?: MembershipEventFact;
}

export interface UpdateFacts {
  updateId: number;
  /** The update's type key (`message`, `chat_member`, ...); `unknown` when none is recognized. */
  kind: string;
  /** Unix seconds: the update's own date when it has one, else the time it was received. */
  at: number;
  /** UTC date `YYYY-MM-DD` of `at`: the day activity is counted on. */
  activityDate: string;
  /**
   * People seen (deduplicated by id; placeholders and the bot itself excluded): profile and
   * last-seen refresh. None for a message in a channel: its `from` (a signed post's author)
   * is not refreshed, counted or made a member.
   */
  people: PersonFact[];
  /** Chats seen (deduplicated by id), including a message's `sender_chat`. Private chats excluded. */
  chats: ChatFact[];
  /** Membership changes and confirmations. */
  memberships: MembershipFact[];
  /**
   * Set when the update is a new message that counts: `senderId` is the person who sent it
   * (absent for channel posts and messages sent on behalf of a chat), `chatId` the chat it
   * was sent in, `chatType` its type. Service messages never count.
   */
  message?: { chatId: number; chatType: ChatType; senderId?: number };
  /**
   * The sender shared their own contact (`contact.user_id == from.id`) with a number that
   * normalizes to E.164: a verified phone (the number as Telegram sent it).
   */
  verifiedPhone?: { userId: number; phoneNumber: string };
  /**
   * What the sender shared (telegram/update/shared-contacts.ts): only entries the store keeps, each
   * user once; the bot's "Saved N" reply is their number.
   */
  sharedContacts: SharedContactFact[];
  botStatus?: BotStatusFact;
  /**
   * `/stop` (opt out of broadcasts) or `/start` (opt back in) in the sender's own private
   * chat (telegram/update/preference-facts.ts).
   */
  broadcastPreference?: { userId: number; optOut: boolean };
  /**
   * A group became a supergroup: everything about `fromChatId` follows to `toChatId`. Both
   * are negative (group ids) and differ.
   */
  migration?: { fromChatId: number; toChatId: number };
}

export interface ExtractOptions {
  /** Unix seconds at which the update was received (used when the update has no date). */
  receivedAt: number;
  /** The bot's own user id, excluded from people. */
  botId?: number;
  /** The bot's username: a `/command@name` for another bot sets no preference. */
  botUsername?: string;
}

/** Facts being gathered: `person` and `chat` read, filter and deduplicate as they record. */
export interface FactsDraft {
  facts: UpdateFacts;
  /** Records a person; `undefined` for invalid users, placeholders and the bot itself. */
  person(value: unknown): PersonFact | undefined;
  /** Reads a chat and records it unless private; `undefined` when invalid. */
  chat(value: unknown): ChatFact | undefined;
  /** The bot's username, when known (ExtractOptions). */
  botUsername?: string;
}
