/**
 * The data map: every kind of item the table holds and every line the functions log, with
 * the personal data each may hold, whose it is, how an erasure ends it and how long it is
 * kept. docs/personal-data.md is rendered from it (`npm run docs`), and tests hold it to the
 * code: every key builder and key prefix of keys.ts has an entry, every item a run writes
 * matches one, every log call's message is listed, and no log line holds a name or a phone.
 *
 * The design rule it records: personal data lives in the person's own partition (`USER#<id>`),
 * where the erasure settles it; an item elsewhere that holds or names a person carries a
 * reference to them (GSI2 `REF#<id>`, `REFPHONE#<e164>`, `ACTOR#<id>`, or for shared cards
 * GSI1 `SHAREDOF#<id>` / `SHAREDPHONE#<e164>`), by which the erasure finds and ends it. What
 * stays afterwards is the tombstone: the person's id in the key of their gate months, and the
 * floor.
 */
import type * as keys from '../store/key-schema.ts';
import { ITEM_KINDS } from './item-kinds.ts';
import { LOG_LINES, LOG_RETENTION_DAYS } from './log-lines.ts';

export { ITEM_KINDS, LOG_LINES, LOG_RETENTION_DAYS };

/** What of a person an item or a log line may hold. */
export type PersonalField =
  /** Their Telegram user id. */
  | 'id'
  /** First and last name. */
  | 'name'
  | 'username'
  /** A phone number (E.164): verified, or from a card someone shared. */
  | 'phone'
  /** Language code, premium, is-a-bot. */
  | 'profile'
  /** When and how much they wrote: message counters, first and last seen. */
  | 'activity'
  /** Which chats they are in, their status there, the invite link they joined by. */
  | 'membership'
  /** Tags and a note an application set on them. */
  | 'notes'
  /** Opted out of broadcasts, blocked the bot. */
  | 'preferences'
  /** A group's id, title and username (private chats are never recorded as chats). */
  | 'chat'
  /** A message sent to them (a broadcast's text, a direct message's answer). */
  | 'message';

/**
 * How an erasure of the person ends what the item holds of them:
 * - `settled`: the item is in their partition; the erasure settles it against its floor
 *   (what was written before the floor goes, what a later life wrote stays);
 * - `tombstone`: the item becomes (or is) a tombstone until its TTL: in their partition, the
 *   id in its key and the floor only; elsewhere (found by a reference, person-refs.ts
 *   `referenceAction`), its hashed key and dates only, naming no one;
 * - `deleted`: the item is elsewhere and names them by a reference; the erasure Queries the
 *   reference and deletes the item;
 * - `actor-nulled`: the item is someone else's and names them as the actor; the erasure sets
 *   the actor to null and removes the reference; the item stays;
 * - `kept`: the item stays until its TTL (it holds the id alone, as `contact.erased` must).
 */
export type Ending = 'settled' | 'tombstone' | 'deleted' | 'actor-nulled' | 'kept';

/** One person an item holds something of. */
export interface Holder {
  /**
   * Whose data: `owner`, the person whose partition (`USER#<id>`) holds the item; `named`,
   * a person the item names, found by `by`.
   */
  whose: 'owner' | 'named';
  /** How the erasure finds the item: the partition, or the index key naming the person. */
  by: string;
  fields: readonly PersonalField[];
  erasure: Ending;
}

/** How long an item is kept. */
export type Keep =
  /** DynamoDB TTL: `seconds` after `from`. */
  | { kind: 'ttl'; seconds: number; from: string }
  /** `RETENTION_DAYS` (default `defaultDays`) after `from`. */
  | { kind: 'retention'; defaultDays: number; from: string }
  /** No TTL: until `until`. */
  | { kind: 'until'; until: string };

/** A builder of keys.ts (an item's key, its index keys, or a reference). */
export type KeyBuilder = {
  [K in keyof typeof keys]: (typeof keys)[K] extends (...args: never[]) => unknown ? K : never;
}[keyof typeof keys];

/** One kind of item of the table. */
export interface ItemKind {
  /** Its name in the key table of keys.ts. */
  item: string;
  /** Its keys as the key table writes them (`<...>`: a variable part). */
  pk: string;
  sk: string;
  /** Its index keys, if any (GSI1 partition, or a GSI2 reference). */
  index?: string;
  /** The keys.ts builders of its key and index keys. */
  builders: readonly KeyBuilder[];
  /** Whose personal data it may hold; empty: none. */
  holders: readonly Holder[];
  keep: Keep;
  /** Anything a reader of the table should know (a limit, a hash, a later design). */
  note?: string;
}

/** One kind of log line. */
export interface LogLine {
  /** The line's `message`. */
  message: string;
  level: 'info' | 'warn' | 'error' | 'by status';
  /** The file that logs it. */
  source: string;
  /**
   * The fields it carries besides Powertools' own (level, timestamp, service, and deployed the
   * Lambda context: request id, cold start, function name, ARN and memory).
   */
  fields: readonly string[];
  /** The personal data among them: ids only, never names, usernames or phones. */
  personal: readonly ('id' | 'chat')[];
}

const DAY_SECONDS = 86_400;

/** A duration for people: days, or hours below two days. */
export function describeSeconds(seconds: number): string {
  if (seconds % DAY_SECONDS === 0 && seconds >= 2 * DAY_SECONDS)
    return `${seconds / DAY_SECONDS} days`;
  return `${Math.round(seconds / 3600)} hours`;
}

/** How long, in words. */
export function describeKeep(keep: Keep): string {
  switch (keep.kind) {
    case 'ttl':
      return `${describeSeconds(keep.seconds)} after ${keep.from}`;
    case 'retention':
      return `\`RETENTION_DAYS\` (default ${keep.defaultDays}) after ${keep.from}`;
    case 'until':
      return `until ${keep.until}`;
  }
}

/** A key pattern (`USER#<id>`) as an anchored regular expression. */
function patternOf(pattern: string): RegExp {
  const parts = pattern.split(/<[^>]+>/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.+')}$`);
}

const matchers = ITEM_KINDS.map((kind) => ({
  kind,
  pk: kind.pk.split(' or ').map(patternOf),
  sk: patternOf(kind.sk),
}));

/** The map's entry for an item with keys `pk`/`sk` (undefined: an item the map does not know). */
export function itemKindOf(item: { pk: unknown; sk: unknown }): ItemKind | undefined {
  const pk = String(item.pk);
  const sk = String(item.sk);
  // The most specific sort-key pattern first (`PROFILE#PHONE` before `PROFILE#<yyyy-mm>`).
  const found = matchers
    .filter((m) => m.sk.test(sk) && m.pk.some((p) => p.test(pk)))
    .sort(
      (a, b) => b.kind.sk.replace(/<[^>]+>/g, '').length - a.kind.sk.replace(/<[^>]+>/g, '').length,
    );
  return found[0]?.kind;
}
