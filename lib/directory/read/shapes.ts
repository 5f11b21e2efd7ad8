/**
 * The directory's shapes as the lookup API and the bot show them (camelCase, ISO times,
 * absent values omitted): contacts, chats, memberships, shared contacts, activity and
 * membership events. items/ maps the stored items to these.
 */
import type {
  ChatFact,
  MemberStatus,
  MembershipEventKind,
  PersonFact,
  SharedContactFact,
} from '../../telegram/update/facts.ts';

/** What the directory saw of a contact, a chat or a membership: when, and how many messages. */
export interface Seen {
  firstSeenAt?: string;
  lastSeenAt?: string;
  messageCount: number;
}

/** A person: the profile Telegram last sent, and what the directory and applications add. */
export interface Contact extends PersonFact, Seen {
  phoneNumber?: string;
  botBlocked?: boolean;
  /** Sent /stop to the bot (and no /start since): no broadcasts. Always present. */
  broadcastOptOut: boolean;
  /** Set by applications (PATCH), sorted; absent when there are none. */
  tags?: string[];
  note?: string;
}

/** A chat as Telegram last described it, with the bot's own status there. */
export interface Chat extends ChatFact, Seen {
  botStatus?: MemberStatus;
}

export interface Membership extends Seen {
  userId: number;
  chatId: number;
  status: MemberStatus;
  isMember: boolean;
  joinedAt?: string;
  leftAt?: string;
  chat?: ChatSummary;
  user?: ContactSummary;
}

/** The names a membership holds of its member and its chat: what lists embed. */
export type ContactSummary = Pick<Contact, 'id' | 'isBot' | 'firstName' | 'lastName' | 'username'>;
export type ChatSummary = Pick<Chat, 'id' | 'type' | 'title' | 'username'>;

export interface SharedContact extends SharedContactFact {
  sharedAt: string;
}

export interface ActivityDay {
  date: string;
  messages: number;
}

/** A chat's day: also its distinct senders, and the members who joined and left. */
export interface ChatActivityDay extends ActivityDay {
  activeMembers: number;
  joins: number;
  /** Leaves and removals. */
  leaves: number;
}

/** Messages by UTC weekday (index 0 = Monday) and hour: 7 rows of 24. */
export type HourGrid = number[][];

export interface MembershipEvent {
  chatId: number;
  userId: number;
  at: string;
  kind: MembershipEventKind;
  fromStatus: MemberStatus;
  toStatus: MemberStatus;
  /** Who made the change; null when that person has been erased since. */
  actorId?: number | null;
  inviteLink?: string;
  viaJoinRequest: boolean;
}
