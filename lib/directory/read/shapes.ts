/**
 * The directory's shapes as the lookup API and the bot show them (camelCase, ISO times,
 * absent values omitted): contacts, chats, memberships, shared contacts, activity and
 * membership events. items/ maps the stored items to these.
 */
import type { ChatType, MemberStatus, MembershipEventKind } from '../../telegram/update/facts.ts';

export interface Contact {
  id: number;
  isBot: boolean;
  firstName: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
  isPremium?: boolean;
  phoneNumber?: string;
  botBlocked?: boolean;
  /** Sent /stop to the bot (and no /start since): no broadcasts. Always present. */
  broadcastOptOut: boolean;
  firstSeenAt?: string;
  lastSeenAt?: string;
  messageCount: number;
  /** Set by applications (PATCH), sorted; absent when there are none. */
  tags?: string[];
  note?: string;
}

export interface Chat {
  id: number;
  type: ChatType;
  title?: string;
  username?: string;
  botStatus?: MemberStatus;
  firstSeenAt?: string;
  lastSeenAt?: string;
  messageCount: number;
}

export interface Membership {
  userId: number;
  chatId: number;
  status: MemberStatus;
  isMember: boolean;
  joinedAt?: string;
  leftAt?: string;
  firstSeenAt?: string;
  lastSeenAt?: string;
  messageCount: number;
  chat?: ChatSummary;
  user?: ContactSummary;
}

/** The names a membership holds of its member and its chat: what lists embed. */
export type ContactSummary = Pick<Contact, 'id' | 'isBot' | 'firstName' | 'lastName' | 'username'>;
export type ChatSummary = Pick<Chat, 'id' | 'type' | 'title' | 'username'>;

export interface SharedContact {
  ownerId: number;
  userId?: number;
  phoneNumber?: string;
  firstName?: string;
  lastName?: string;
  username?: string;
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
