/**
 * A subscription's delivery log, as `GET /v1/subscriptions/{id}/deliveries` reads it: one item
 * per attempt, `SUB#<sub>` / `ATTEMPT#<atMs13>#<eventId>#<attempt3>` (keys.ts), written by the
 * dispatcher (`logAttempt`) with eventId, type, attempt (1-based), outcome, httpStatus
 * (number or null), error?, at (ISO), nextAttemptAt (ISO or null) and expiresAt (epoch s),
 * kept as long as the deliveries.
 * The sort key starts with the attempt's time in milliseconds, so a Query backwards is newest
 * first.
 */
import type { StoreContext } from '../../store/client.ts';
import { putIf } from '../../store/item-ops.ts';
import { type ListPage, type PageRequest, readListPage } from '../../store/query.ts';
import { ATTEMPT_PREFIX, attemptKey, subscriptionPk } from '../../store/service-keys.ts';
import { type AttemptOutcome, DELIVERY_KEEP_SECONDS } from './deliveries.ts';

export const DELIVERY_OUTCOMES = ['delivered', 'failed', 'dropped'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export interface DeliveryAttempt {
  eventId: string;
  type: string;
  /** 1 for the first attempt of an event. */
  attempt: number;
  outcome: DeliveryOutcome;
  /** The receiver's answer; null when none came (timeout, connection, address refused). */
  httpStatus: number | null;
  /** Why an attempt without an answer failed: `timeout`, `connection`, ... */
  error?: string;
  at: string;
  /** When the next attempt is due; null when there is none (delivered, dropped, given up). */
  nextAttemptAt: string | null;
}

type Item = Record<string, unknown>;

function toAttempt(item: Item): DeliveryAttempt {
  const outcome = DELIVERY_OUTCOMES.find((o) => o === item.outcome) ?? 'failed';
  return {
    eventId: String(item.eventId),
    type: String(item.type),
    attempt: typeof item.attempt === 'number' ? item.attempt : 1,
    outcome,
    httpStatus: typeof item.httpStatus === 'number' ? item.httpStatus : null,
    ...(typeof item.error === 'string' ? { error: item.error } : {}),
    at: String(item.at),
    nextAttemptAt: typeof item.nextAttemptAt === 'string' ? item.nextAttemptAt : null,
  };
}

/**
 * One page of the attempts of subscription `id`, newest first. Attempts past their
 * `expiresAt` that TTL has not deleted yet are left out, so a page may hold fewer than
 * `limit`. `now` is a milliseconds clock.
 */
export function listDeliveryAttempts(
  ctx: StoreContext,
  id: string,
  page: PageRequest,
  now: () => number = Date.now,
): Promise<ListPage<DeliveryAttempt>> {
  return readListPage(
    ctx,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :attempt)',
      ExpressionAttributeValues: { ':pk': subscriptionPk(id), ':attempt': ATTEMPT_PREFIX },
      ScanIndexForward: false,
    },
    page,
    'delivery log read',
    (items) => {
      const nowSeconds = now() / 1000;
      return items
        .filter((item) => typeof item.expiresAt !== 'number' || item.expiresAt > nowSeconds)
        .map(toAttempt);
    },
  );
}

/** One line of a subscription's delivery log, as the dispatcher writes it. */
export interface AttemptRecord {
  eventId: string;
  type: string;
  attempt: number;
  outcome: AttemptOutcome;
  httpStatus: number | null;
  error?: string;
  /** Epoch milliseconds. */
  atMs: number;
  /** Epoch seconds of the next attempt, or null when there is none. */
  nextAttemptAt: number | null;
}

export async function logAttempt(
  ctx: StoreContext,
  subscriptionId: string,
  record: AttemptRecord,
): Promise<void> {
  const item = {
    ...attemptKey(subscriptionId, record.atMs, record.eventId, record.attempt),
    eventId: record.eventId,
    type: record.type,
    attempt: record.attempt,
    outcome: record.outcome,
    httpStatus: record.httpStatus,
    ...(record.error ? { error: record.error } : {}),
    at: new Date(record.atMs).toISOString(),
    nextAttemptAt:
      record.nextAttemptAt === null ? null : new Date(record.nextAttemptAt * 1000).toISOString(),
    expiresAt: Math.floor(record.atMs / 1000) + DELIVERY_KEEP_SECONDS,
  };
  await putIf(ctx, { Item: item }, 'delivery log');
}
