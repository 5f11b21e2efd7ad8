/**
 * The kinds of update the Bot API sends, and where each kind keeps what the parser reads:
 * its own date, and for the kinds that only refresh profiles, its users and chats.
 * `UpdateKind` follows telegraf's `Update` type (plus the kinds newer than it), so a kind
 * telegraf knows and this list lacks fails to compile.
 */
import type { Update } from 'telegraf/types';
import { asRecord, type JsonRecord, pick, unixSeconds } from './json-fields.ts';

type KeysOfUnion<T> = T extends unknown ? keyof T : never;

/** Kinds of the Bot API newer than telegraf's types. */
type NewerKinds =
  | 'business_connection'
  | 'business_message'
  | 'edited_business_message'
  | 'deleted_business_messages'
  | 'purchased_paid_media';

export type UpdateKind = Exclude<KeysOfUnion<Update>, 'update_id'> | NewerKinds;

/** Each kind once, in the Bot API's order (the order of `allowed_updates`). */
const KIND_LIST = {
  message: true,
  edited_message: true,
  channel_post: true,
  edited_channel_post: true,
  business_connection: true,
  business_message: true,
  edited_business_message: true,
  deleted_business_messages: true,
  message_reaction: true,
  message_reaction_count: true,
  inline_query: true,
  chosen_inline_result: true,
  callback_query: true,
  shipping_query: true,
  pre_checkout_query: true,
  purchased_paid_media: true,
  poll: true,
  poll_answer: true,
  my_chat_member: true,
  chat_member: true,
  chat_join_request: true,
  chat_boost: true,
  removed_chat_boost: true,
} as const satisfies Record<UpdateKind, true>;

/** Update types of the Bot API; `kind` is one of these (see `updateKind`) or `unknown`. */
export const UPDATE_KINDS: ReadonlySet<string> = new Set<UpdateKind>(
  Object.keys(KIND_LIST) as UpdateKind[],
);

type Path = readonly string[];

/** Where each kind keeps the update's own date, in order of preference. */
const DATE_FIELDS: ReadonlyMap<string, readonly Path[]> = new Map<UpdateKind, readonly Path[]>([
  ['message', [['date']]],
  ['channel_post', [['date']]],
  ['business_message', [['date']]],
  // An edit is dated when it was made; one without its edit_date is dated on arrival (its
  // message's date could be days old and would step last-seen times back).
  ['edited_message', [['edit_date']]],
  ['edited_channel_post', [['edit_date']]],
  ['edited_business_message', [['edit_date']]],
  ['chat_member', [['date']]],
  ['my_chat_member', [['date']]],
  ['chat_join_request', [['date']]],
  ['message_reaction', [['date']]],
  ['message_reaction_count', [['date']]],
  ['chat_boost', [['boost', 'add_date']]],
  ['removed_chat_boost', [['remove_date']]],
]);

/** Kinds that only refresh profiles and chats: where their users and chats are. */
export const REFRESHED: ReadonlyMap<string, { people: Path[]; chats: Path[] }> = new Map<
  UpdateKind,
  { people: Path[]; chats: Path[] }
>([
  ['callback_query', { people: [['from']], chats: [['message', 'chat']] }],
  ['inline_query', { people: [['from']], chats: [] }],
  ['chosen_inline_result', { people: [['from']], chats: [] }],
  ['shipping_query', { people: [['from']], chats: [] }],
  ['pre_checkout_query', { people: [['from']], chats: [] }],
  ['purchased_paid_media', { people: [['from']], chats: [] }],
  ['poll_answer', { people: [['user']], chats: [['voter_chat']] }],
  ['message_reaction', { people: [['user']], chats: [['chat'], ['actor_chat']] }],
  ['message_reaction_count', { people: [], chats: [['chat']] }],
  ['chat_join_request', { people: [['from']], chats: [['chat']] }],
  ['chat_boost', { people: [['boost', 'source', 'user']], chats: [['chat']] }],
  ['removed_chat_boost', { people: [['source', 'user']], chats: [['chat']] }],
  ['business_connection', { people: [['user']], chats: [] }],
  ['deleted_business_messages', { people: [], chats: [['chat']] }],
]);

/**
 * Longest a dateless update (a button press, an inline query, ...) can wait in Telegram's
 * queue before it is dropped (tdlib/telegram-bot-api Client.cpp, the timeout of each
 * `add_update`); a day for the kinds not listed.
 */
const DATELESS_EXPIRY: ReadonlyMap<string, number> = new Map<UpdateKind, number>([
  ['inline_query', 30],
  ['callback_query', 150],
  ['shipping_query', 150],
  ['pre_checkout_query', 150],
  ['chosen_inline_result', 600],
]);
const DEFAULT_DATELESS_EXPIRY = 86_400;

/**
 * The first known key holding an object; else the first known key (an update whose only kind
 * is malformed keeps its name); else `unknown`. Serializers of other libraries write every kind
 * an update is not as `null` (`"message": null, "callback_query": {...}`).
 */
export function updateKind(body: JsonRecord): UpdateKind | 'unknown' {
  const known = Object.keys(body).filter((key) => UPDATE_KINDS.has(key)) as UpdateKind[];
  return known.find((key) => asRecord(body[key]) !== undefined) ?? known[0] ?? 'unknown';
}

/** The update's own date, when its kind has one and it is a usable time. */
export function updateDate(kind: string, payload: JsonRecord | undefined): number | undefined {
  for (const path of DATE_FIELDS.get(kind) ?? []) {
    const seconds = unixSeconds(pick(payload, path));
    if (seconds !== undefined) return seconds;
  }
  return undefined;
}

/** The longest an update of `kind` without a date can have waited in Telegram's queue. */
export const datelessExpiry = (kind: string) =>
  DATELESS_EXPIRY.get(kind) ?? DEFAULT_DATELESS_EXPIRY;
