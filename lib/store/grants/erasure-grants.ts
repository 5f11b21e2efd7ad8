/**
 * What an erasure (lib/directory/erasure/erasure.ts `eraseUser`) does to the table, in whichever function
 * runs it: the webhook (/forget) and the lookup (DELETE /v1/contacts/{id}).
 */
import type { FunctionGrants } from './grants.ts';
import {
  BROADCAST,
  IDEMPOTENCY,
  OUTBOX,
  PERSON_REFS,
  PHONE_FLOOR,
  SHARED_OF,
  SHARED_PHONE,
  SUB,
  USER,
} from './key-kinds.ts';

export const ERASURE_GRANTS: FunctionGrants = {
  table: {
    // Her own items (consistent Query); settle.ts reads an item again after a conflict.
    Query: [USER],
    GetItem: [USER],
    // Tombstones of her gate months and of her verified phone (phone-floor.ts); contact.erased,
    // an event in a partition of its own.
    PutItem: [USER, OUTBOX, PHONE_FLOOR],
    // settle.ts keeps what a newer update wrote; person-refs.ts nulls her as the actor of
    // others' events and membership events (under their USER#) and makes the idempotency
    // records of direct messages to her tombstones naming no one (IDEMPOTENCY#).
    UpdateItem: [USER, IDEMPOTENCY],
    // settle.ts removes her items and others' entries of her; person-refs.ts deletes the
    // copies that name her elsewhere: others' outbox events (USER#), deliveries (SUB#),
    // broadcast recipients and broadcast idempotency records (BROADCAST#).
    DeleteItem: [USER, SUB, BROADCAST],
  },
  // Entries others saved of her, by her id and by her verified phone alone.
  gsi1: [SHARED_OF, SHARED_PHONE],
  // The references to her (REF#, REFPHONE#, ACTOR#): person-refs.ts `endReferences`.
  gsi2: PERSON_REFS,
};
