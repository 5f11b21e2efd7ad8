/**
 * The dispatcher's grants (functions/dispatcher.ts): delivering events to subscriptions
 * (lib/events/dispatcher.ts, lib/events/store/deliveries.ts, subscriptions.ts) and sending
 * broadcasts (lib/events/broadcast-*.ts, lib/messaging/store/broadcasts.ts, broadcast-recipients.ts,
 * broadcast-lease.ts, messaging-eligibility.ts, bot-blocked.ts). Never an API key, never a
 * lookup index.
 */
import type { FunctionGrants } from './grants.ts';
import {
  BROADCAST,
  CHAT,
  DUE_DELIVERIES,
  OUTBOX,
  PENDING_BROADCASTS,
  PENDING_EVENTS,
  SUB,
  SUBSCRIPTIONS,
  USER,
} from './key-kinds.ts';

export const DISPATCHER_GRANTS: FunctionGrants = {
  table: {
    // An event where it lives (USER#, CHAT# or OUTBOX#), its subject's erasure floor (USER#),
    // a subscription with its secret, a broadcast; settling a 403's blocked record (USER#).
    GetItem: [USER, CHAT, OUTBOX, SUB, BROADCAST],
    // The subscriptions an event fans out to.
    BatchGetItem: [SUB],
    // A recipient's eligibility (the contact's items), a broadcast's recipients.
    Query: [USER, BROADCAST],
    // A delivery and its attempt log.
    PutItem: [SUB],
    // An event marked fanned out, a 403's blocked record (USER#); deliveries and
    // subscriptions' failure states; a broadcast, its recipients and the sender lease.
    UpdateItem: [USER, CHAT, OUTBOX, SUB, BROADCAST],
    // A 403's blocked record settled by an erasure; a broadcast's to-send marker once done.
    DeleteItem: [USER, BROADCAST],
  },
  // Events not yet fanned out, deliveries due, subscriptions, broadcasts still to send.
  gsi1: [PENDING_EVENTS, DUE_DELIVERIES, SUBSCRIPTIONS, PENDING_BROADCASTS],
  gsi2: [],
};
