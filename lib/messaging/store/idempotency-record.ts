/**
 * The stored layout of an Idempotency-Key record (idempotency.ts acts on it): its states, how
 * long it is kept, its claim's lease, and how an item is read.
 *
 * Items written before the current layout (their remaining 24 h) read as: `sending` (direct
 * messages, no lease: `createdAt` + LEASE_MS) and `processing` (broadcasts) as `pending`;
 * `released` as free; a broadcast `done` without `answer` as the answer
 * `{ status: 202, body: { broadcastId, total } }`; a broadcast record's `createdAt` as its
 * `expiresAt` minus the TTL.
 */
import type { Item } from '../../store/item-ops.ts';
import { ERASED_STATE } from './idempotency-tombstone.ts';

/** How long a key is remembered (seconds), for every use. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** How long a claim may act before it is taken as crashed (longer than a lookup's timeout). */
export const LEASE_MS = 60_000;

export type IdempotencyState = 'pending' | 'done' | 'unknown' | 'released' | 'erased';

/** An answer as it is replayed: its status and JSON body (a problem's detail for errors). */
export interface StoredAnswer {
  status: number;
  body?: unknown;
  detail?: string;
  headers?: Record<string, string>;
}

/** The names a `pending` record has had. */
export const PENDING_NAMES = ['pending', 'sending', 'processing'];

/** A stored item as this module reads it (today's and the earlier layouts). */
export function readRecord(item: Item) {
  const raw = String(item.state);
  const state: IdempotencyState = PENDING_NAMES.includes(raw)
    ? 'pending'
    : raw === 'done' || raw === 'unknown' || raw === ERASED_STATE
      ? (raw as IdempotencyState)
      : 'released';
  const createdAt =
    typeof item.createdAt === 'number'
      ? item.createdAt
      : Number(item.expiresAt) - IDEMPOTENCY_TTL_SECONDS;
  const leaseUntil =
    typeof item.leaseUntil === 'number' ? item.leaseUntil : createdAt * 1000 + LEASE_MS;
  const answer: StoredAnswer | undefined =
    (item.answer as StoredAnswer | undefined) ??
    (item.broadcastId !== undefined
      ? { status: 202, body: { broadcastId: String(item.broadcastId), total: Number(item.total) } }
      : undefined);
  return { state, createdAt, leaseUntil, answer, token: item.token };
}
