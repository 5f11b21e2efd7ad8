/**
 * The webhook's grants (functions/webhook.ts): recording an update (lib/directory/record/recorder.ts,
 * record-plan.ts, contact-events.ts, settle.ts, owner-floor.ts), a group's migration
 * (chat-migration.ts), the bot's replies (profiles.ts) and /forget (erasure-grants.ts). Never
 * an API key, a subscription's or a broadcast's own item: only the erasure's references there.
 */
import { ERASURE_GRANTS } from './erasure-grants.ts';
import { type FunctionGrants, mergeGrants } from './grants.ts';
import { CHAT, CHAT_MEMBERS, PHONE_FLOOR, USER } from './key-kinds.ts';

const RECORDING: FunctionGrants = {
  table: {
    // Erasure floors (owner-floor.ts), a refused gate or membership read back, settling; an
    // erased phone's floor for a phone-only card (phone-floor.ts).
    GetItem: [USER, PHONE_FLOOR],
    // The members of a migrating group (chat-migration.ts getItems).
    BatchGetItem: [USER],
    // A contact's months and outbox events (recorder, contact-events, /start's profile);
    // a migrating group's months.
    Query: [USER, CHAT],
    // Every recorded fact is an UpdateItem: contacts, memberships, events, chats, months.
    UpdateItem: [USER, CHAT],
    // Settling what an update older than an erasure wrote (settle.ts).
    DeleteItem: [USER],
  },
  // The members of a migrating group.
  gsi1: [CHAT_MEMBERS],
  gsi2: [],
};

export const WEBHOOK_GRANTS = mergeGrants(RECORDING, ERASURE_GRANTS);
