/**
 * Item <-> domain mapping: the API's shapes (camelCase, ISO times, absent values omitted).
 * Counters live on monthly items; a profile's lastSeenAt and messageCount fold them.
 */
import type { ChatType, MemberStatus } from '../telegram/facts.ts';
import { PROFILE } from './keys.ts';

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
  firstSeenAt?: string;
  lastSeenAt?: string;
  messageCount: number;
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

/** A profile without its counters: what lists embed (one BatchGet, no monthly items). */
export type ContactSummary = Omit<Contact, 'messageCount' | 'lastSeenAt'>;
export type ChatSummary = Omit<Chat, 'messageCount' | 'lastSeenAt'>;

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

type Item = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);

/** Drops undefined values so they are absent from JSON, not null. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Splits a profile Query (PROFILE and PROFILE#yyyy-mm items) into profile and totals. */
function fold(items: Item[]): { profile?: Item; lastSeen?: number; count: number } {
  let profile: Item | undefined;
  let lastSeen: number | undefined;
  let count = 0;
  for (const item of items) {
    if (item.sk === PROFILE) profile = item;
    else {
      count += num(item.n) ?? 0;
      const seen = num(item.seen);
      if (seen !== undefined && (lastSeen === undefined || seen > lastSeen)) lastSeen = seen;
    }
  }
  return { profile, lastSeen, count };
}

const isoOf = (seconds: number | undefined) =>
  seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();

/** A contact from its profile and monthly items; null when there is no profile. */
export function toContact(items: Item[]): Contact | null {
  const { profile, lastSeen, count } = fold(items);
  if (!profile) return null;
  return compact({
    id: Number(profile.id),
    isBot: bool(profile.isBot) ?? false,
    firstName: str(profile.firstName) ?? '',
    lastName: str(profile.lastName),
    username: str(profile.username),
    languageCode: str(profile.languageCode),
    isPremium: bool(profile.isPremium),
    phoneNumber: str(profile.phoneNumber),
    botBlocked: bool(profile.botBlocked),
    firstSeenAt: str(profile.firstSeenAt),
    lastSeenAt: isoOf(lastSeen),
    messageCount: count,
  });
}

/** A contact's profile without counters (for lists that embed the user). */
export function toContactSummary(profile: Item): ContactSummary | null {
  const contact = toContact([profile]);
  if (!contact) return null;
  const { messageCount: _count, lastSeenAt: _seen, ...summary } = contact;
  return summary;
}

export function toChat(items: Item[]): Chat | null {
  const { profile, lastSeen, count } = fold(items);
  if (!profile || typeof profile.type !== 'string') return null;
  return compact({
    id: Number(profile.id),
    type: profile.type as ChatType,
    title: str(profile.title),
    username: str(profile.username),
    botStatus: str(profile.botStatus) as MemberStatus | undefined,
    firstSeenAt: str(profile.firstSeenAt),
    lastSeenAt: isoOf(lastSeen),
    messageCount: count,
  });
}

/** A chat's profile without counters (for lists that embed the chat). */
export function toChatSummary(profile: Item): ChatSummary | null {
  const chat = toChat([profile]);
  if (!chat) return null;
  const { messageCount: _count, lastSeenAt: _seen, ...summary } = chat;
  return summary;
}

export function toMembership(item: Item): Membership {
  const isMember = bool(item.isMember) ?? false;
  let status = (str(item.status) ?? 'member') as MemberStatus;
  // A message proves membership after a recorded leave (see record-plan.ts).
  if (isMember && (status === 'left' || status === 'kicked')) status = 'member';
  return compact({
    userId: Number(item.userId),
    chatId: Number(item.chatId),
    status,
    isMember,
    joinedAt: str(item.joinedAt),
    leftAt: str(item.leftAt),
    firstSeenAt: str(item.firstSeenAt),
    lastSeenAt: str(item.lastSeenAt),
    messageCount: num(item.n) ?? 0,
  });
}

export function toSharedContact(item: Item): SharedContact {
  return compact({
    ownerId: Number(item.ownerId),
    userId: num(item.userId),
    phoneNumber: str(item.phoneNumber),
    firstName: str(item.firstName),
    lastName: str(item.lastName),
    username: str(item.username),
    sharedAt: str(item.sharedAt) ?? '',
  });
}

/** Days with messages from monthly items, within [from, to] (YYYY-MM-DD), in date order. */
export function toActivityDays(items: Item[], from: string, to: string): ActivityDay[] {
  const days: ActivityDay[] = [];
  for (const item of items) {
    const month = String(item.sk).slice(PROFILE.length + 1);
    for (const [attr, value] of Object.entries(item)) {
      const match = /^d(\d\d)$/.exec(attr);
      if (!match || typeof value !== 'number' || value <= 0) continue;
      const date = `${month}-${match[1]}`;
      if (date >= from && date <= to) days.push({ date, messages: value });
    }
  }
  return days.sort((a, b) => a.date.localeCompare(b.date));
}
