/**
 * Attribute names of the recorded items, and which writer owns each.
 *
 * Every attribute of a user's item belongs to one *source*: a delivery queue, the live
 * status check, or a migration's copy. A source's attributes are written only by that
 * source, together with its high-water mark (the last applied update id) and its date
 * (Telegram's time of that update). Readers fold the sources: the newest status wins, seen
 * times are maxima, counters are sums. Because nothing is shared between sources, removing
 * one source's attributes removes exactly what that source contributed: erasure and the
 * recorder's own compensation rely on that (see settle.ts).
 *
 * - Contact and chat months (`PROFILE#yyyy-mm`): one map per queue, `q:<queue>` =
 *   `{i, t, ...profile}`, plus counters `n` and `dNN` (per UTC day) and `first`.
 * - Membership (`CHAT#<id>` under the user): flat attributes per source prefix:
 *   `m` the chat's own queue (messages, joins and leaves by service message), `c` the
 *   member's chat_member queue, `l` a live check (getChatMember), `g` the copy of the
 *   group's membership after a migration to a supergroup.
 */

/** How long after an erasure its tombstones last and new items get its floor stamped. */
export const ERASURE_WINDOW_SECONDS = 48 * 3600;

/** Erasure floor: updates dated before it are not recorded for this item. */
export const FLOOR = 'floor';
/** Epoch seconds after which DynamoDB TTL may delete the item (tombstones). */
export const EXPIRES_AT = 'expiresAt';
/** The date of an item's first write (its first update, or the earliest a settle kept). */
export const FIRST_SEEN = 'first';

/** Messages counted in a contact or chat month (and, on a membership, by its `m` source). */
export const MESSAGE_COUNT = 'n';

/**
 * A chat seen from another queue than its own (`PROFILE` under the chat): its profile `p`
 * (`{ty, ti?, u?}`) and the date `t` of the update that wrote it; the newest date wins.
 */
export const CHAT_PROFILE = 'p';
export const CHAT_PROFILE_AT = 't';

export const registerAttr = (queue: string) => `q:${queue}`;
export const isRegisterAttr = (attr: string) => attr.startsWith('q:');

/** A queue's register in a contact or chat month. Short names: it is written per message. */
export interface Register {
  /** update id (the queue's high-water mark) */
  i: number;
  /** the update's date, epoch seconds */
  t: number;
  /** contact: first name, last name, username, language, premium, is bot, blocked the bot */
  f?: string;
  l?: string;
  u?: string;
  lc?: string;
  pr?: boolean;
  b?: boolean;
  bb?: boolean;
  /** contact: a hash of first name, last name and username (contact-events.ts) */
  h?: string;
  /** chat: title, type, username, the bot's status */
  ti?: string;
  ty?: string;
  bs?: string;
}

/**
 * A contact month's names as one queue's previous update there showed them (the hash `h` of
 * its register before this write): whether an update changed the contact's names is known
 * again when it is redelivered (contact-events.ts). Part of the queue's source.
 */
export const previousNamesAttr = (queue: string) => `n:${queue}`;
/** The update that created a contact month (contact.created is decided once, by it). */
export const CREATED_BY = 'ci';

export type MemberSource = 'm' | 'c' | 'l' | 'g';
export const MEMBER_SOURCES: readonly MemberSource[] = ['m', 'c', 'l', 'g'];

/** A membership source's attribute names. */
export const memberAttrs = (p: MemberSource) => ({
  /** high-water mark: the last applied update id (absent for `l` and `g`) */
  hwm: `${p}i`,
  /** date of the source's last write (its last update, live check or the copied newest event) */
  at: `${p}t`,
  /** date of the source's first write since it was created: settling goes by it */
  since: `${p}0`,
  /** date of the member's last message (`m`, and `g` for the copied one): their last seen */
  seen: `${p}s`,
  /** `seen` before the source's last write (`m`): whether that message was the day's first */
  prevSeen: `${p}p`,
  status: `${p}st`,
  isMember: `${p}im`,
  statusAt: `${p}sa`,
  joinedAt: `${p}j`,
  leftAt: `${p}lt`,
  /** messages counted by this source (only `m`, and `g` for the copied group count) */
  count: p === 'm' ? MESSAGE_COUNT : `${p}${MESSAGE_COUNT}`,
  first: p === 'g' ? COPIED_FIRST_SEEN : undefined,
});

/** A membership source's messages of one month (`yyyy-mm`): `n202612`, `gn202612`. */
export const memberMonthCount = (p: MemberSource, month: string) =>
  `${memberAttrs(p).count}${month.replace('-', '')}`;
/** The month (`yyyy-mm`) of a membership source's month counter, else undefined. */
export function monthOfMemberCount(p: MemberSource, attr: string): string | undefined {
  const count = memberAttrs(p).count;
  const match = /^(\d{4})(\d{2})$/.exec(attr.slice(count.length));
  return attr.startsWith(count) && match ? `${match[1]}-${match[2]}` : undefined;
}

/** Names of the member and of the chat as last written: what lists embed. */
export const MEMBER_USER_SNAPSHOT = 'un';
export const MEMBER_CHAT_SNAPSHOT = 'ch';
/** Set on a group's membership once copied to the supergroup it became. */
export const MOVED_TO = 'movedTo';

/** Verified phone and shared entries: one source each, the owner's private chat. */
export const SINGLE_SOURCE = { hwm: 'si', at: 'st', since: 's0' } as const;

/** The migrated group's counters copied into a supergroup's months (`g` + counter name). */
export const copiedCounter = (attr: string) => `g${attr}`;
/** A supergroup month's copy of its group's first write and last message (chat-migration.ts). */
export const COPIED_FIRST_SEEN = copiedCounter(FIRST_SEEN);
export const COPIED_LAST_SEEN = copiedCounter('seen');
export const isDayCounter = (attr: string) => /^d\d\d$/.test(attr);

/**
 * Messages by UTC weekday (0 = Monday) and hour in a month item: `h<W><HH>`. A month holds
 * at most 168; the hours of a range are those of the months it touches.
 */
export function hourCounter(at: number): string {
  const date = new Date(at * 1000);
  const weekday = (date.getUTCDay() + 6) % 7;
  return `h${weekday}${String(date.getUTCHours()).padStart(2, '0')}`;
}
export const isHourCounter = (attr: string) => /^h[0-6]\d\d$/.test(attr);

/** Distinct senders of a day in a chat month (`a<dd>`), and its mark: `{i, t}` of the last
 * update that counted one (the chat's message queue delivers in order, one at a time). */
export const activeCounter = (day: string) => `a${day}`;
export const isActiveCounter = (attr: string) => /^a\d\d$/.test(attr);
export const ACTIVE_MARK = 'ah';

/** Counters a migration copies from a group's months to its supergroup's. */
export const isCopiedMonthCounter = (attr: string) =>
  attr === MESSAGE_COUNT || isDayCounter(attr) || isHourCounter(attr) || isActiveCounter(attr);
