/**
 * Reads one Telegram update (untrusted JSON) once, top-down, into an {@link UpdateView}:
 * 1. its envelope: the update id, its kind (kinds.ts) and that kind's payload, its date and
 *    the earliest it can have been sent;
 * 2. its facts (facts.ts): who and which chats it shows, membership changes, whether it is a
 *    new message that counts, shared contacts, the bot's own status and group migrations,
 *    gathered by the kind's reader (message-facts.ts, member-facts.ts, or a refresh of the
 *    users and chats it names);
 * 3. the delivery queue it came in (update-queue.ts).
 * Pure and total: any input yields a view, never throws. The recorder consumes the facts,
 * the queue and the dates (directory/record/recorder.ts).
 */
import {
  type ChatFact,
  type ExtractOptions,
  type FactsDraft,
  type PersonFact,
  PLACEHOLDER_USER_IDS,
  type UpdateFacts,
} from './facts.ts';
import {
  asRecord,
  type JsonRecord,
  pick,
  readChat,
  readUser,
  safeInt,
  unixSeconds,
  utcDay,
} from './json-fields.ts';
import { datelessExpiry, REFRESHED, type UpdateKind, updateDate, updateKind } from './kinds.ts';
import { chatMemberFacts, myChatMemberFacts } from './member-facts.ts';
import { messageFacts } from './message-facts.ts';
import { queueOf } from './update-queue.ts';

/** What the webhook needs of one update, read once. */
export interface UpdateView {
  /** The update's integer `update_id` (callers validate it first; `-1` when it is not one). */
  updateId: number;
  kind: UpdateKind | 'unknown';
  /** The earliest the update can have been sent, in Unix seconds (see `sentNoEarlierThan`). */
  sentFrom: number;
  /** The delivery queue it came in. */
  queue: string;
  facts: UpdateFacts;
}

/** An update's envelope: its kind, that kind's payload, and its dates. */
interface Envelope {
  body: JsonRecord;
  kind: UpdateKind | 'unknown';
  payload: JsonRecord | undefined;
  /** The update's own date, when it has a valid one. */
  date: number | undefined;
}

function readEnvelope(update: unknown): Envelope {
  const body = asRecord(update) ?? {};
  const kind = updateKind(body);
  const payload = kind === 'unknown' ? undefined : asRecord(body[kind]);
  return { body, kind, payload, date: updateDate(kind, payload) };
}

/**
 * The earliest the update can have been sent: its own date, or for an update without one
 * (dated on arrival, `receivedAt`) the arrival less the longest it could have waited in
 * Telegram's queue. Erasure judges an update by it (directory/record/recorder.ts).
 */
function sentFromOf(envelope: Envelope, receivedAt: number): number {
  return envelope.date ?? Math.floor(receivedAt) - datelessExpiry(envelope.kind);
}

/** Reads `update`, received at `options.receivedAt`, into its view. */
export function readUpdate(update: unknown, options: ExtractOptions): UpdateView {
  const envelope = readEnvelope(update);
  const facts = factsOf(envelope, options);
  return {
    updateId: facts.updateId,
    kind: envelope.kind,
    sentFrom: sentFromOf(envelope, options.receivedAt),
    queue: queueOf(envelope.kind, envelope.payload),
    facts,
  };
}

/** {@link UpdateView.sentFrom} of `update` alone. */
export function sentNoEarlierThan(update: unknown, receivedAt: number): number {
  return sentFromOf(readEnvelope(update), receivedAt);
}

/**
 * The facts of one update alone. `at` is the update's own date when it has a valid one, else
 * `options.receivedAt` (floored; `0` when not a usable time).
 */
export function extractFacts(update: unknown, options: ExtractOptions): UpdateFacts {
  return factsOf(readEnvelope(update), options);
}

function factsOf({ body, kind, payload, date }: Envelope, options: ExtractOptions): UpdateFacts {
  const at = date ?? unixSeconds(Math.floor(options.receivedAt)) ?? 0;
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

/** Gathers the facts of `payload` by its kind's reader. */
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
