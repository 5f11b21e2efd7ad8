/**
 * The events feature's item kinds: outbox events (by owner), subscriptions, deliveries and
 * their attempt log.
 * Entries of the data map (item-kinds.ts).
 */

import { DELIVERY_KEEP_SECONDS } from '../events/store/deliveries.ts';
import { OUTBOX_KEEP_SECONDS } from '../events/store/outbox.ts';
import type { ItemKind } from './data-map.ts';
import { owner } from './holders.ts';

export const EVENT_ITEMS: readonly ItemKind[] = [
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
];
