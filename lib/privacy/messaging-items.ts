/**
 * The messaging feature's item kinds: direct-message idempotency records and broadcasts (the
 * broadcast, its queue entry, recipients, the sender lease, creation idempotency).
 * Entries of the data map (item-kinds.ts).
 */

import { BROADCAST_KEEP_SECONDS } from '../messaging/store/broadcasts.ts';
import { IDEMPOTENCY_TTL_SECONDS } from '../messaging/store/idempotency.ts';
import type { ItemKind } from './data-map.ts';

export const MESSAGING_ITEMS: readonly ItemKind[] = [
  {
    item: 'idempotent request',
    pk: 'IDEMPOTENCY#<keyId>#<sha256>',
    sk: 'IDEMPOTENCY',
    index: 'GSI2 REF#<userId>',
    builders: ['idempotencyKey', 'personRefIndexKeys'],
    holders: [
      {
        whose: 'named',
        by: 'GSI2 REF#<userId>',
        fields: ['id', 'message'],
        erasure: 'tombstone',
      },
    ],
    keep: { kind: 'ttl', seconds: IDEMPOTENCY_TTL_SECONDS, from: 'the request' },
    note: 'A direct message sent with an Idempotency-Key: its state and stored answer (the chat id, the message id). The key itself is stored only as a hash. The recipient’s erasure keeps it until its TTL as a tombstone naming no one (state `erased`, its hashed key and dates: no answer, no request hash, no reference), so that a repeat of the key never sends again (404), also after they come back; a released key keeps no reference either.',
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
    keep: { kind: 'ttl', seconds: IDEMPOTENCY_TTL_SECONDS, from: 'the request' },
    note: 'The request hash and the broadcast id it created: no person.',
  },
];
