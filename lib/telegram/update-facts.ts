/**
 * Turns one Telegram update (untrusted JSON) into {@link UpdateFacts}: who and which chats it
 * shows, membership changes, whether it is a new message that counts, shared contacts, the
 * bot's own status and group migrations. Pure and total: any input yields facts, never throws.
 */
import {
  type ChatFact,
  type ExtractOptions,
  type PersonFact,
  PLACEHOLDER_USER_IDS,
  type UpdateFacts,
} from './facts.ts';
import { chatMemberFacts, myChatMemberFacts } from './member-facts.ts';
import { type FactsDraft, messageFacts } from './message-facts.ts';
import {
  asRecord,
  type JsonRecord,
  pick,
  readChat,
  readUser,
  safeInt,
  unixSeconds,
  utcDay,
} from './update-fields.ts';

/** Update types of the Bot API; `kind` is one of these (see `updateKind`) or `unknown`. */
export const UPDATE_KINDS: ReadonlySet<string> = new Set([
  'message',
  'edited_message',
  'channel_post',
  'edited_channel_post',
  'business_connection',
  'business_message',
  'edited_business_message',
  'deleted_business_messages',
  'message_reaction',
  'message_reaction_count',
  'inline_query',
  'chosen_inline_result',
  'callback_query',
  'shipping_query',
  'pre_checkout_query',
  'purchased_paid_media',
  'poll',
  'poll_answer',
  'my_chat_member',
  'chat_member',
  'chat_join_request',
  'chat_boost',
  'removed_chat_boost',
]);

type Path = readonly string[];

/** Where each kind keeps the update's own date, in order of preference. */
const DATE_FIELDS: ReadonlyMap<string, readonly Path[]> = new Map([
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
const REFRESHED: ReadonlyMap<string, { people: Path[]; chats: Path[] }> = new Map([
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
 * Extracts the facts of one update. `updateId` is the update's integer `update_id` (callers
 * validate it first; `-1` when it is not one). `at` is the update's own date when it has a
 * valid one, else `options.receivedAt` (floored; `0` when not a usable time).
 */
/**
 * Longest a dateless update (a button press, an inline query, ...) can wait in Telegram's
 * queue before it is dropped (tdlib/telegram-bot-api Client.cpp, the timeout of each
 * `add_update`); a day for the kinds not listed.
 */
const DATELESS_EXPIRY: ReadonlyMap<string, number> = new Map([
  ['inline_query', 30],
  ['callback_query', 150],
  ['shipping_query', 150],
  ['pre_checkout_query', 150],
  ['chosen_inline_result', 600],
]);

/**
 * The earliest time the update can have been sent, in Unix seconds: its own date, or for an
 * update without one (dated on arrival, `receivedAt`) the arrival less the longest it could
 * have waited in Telegram's queue. Erasure judges an update by it (store/recorder.ts).
 */
export function sentNoEarlierThan(update: unknown, receivedAt: number): number {
  const body = asRecord(update) ?? {};
  const kind = updateKind(body);
  const own = updateDate(kind, kind === 'unknown' ? undefined : asRecord(body[kind]));
  return own ?? Math.floor(receivedAt) - (DATELESS_EXPIRY.get(kind) ?? 86_400);
}

export function extractFacts(update: unknown, options: ExtractOptions): UpdateFacts {
  const body = asRecord(update) ?? {};
  const kind = updateKind(body);
  const payload = kind === 'unknown' ? undefined : asRecord(body[kind]);
  const at = updateDate(kind, payload) ?? unixSeconds(Math.floor(options.receivedAt)) ?? 0;
  const people = new Map<number, PersonFact>();
  const chats = new Map<number, ChatFact>();
  const draft: FactsDraft = {
    facts: {
      updateId: safeInt(body.update_id) ?? -1,
      kind,
      at,
      activityDate: utcDay(at),
      people: [],
      chats: [],
      memberships: [],
      sharedContacts: [],
    },
    person(value) {
      const person = readUser(value);
      if (!person || PLACEHOLDER_USER_IDS.has(person.id) || person.id === options.botId) return;
      people.set(person.id, { ...people.get(person.id), ...person });
      return person;
    },
    chat(value) {
      const chat = readChat(value);
      if (chat && chat.type !== 'private') chats.set(chat.id, { ...chats.get(chat.id), ...chat });
      return chat;
    },
    ...(options.botUsername !== undefined ? { botUsername: options.botUsername } : {}),
  };
  if (payload) describeUpdate(kind, payload, draft);
  draft.facts.people = [...people.values()];
  draft.facts.chats = [...chats.values()];
  return draft.facts;
}

/**
 * The first known key holding an object; else the first known key (an update whose only kind
 * is malformed keeps its name); else `unknown`. Serializers of other libraries write every kind
 * an update is not as `null` (`"message": null, "callback_query": {...}`).
 */
function updateKind(body: JsonRecord): string {
  const known = Object.keys(body).filter((key) => UPDATE_KINDS.has(key));
  return known.find((key) => asRecord(body[key]) !== undefined) ?? known[0] ?? 'unknown';
}

function updateDate(kind: string, payload: JsonRecord | undefined): number | undefined {
  for (const path of DATE_FIELDS.get(kind) ?? []) {
    const seconds = unixSeconds(pick(payload, path));
    if (seconds !== undefined) return seconds;
  }
  return undefined;
}

function describeUpdate(kind: string, payload: JsonRecord, draft: FactsDraft): void {
  switch (kind) {
    case 'message':
    case 'channel_post':
    case 'edited_message':
    case 'edited_channel_post':
    case 'business_message':
    case 'edited_business_message':
      messageFacts(payload, draft, {
        channel: kind === 'channel_post' || kind === 'edited_channel_post',
        counts: kind === 'message' || kind === 'channel_post',
      });
      return;
    case 'chat_member':
      chatMemberFacts(payload, draft);
      return;
    case 'my_chat_member':
      myChatMemberFacts(payload, draft);
      return;
  }
  const refreshed = REFRESHED.get(kind);
  for (const path of refreshed?.people ?? []) draft.person(pick(payload, path));
  for (const path of refreshed?.chats ?? []) draft.chat(pick(payload, path));
}
