/**
 * Defensive readers for untrusted Bot API JSON. Each returns a typed value or `undefined`
 * and never throws, whatever it is given.
 */
import {
  type ChatFact,
  type ChatType,
  MEMBER_STATUSES,
  type MemberStatus,
  type PersonFact,
} from './facts.ts';

export type JsonRecord = Record<string, unknown>;

const CHAT_TYPES: ReadonlySet<string> = new Set<ChatType>([
  'private',
  'group',
  'supergroup',
  'channel',
]);

const MEMBER_STATUS_SET: ReadonlySet<string> = new Set<MemberStatus>(MEMBER_STATUSES);

/** Latest Unix second a `Date` can print as `YYYY-MM-DD` (9999-12-31T23:59:59Z). */
const MAX_UNIX_SECONDS = 253_402_300_799;

/** A plain JSON object (not null, not an array), else `undefined`. */
export function asRecord(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonRecord)
    : undefined;
}

/**
 * Whether a field is really there. Telegram omits absent optional fields, but serializers of
 * other libraries write them as `null`, `false`, `0`, `''` or `[]`; all of these mean absent.
 * An object is present even when empty: some service messages (`forum_topic_closed`,
 * `video_chat_started`) hold no information at all.
 */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') {
    return false;
  }
  return !Array.isArray(value) || value.length > 0;
}

/** Follows `path` through nested objects; `undefined` as soon as a step is not an object. */
export function pick(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    const record = asRecord(current);
    if (record === undefined || !Object.hasOwn(record, key)) return undefined;
    current = record[key];
  }
  return current;
}

/** A safe integer (Telegram ids exceed 2^31 but fit in 2^53), else `undefined`. */
export function safeInt(value: unknown): number | undefined {
  return Number.isSafeInteger(value) ? (value as number) : undefined;
}

/** A non-zero safe integer: a usable chat id. */
export function chatId(value: unknown): number | undefined {
  const id = safeInt(value);
  return id === 0 ? undefined : id;
}

/**
 * Longest text kept from a field, in UTF-16 units: far above Telegram's own limits (names
 * 64, titles 128 characters), far below what a DynamoDB item holds (400 KB). A longer value
 * would make every delivery of its update fail; it is cut instead.
 */
export const MAX_TEXT_LENGTH = 1024;

/**
 * Longest username kept. Telegram's are 5-32 characters of `A-Za-z0-9_`; a longer one is no
 * username, and could not be part of an index key (DynamoDB keys hold 2048 bytes).
 */
export const MAX_USERNAME_LENGTH = 64;

/** A string, cut to MAX_TEXT_LENGTH on a code point boundary (never half a surrogate pair). */
export function str(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.length <= MAX_TEXT_LENGTH) return value;
  const last = value.charCodeAt(MAX_TEXT_LENGTH - 1);
  const highSurrogate = last >= 0xd800 && last <= 0xdbff;
  return value.slice(0, highSurrogate ? MAX_TEXT_LENGTH - 1 : MAX_TEXT_LENGTH);
}

/** A username of at most MAX_USERNAME_LENGTH units, else `undefined`. */
export function username(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_USERNAME_LENGTH ? value : undefined;
}

/** A positive whole number of Unix seconds that a `Date` can represent, else `undefined`. */
export function unixSeconds(value: unknown): number | undefined {
  const seconds = safeInt(value);
  return seconds !== undefined && seconds > 0 && seconds <= MAX_UNIX_SECONDS ? seconds : undefined;
}

/** UTC `YYYY-MM-DD` of a Unix time; the epoch day for anything out of range. */
export function utcDay(seconds: number): string {
  const valid = Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_UNIX_SECONDS;
  return new Date(valid ? seconds * 1000 : 0).toISOString().slice(0, 10);
}

export function memberStatus(value: unknown): MemberStatus | undefined {
  return typeof value === 'string' && MEMBER_STATUS_SET.has(value)
    ? (value as MemberStatus)
    : undefined;
}

/** Drops keys whose value is `undefined`, so absent values are absent, not `undefined`. */
export function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}

/**
 * A Telegram `User`: needs a positive integer `id`; a missing `first_name` becomes `''`.
 * `isPremium` is always set, because Telegram omits `is_premium` when it is false.
 */
export function readUser(value: unknown): PersonFact | undefined {
  const user = asRecord(value);
  const id = safeInt(user?.id);
  if (user === undefined || id === undefined || id <= 0) return undefined;
  return compact({
    id,
    isBot: user.is_bot === true,
    firstName: str(user.first_name) ?? '',
    lastName: str(user.last_name),
    username: username(user.username),
    languageCode: str(user.language_code),
    isPremium: user.is_premium === true,
  });
}

/** A Telegram `Chat`: needs a non-zero integer `id` and one of the four known types. */
export function readChat(value: unknown): ChatFact | undefined {
  const chat = asRecord(value);
  const id = chatId(chat?.id);
  const type = chat?.type;
  if (chat === undefined || id === undefined || typeof type !== 'string' || !CHAT_TYPES.has(type)) {
    return undefined;
  }
  return compact({
    id,
    type: type as ChatType,
    title: str(chat.title),
    username: username(chat.username),
  });
}

/**
 * Status and membership of a `ChatMember`, by the Bot API rule: creator, administrator and
 * member are members; restricted uses its `is_member`; left and kicked are not.
 * `undefined` for an unknown status or a restricted member without a boolean `is_member`.
 */
export function readMemberState(
  value: unknown,
): { status: MemberStatus; isMember: boolean } | undefined {
  const member = asRecord(value);
  const status = memberStatus(member?.status);
  if (member === undefined || status === undefined) return undefined;
  if (status === 'restricted') {
    return typeof member.is_member === 'boolean'
      ? { status, isMember: member.is_member }
      : undefined;
  }
  return {
    status,
    isMember: status === 'creator' || status === 'administrator' || status === 'member',
  };
}
