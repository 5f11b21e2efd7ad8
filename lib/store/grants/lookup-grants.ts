/**
 * The lookup API's grants (functions/lookup.ts, lib/lookup/*-service.ts). It reads the
 * directory and writes only contacts' notes, tags and states (USER#), subscriptions (SUB#),
 * broadcasts (BROADCAST#), direct messages' idempotency records (IDEMPOTENCY#), its own
 * events (OUTBOX#: ping) and what an erasure ends (erasure-grants.ts). Never a chat's items,
 * never an API key's: keys are listed and written by the operator's CLI (`npm run apikey`).
 */
import { ERASURE_GRANTS } from './erasure-grants.ts';
import { type FunctionGrants, mergeGrants } from './grants.ts';
import {
  APIKEY,
  BROADCAST,
  BROADCASTS,
  CHAT,
  CHAT_EVENTS,
  CHAT_MEMBERS,
  IDEMPOTENCY,
  OUTBOX,
  PHONE,
  SUB,
  SUBSCRIPTIONS,
  TAGGED,
  USER,
  USERNAME,
} from './key-kinds.ts';

const API: FunctionGrants = {
  table: {
    // A membership (memberships.ts), erasure floors (bot-blocked.ts), the API key a request
    // presents (api-keys.ts), a subscription, a broadcast and its idempotency record, a
    // direct message's idempotency record.
    GetItem: [USER, APIKEY, SUB, BROADCAST, IDEMPOTENCY],
    // Members, their notes and phones, events, of the keys an index listed (batch-get.ts,
    // bulk-get.ts); subscriptions and broadcasts of their lists.
    BatchGetItem: [USER, SUB, BROADCAST],
    // A contact or a chat and their months (profiles.ts, activity.ts), a contact's chats,
    // events, shared entries and tags; a subscription's deliveries (resume) and attempt log;
    // a broadcast's recipients.
    Query: [USER, CHAT, SUB, BROADCAST],
    // A subscription, a broadcast and its to-send marker and idempotency record, a direct
    // message's idempotency record; a test ping (outbox.ts, a partition of its own).
    PutItem: [SUB, BROADCAST, IDEMPOTENCY, OUTBOX],
    // Notes, tags, `?live=true` member states, a 403's blocked record (USER#); subscriptions
    // and their deliveries; cancelling a broadcast, finishing its idempotency record; a
    // direct message's idempotency record.
    UpdateItem: [USER, SUB, BROADCAST, IDEMPOTENCY],
    // Tag entries, settled records (USER#); a subscription; an abandoned broadcast request's
    // idempotency record.
    DeleteItem: [USER, SUB, BROADCAST],
    // A broadcast's recipients, 25 a request, all in its own partition.
    BatchWriteItem: [BROADCAST],
  },
  // Members and events of a chat, contacts with a tag, the lists of subscriptions and of
  // broadcasts. (The erasure adds the entries naming a user or their phone.)
  gsi1: [CHAT_MEMBERS, CHAT_EVENTS, TAGGED, SUBSCRIPTIONS, BROADCASTS],
  // Search by username or verified phone.
  gsi2: [USERNAME, PHONE],
};

export const LOOKUP_GRANTS = mergeGrants(API, ERASURE_GRANTS);
