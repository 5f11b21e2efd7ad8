/**
 * Item -> domain mapping: the API's shapes (camelCase, ISO times, absent values omitted).
 * Readers fold the sources of registers.ts: profiles come from the newest register (by
 * Telegram's date, then update id), seen times are maxima and minima, counters are sums,
 * a membership's status is its newest status event.
 */

import { privateChatState } from '../../messaging/store/private-chat.ts';
import { idFromKey, isNotesSk, monthOfSk, PROFILE } from '../../store/keys.ts';
import type { ChatType, MemberStatus, MembershipEventKind } from '../../telegram/facts.ts';
import { DEFAULT_RETENTION_DAYS, monthExpiry } from '../record/record-plan.ts';
import {
  copiedCounter,
  EXPIRES_AT,
  FIRST_SEEN,
  isRegisterAttr,
  MEMBER_CHAT_SNAPSHOT,
  MEMBER_USER_SNAPSHOT,
  type MemberSource,
  memberAttrs,
  type Register,
} from '../record/registers.ts';

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

type Item = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
const isoOf = (seconds: number | undefined) =>
  seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();
const max = (values: (number | undefined)[]) => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.max(...defined) : undefined;
};
const min = (values: (number | undefined)[]) => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.min(...defined) : undefined;
};

/**
 * Items not yet expired at `now` (epoch seconds). DynamoDB's TTL deletes an expired item
 * within days, the embedded store never: readers skip them either way. An item expires at
 * its `expiresAt` (the retention it was written under) or, for a month, RETENTION_DAYS after
 * the month by the retention in force (`retentionDays`): a lowered RETENTION_DAYS holds at
 * once (events: membership-events.ts).
 */
export function unexpired(
  items: Item[],
  retentionDays: number = DEFAULT_RETENTION_DAYS,
  now = Math.floor(Date.now() / 1000),
): Item[] {
  return items.filter((item) => {
    const expiresAt = num(item[EXPIRES_AT]);
    const month = monthOfSk(String(item.sk));
    return (
      (expiresAt === undefined || expiresAt > now) &&
      (month === undefined || monthExpiry(month, retentionDays) > now)
    );
  });
}

/** Drops undefined values so they are absent from JSON, not null. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Every register of the monthly items, newest first (by date, then update id). */
function registersOf(items: Item[]): Register[] {
  const registers: Register[] = [];
  for (const item of items) {
    if (monthOfSk(String(item.sk)) === undefined) continue;
    for (const [attr, value] of Object.entries(item)) {
      if (isRegisterAttr(attr) && typeof value === 'object' && value !== null) {
        registers.push(value as Register);
      }
    }
  }
  return registers.sort((a, b) => b.t - a.t || b.i - a.i);
}

const months = (items: Item[]) => items.filter((i) => monthOfSk(String(i.sk)) !== undefined);
const counted = (items: Item[], attr: string) =>
  months(items).reduce(
    (sum, i) => sum + (num(i[attr]) ?? 0) + (num(i[copiedCounter(attr)]) ?? 0),
    0,
  );

/** The tags and note of a contact's notes item (`PROFILE#NOTES`, see contact-notes.ts). */
export function notesOf(item: Item | undefined): { tags?: string[]; note?: string } {
  const tags = Array.isArray(item?.tags)
    ? item.tags.filter((t): t is string => typeof t === 'string')
    : [];
  return compact({ tags: tags.length > 0 ? tags : undefined, note: str(item?.note) });
}

/**
 * The contact as the lookup API shows it: with the tags and note of its notes item; null
 * when nothing is known (tags and a note alone make no contact). A function of its own, not
 * part of `toContact`, so the webhook's bundle (which reads contacts for /me) stays without it.
 */
export function toContactWithNotes(items: Item[]): Contact | null {
  const contact = toContact(items);
  return contact && { ...contact, ...notesOf(items.find((i) => isNotesSk(String(i.sk)))) };
}

/**
 * A contact from its monthly items, verified-phone item and messaging items (private-chat.ts:
 * blocked, opted out); null when nothing is known.
 */
export function toContact(items: Item[]): Contact | null {
  const registers = registersOf(items);
  const named = registers.find((r) => typeof r.f === 'string');
  if (!named) return null;
  const phone = items.find((i) => String(i.sk) === `${PROFILE}#PHONE`);
  const id = idFromKey(String(items[0]?.pk));
  const chat = privateChatState(items, id);
  return compact({
    id,
    isBot: named.b ?? false,
    firstName: named.f ?? '',
    lastName: named.l,
    username: named.u,
    languageCode: registers.find((r) => r.lc !== undefined)?.lc,
    isPremium: registers.find((r) => r.pr !== undefined)?.pr,
    phoneNumber: str(phone?.phoneNumber),
    botBlocked: chat.botBlocked,
    broadcastOptOut: chat.broadcastOptOut,
    // The earliest month's first write, or an older update that landed after it.
    firstSeenAt: isoOf(
      min([...months(items).map((i) => num(i[FIRST_SEEN])), ...registers.map((r) => r.t)]),
    ),
    lastSeenAt: isoOf(registers[0]?.t),
    messageCount: counted(items, 'n'),
  });
}

/** A chat from its profile and monthly items; null when nothing is known. */
export function toChat(items: Item[]): Chat | null {
  const profile = items.find((i) => i.sk === PROFILE);
  const seen = num(profile?.t);
  const registers = registersOf(items);
  const fromProfile = profile?.p as Register | undefined;
  const typed = [
    ...registers,
    ...(fromProfile ? [{ ...fromProfile, i: 0, t: seen ?? Number.NEGATIVE_INFINITY }] : []),
  ]
    .filter((r) => typeof r.ty === 'string')
    .sort((a, b) => b.t - a.t || b.i - a.i)[0];
  if (!typed) return null;
  return compact({
    id: idFromKey(String(items[0]?.pk)),
    type: typed.ty as ChatType,
    title: typed.ti,
    username: typed.u,
    botStatus: registers.find((r) => r.bs !== undefined)?.bs as MemberStatus | undefined,
    firstSeenAt: isoOf(
      min([
        num(profile?.[FIRST_SEEN]),
        ...months(items).flatMap((i) => [num(i[FIRST_SEEN]), num(i.gfirst)]),
      ]),
    ),
    lastSeenAt: isoOf(max([seen, registers[0]?.t, ...months(items).map((i) => num(i.gseen))])),
    messageCount: counted(items, 'n'),
  });
}

/** The status sources of a membership, in the order that wins a tie (last wins). */
const STATUS_ORDER: readonly MemberSource[] = ['g', 'm', 'l', 'c'];

/** A membership's status as its sources make it, with the date of the event that set it. */
export function membershipState(item: Item): {
  status: MemberStatus;
  isMember: boolean;
  statusAt?: number;
  lastSeen?: number;
} {
  let status: MemberStatus = 'member';
  let isMember = true;
  let statusAt = Number.NEGATIVE_INFINITY;
  for (const p of STATUS_ORDER) {
    const a = memberAttrs(p);
    const at = num(item[a.statusAt]);
    const st = str(item[a.status]);
    if (at === undefined || st === undefined || at < statusAt) continue;
    status = st as MemberStatus;
    isMember = bool(item[a.isMember]) ?? false;
    statusAt = at;
  }
  // A message after the newest status event proves membership (never a demotion).
  const lastSeen = max([num(item[memberAttrs('m').seen]), num(item[memberAttrs('g').seen])]);
  if (!isMember && lastSeen !== undefined && lastSeen > statusAt) {
    return { status: 'member', isMember: true, statusAt: lastSeen, lastSeen };
  }
  return {
    status,
    isMember,
    ...(Number.isFinite(statusAt) ? { statusAt } : {}),
    ...(lastSeen !== undefined ? { lastSeen } : {}),
  };
}

export function toMembership(item: Item): Membership {
  const { status, isMember, lastSeen } = membershipState(item);
  const sources = (pick: (a: ReturnType<typeof memberAttrs>) => string) =>
    (['m', 'c', 'l', 'g'] as const).map((p) => num(item[pick(memberAttrs(p))]));
  return compact({
    userId: Number(item.userId),
    chatId: Number(item.chatId),
    status,
    isMember,
    joinedAt: isoOf(max(sources((a) => a.joinedAt))),
    leftAt: isoOf(max(sources((a) => a.leftAt))),
    // The earliest contribution of any source: a source may have begun before the item did.
    firstSeenAt: isoOf(min([num(item[FIRST_SEEN]), num(item.gfirst), ...sources((a) => a.since)])),
    lastSeenAt: isoOf(lastSeen),
    messageCount: (num(item.n) ?? 0) + (num(item[memberAttrs('g').count]) ?? 0),
  });
}

/** The member's names as the membership holds them. */
export function memberUser(item: Item): ContactSummary | undefined {
  const snapshot = item[MEMBER_USER_SNAPSHOT] as Register | undefined;
  if (typeof snapshot?.f !== 'string') return undefined;
  return compact({
    id: Number(item.userId),
    isBot: snapshot.b ?? false,
    firstName: snapshot.f,
    lastName: snapshot.l,
    username: snapshot.u,
  });
}

/** The chat's names as the membership holds them. */
export function memberChat(item: Item): ChatSummary | undefined {
  const snapshot = item[MEMBER_CHAT_SNAPSHOT] as Register | undefined;
  if (typeof snapshot?.ty !== 'string') return undefined;
  return compact({
    id: Number(item.chatId),
    type: snapshot.ty as ChatType,
    title: snapshot.ti,
    username: snapshot.u,
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

/** The sum of a month counter and its copy from a migrated group, per matching attribute. */
function monthCounters(
  items: Item[],
  pattern: RegExp,
  visit: (month: string, key: string, value: number) => void,
) {
  for (const item of items) {
    const month = monthOfSk(String(item.sk));
    if (!month) continue;
    for (const [attr, value] of Object.entries(item)) {
      const match = pattern.exec(attr);
      if (match?.[1] !== undefined && typeof value === 'number' && value > 0) {
        visit(month, match[1], value);
      }
    }
  }
}

/** Days with messages from monthly items, within [from, to] (YYYY-MM-DD), in date order. */
export function toActivityDays(items: Item[], from: string, to: string): ActivityDay[] {
  const days = new Map<string, number>();
  monthCounters(items, /^g?d(\d\d)$/, (month, day, value) => {
    const date = `${month}-${day}`;
    if (date >= from && date <= to) days.set(date, (days.get(date) ?? 0) + value);
  });
  return [...days]
    .map(([date, messages]) => ({ date, messages }))
    .sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * A chat's days within [from, to]: messages and distinct senders from its months, joins and
 * leaves from its membership events (`events`: date -> counts). Days with none are left out.
 */
export function toChatActivityDays(
  items: Item[],
  events: Map<string, { joins: number; leaves: number }>,
  from: string,
  to: string,
): ChatActivityDay[] {
  const days = new Map<string, ChatActivityDay>();
  const day = (date: string) => {
    let found = days.get(date);
    if (!found) {
      found = { date, messages: 0, activeMembers: 0, joins: 0, leaves: 0 };
      days.set(date, found);
    }
    return found;
  };
  for (const { date, messages } of toActivityDays(items, from, to)) day(date).messages = messages;
  monthCounters(items, /^g?a(\d\d)$/, (month, dd, value) => {
    const date = `${month}-${dd}`;
    if (date >= from && date <= to) day(date).activeMembers += value;
  });
  for (const [date, counts] of events) {
    if (date < from || date > to) continue;
    day(date).joins += counts.joins;
    day(date).leaves += counts.leaves;
  }
  return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/** Messages by weekday and hour over the monthly items from `fromMonth` to `toMonth`. */
export function toHours(items: Item[], fromMonth: string, toMonth: string): HourGrid {
  const grid = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
  monthCounters(items, /^g?h(\d\d\d)$/, (month, slot, value) => {
    if (month < fromMonth || month > toMonth) return;
    const row = grid[Number(slot[0])];
    if (row) row[Number(slot.slice(1))] = (row[Number(slot.slice(1))] ?? 0) + value;
  });
  return grid;
}

export function toMembershipEvent(item: Item): MembershipEvent {
  return compact({
    chatId: Number(item.chatId),
    userId: Number(item.userId),
    at: isoOf(num(item.at)) ?? '',
    kind: str(item.kind) as MembershipEventKind,
    fromStatus: str(item.fromStatus) as MemberStatus,
    toStatus: str(item.toStatus) as MemberStatus,
    actorId: item.actorId === null ? null : num(item.actorId),
    inviteLink: str(item.inviteLink),
    viaJoinRequest: item.viaJoinRequest === true,
  });
}
