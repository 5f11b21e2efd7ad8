/**
 * The item kinds of the data map (data-map.ts): one entry per row of the key table of
 * keys.ts (a row whose items differ in whom they hold has one entry per variant). Every TTL
 * is the constant the writer uses, imported, so the map cannot drift from it.
 */

import { IDEMPOTENCY_KEEP_SECONDS } from '../store/broadcast-idempotency.ts';
import { BROADCAST_KEEP_SECONDS } from '../store/broadcasts.ts';
import { DELIVERY_KEEP_SECONDS } from '../store/deliveries.ts';
import { IDEMPOTENCY_TTL_SECONDS } from '../store/idempotency.ts';
import { OUTBOX_KEEP_SECONDS } from '../store/outbox.ts';
import { DEFAULT_RETENTION_DAYS } from '../store/record-plan.ts';
import { ERASURE_WINDOW_SECONDS } from '../store/registers.ts';
import type { Holder, ItemKind } from './data-map.ts';

const owner = (fields: Holder['fields']): Holder => ({
  whose: 'owner',
  by: 'USER#<id> (the partition)',
  fields,
  erasure: 'settled',
});
const UNTIL_ERASED = { kind: 'until', until: 'erased (or the application deletes it)' } as const;
const retention = (from: string) =>
  ({ kind: 'retention', defaultDays: DEFAULT_RETENTION_DAYS, from }) as const;

export const ITEM_KINDS: readonly ItemKind[] = [
  {
    item: 'contact month',
    pk: 'USER#<id>',
    sk: 'PROFILE#<yyyy-mm>',
    index: 'GSI2 USERNAME#<lower>',
    builders: ['contactMonthKey', 'usernameIndexPk'],
    holders: [owner(['id', 'name', 'username', 'profile', 'activity', 'preferences'])],
    keep: retention('the month ends'),
    note: "Per delivery queue, the profile that queue's last update showed, and the month's counters.",
  },
  {
    item: 'erasure tombstone',
    pk: 'USER#<id>',
    sk: 'PROFILE#<yyyy-mm>',
    builders: ['contactMonthKey'],
    holders: [
      { whose: 'owner', by: 'USER#<id> (the partition)', fields: ['id'], erasure: 'tombstone' },
    ],
    keep: { kind: 'ttl', seconds: ERASURE_WINDOW_SECONDS + 86_400, from: 'the erasure' },
    note: 'A gate month after an erasure: the id in its key and the floor, nothing else. It refuses any update dated before the floor.',
  },
  {
    item: 'verified phone',
    pk: 'USER#<id>',
    sk: 'PROFILE#PHONE',
    index: 'GSI2 PHONE#<e164>',
    builders: ['phoneItemKey', 'phoneIndexPk'],
    holders: [owner(['id', 'phone'])],
    keep: UNTIL_ERASED,
  },
  {
    item: 'tags and note',
    pk: 'USER#<id>',
    sk: 'PROFILE#NOTES',
    builders: ['notesKey'],
    holders: [owner(['id', 'notes'])],
    keep: UNTIL_ERASED,
  },
  {
    item: "contact's creator",
    pk: 'USER#<id>',
    sk: 'LIFE',
    builders: ['contactLifeKey'],
    holders: [owner(['id'])],
    keep: retention('the month of the update that created the contact'),
  },
  {
    item: 'messaging preferences',
    pk: 'USER#<id>',
    sk: 'PROFILE#PREFS',
    builders: ['prefsKey'],
    holders: [owner(['id', 'preferences'])],
    keep: UNTIL_ERASED,
  },
  {
    item: 'blocked by a send',
    pk: 'USER#<id>',
    sk: 'PROFILE#BLOCKED',
    builders: ['blockedKey'],
    holders: [owner(['id', 'preferences'])],
    keep: UNTIL_ERASED,
  },
  {
    item: 'tag entry',
    pk: 'USER#<id>',
    sk: 'TAG#<tag>',
    index: 'GSI1 TAG#<tag>',
    builders: ['tagKey', 'tagIndexKeys', 'tagIndexPk'],
    holders: [owner(['id', 'notes'])],
    keep: UNTIL_ERASED,
  },
  {
    item: 'membership event',
    pk: 'USER#<id>',
    sk: 'EVENT#<at>#<chat>#<kind>',
    index: 'GSI1 EVENTS#<chat>; GSI2 ACTOR#<actor> when someone else made the change',
    builders: ['eventKey', 'eventIndexKeys', 'chatEventsPk', 'actorRefIndexKeys', 'actorRefPk'],
    holders: [
      owner(['id', 'membership', 'chat']),
      { whose: 'named', by: 'GSI2 ACTOR#<actor>', fields: ['id'], erasure: 'actor-nulled' },
    ],
    keep: retention('the change'),
  },
  {
    item: 'membership',
    pk: 'USER#<id>',
    sk: 'CHAT#<chatId>',
    index: 'GSI1 CHAT#<chatId>',
    builders: ['membershipKey', 'membershipIndexKeys'],
    holders: [owner(['id', 'name', 'username', 'membership', 'activity', 'chat'])],
    keep: UNTIL_ERASED,
    note: 'Holds the names the member and the chat last had, and per-month message counts.',
  },
  {
    item: 'shared contact',
    pk: 'USER#<ownerId>',
    sk: 'SHARED#<ref>',
    index: 'GSI1 SHAREDOF#<id> or SHAREDPHONE#<e164>',
    builders: ['sharedKey', 'sharedOfPk', 'sharedPhonePk'],
    holders: [
      owner(['id']),
      {
        whose: 'named',
        by: 'GSI1 SHAREDOF#<id>, or SHAREDPHONE#<e164> of their verified phone',
        fields: ['id', 'name', 'username', 'phone'],
        erasure: 'deleted',
      },
    ],
    keep: UNTIL_ERASED,
    note: "A card someone shared: the sharer is the partition, the card names the shared person. A phone-only card is found by the shared person's verified phone; one whose number they never verified names no one the directory knows.",
  },
  {
    item: 'chat profile',
    pk: 'CHAT#<id>',
    sk: 'PROFILE',
    builders: ['chatKey'],
    holders: [],
    keep: { kind: 'until', until: 'the table is deleted (a group, not a person)' },
    note: "A group's type, title and username. Private chats are never recorded as chats.",
  },
  {
    item: 'chat month',
    pk: 'CHAT#<id>',
    sk: 'PROFILE#<yyyy-mm>',
    builders: ['chatMonthKey'],
    holders: [],
    keep: retention('the month ends'),
    note: "A group's profile and its anonymous counters (messages, distinct senders per day): no member's id.",
  },
  {
    item: 'API key',
    pk: 'APIKEY#<sha256>',
    sk: 'APIKEY',
    index: 'GSI1 APIKEYS',
    builders: ['apiKeyKey', 'apiKeyIndexKeys'],
    holders: [],
    keep: { kind: 'until', until: 'revoked and deleted by the operator' },
    note: "The operator's name for the key, its scope and a hash of the key.",
  },
  {
    item: 'outbox event',
    pk: 'USER#<id>',
    sk: 'OUTBOX#<ev>',
    index:
      'GSI1 OUTBOX (until fanned out); GSI2 REF#<id> or REFPHONE#<e164> (contact.shared), ACTOR#<actor> (member.*)',
    builders: [
      'outboxKey',
      'pendingEventIndexKeys',
      'personRefIndexKeys',
      'personRefPk',
      'phoneRefIndexKeys',
      'phoneRefPk',
      'actorRefIndexKeys',
    ],
    holders: [
      owner(['id', 'name', 'username', 'phone', 'profile', 'membership', 'chat']),
      {
        whose: 'named',
        by: 'GSI2 REF#<sharedUserId>, or REFPHONE#<e164> of a phone-only card',
        fields: ['id', 'name', 'username', 'phone'],
        erasure: 'deleted',
      },
      { whose: 'named', by: 'GSI2 ACTOR#<actor>', fields: ['id'], erasure: 'actor-nulled' },
    ],
    keep: { kind: 'ttl', seconds: OUTBOX_KEEP_SECONDS, from: "the event's date" },
    note: "An event about a person (contact.*, member.*, bot.*), in their partition. A contact.shared event names the shared person (REF#/REFPHONE#); a member event whose change someone else made names that actor (ACTOR#). Every sender also checks each named person's erasure floor before it sends.",
  },
  {
    item: 'outbox event',
    pk: 'CHAT#<id>',
    sk: 'OUTBOX#<ev>',
    index: 'GSI1 OUTBOX (until fanned out)',
    builders: ['outboxKey', 'pendingEventIndexKeys'],
    holders: [],
    keep: { kind: 'ttl', seconds: OUTBOX_KEEP_SECONDS, from: "the event's date" },
    note: 'chat.created and chat.migrated: about a group, naming no person.',
  },
  {
    item: 'outbox event',
    pk: 'OUTBOX#<ev>',
    sk: 'OUTBOX#<ev>',
    index: 'GSI1 OUTBOX (until fanned out)',
    builders: ['outboxKey', 'pendingEventIndexKeys'],
    holders: [
      {
        whose: 'named',
        by: '(none: it must outlive the erasure)',
        fields: ['id'],
        erasure: 'kept',
      },
    ],
    keep: { kind: 'ttl', seconds: OUTBOX_KEEP_SECONDS, from: "the event's date" },
    note: 'contact.erased (the erased id alone, so subscribers can erase too) and ping (a subscription id).',
  },
  {
    item: 'idempotent request',
    pk: 'IDEMPOTENCY#<keyId>#<sha256>',
    sk: 'IDEMPOTENCY',
    index: 'GSI2 REF#<userId>',
    builders: ['idempotencyKey', 'personRefIndexKeys'],
    holders: [
      { whose: 'named', by: 'GSI2 REF#<userId>', fields: ['id', 'message'], erasure: 'deleted' },
    ],
    keep: { kind: 'ttl', seconds: IDEMPOTENCY_TTL_SECONDS, from: 'the request' },
    note: 'A direct message sent with an Idempotency-Key: its state and stored answer (the chat id, the message id). The key itself is stored only as a hash.',
  },
  {
    item: 'subscription',
    pk: 'SUB#<sub>',
    sk: 'SUB',
    index: 'GSI1 SUBS',
    builders: ['subscriptionKey', 'subscriptionIndexKeys', 'subscriptionPk'],
    holders: [],
    keep: { kind: 'until', until: 'deleted through the API' },
  },
  {
    item: 'delivery',
    pk: 'SUB#<sub>',
    sk: 'DELIVERY#<ev>',
    index: 'GSI1 DUE (while pending); GSI2 REF#<event owner>',
    builders: ['deliveryKey', 'dueDeliveryIndexKeys', 'personRefIndexKeys'],
    holders: [{ whose: 'named', by: 'GSI2 REF#<event owner>', fields: ['id'], erasure: 'deleted' }],
    keep: { kind: 'ttl', seconds: DELIVERY_KEEP_SECONDS, from: 'its creation' },
    note: "One event's delivery to one subscription: its state, schedule, and the key of the event (which names the event's person).",
  },
  {
    item: 'delivery attempt',
    pk: 'SUB#<sub>',
    sk: 'ATTEMPT#<ms>#<ev>#<n>',
    builders: ['attemptKey'],
    holders: [],
    keep: { kind: 'ttl', seconds: DELIVERY_KEEP_SECONDS, from: 'the attempt' },
    note: "The delivery log: event id (a hash), type, outcome, HTTP status. No person's field.",
  },
  {
    item: 'broadcast',
    pk: 'BROADCAST#<bc>',
    sk: 'BROADCAST',
    index: 'GSI1 BROADCASTS',
    builders: ['broadcastKey', 'broadcastIndexKeys', 'broadcastPk'],
    holders: [],
    keep: { kind: 'ttl', seconds: BROADCAST_KEEP_SECONDS, from: 'its creation' },
    note: "The operator's message, the audience as a tag, a chat id or a count (never user ids), the counts.",
  },
  {
    item: 'broadcast to send',
    pk: 'BROADCAST#<bc>',
    sk: 'PENDING',
    index: 'GSI1 BROADCASTING (until done)',
    builders: ['pendingBroadcastKey', 'pendingBroadcastIndexKeys'],
    holders: [],
    keep: { kind: 'ttl', seconds: BROADCAST_KEEP_SECONDS, from: "the broadcast's creation" },
  },
  {
    item: 'broadcast recipient',
    pk: 'BROADCAST#<bc>',
    sk: 'R#<userId>',
    index: 'GSI2 REF#<userId>',
    builders: ['recipientKey', 'personRefIndexKeys'],
    holders: [
      { whose: 'named', by: 'GSI2 REF#<userId>', fields: ['id', 'message'], erasure: 'deleted' },
    ],
    keep: { kind: 'ttl', seconds: BROADCAST_KEEP_SECONDS, from: "the broadcast's creation" },
    note: 'The sender also checks the erasure floor before each send: a recipient erased after the broadcast was created is never sent it, even after returning.',
  },
  {
    item: 'broadcast sender lease',
    pk: 'BROADCAST#SENDER',
    sk: 'LEASE',
    builders: ['broadcastSenderLeaseKey'],
    holders: [],
    keep: { kind: 'until', until: 'replaced by the next sender' },
  },
  {
    item: 'broadcast idempotency',
    pk: 'BROADCAST#IDEM#<keyId>#<sha256>',
    sk: 'IDEMPOTENCY',
    builders: ['broadcastIdempotencyKey'],
    holders: [],
    keep: { kind: 'ttl', seconds: IDEMPOTENCY_KEEP_SECONDS, from: 'the request' },
    note: 'The request hash and the broadcast id it created: no person.',
  },
];
