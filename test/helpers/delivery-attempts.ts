/**
 * Attempt log items written the way the dispatcher writes them (the attributes of
 * lib/events/store/delivery-log.ts), for tests of what the delivery log route reads.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from '../../lib/store/client.ts';
import { attemptKey } from '../../lib/store/service-keys.ts';

export interface AttemptItem {
  eventId: string;
  type: string;
  attempt: number;
  outcome: 'delivered' | 'failed' | 'dropped';
  httpStatus: number | null;
  error?: string;
  /** When the attempt was made, epoch milliseconds. */
  atMs: number;
  /** When the next attempt is due, epoch milliseconds; null for none. */
  nextAttemptAtMs: number | null;
  /** Epoch seconds; 30 days after the attempt when omitted. */
  expiresAt?: number;
}

export async function putAttempt(
  store: StoreContext,
  subscriptionId: string,
  attempt: AttemptItem,
): Promise<void> {
  await store.client.send(
    new PutCommand({
      TableName: store.tableName,
      Item: {
        ...attemptKey(subscriptionId, attempt.atMs, attempt.eventId, attempt.attempt),
        eventId: attempt.eventId,
        type: attempt.type,
        attempt: attempt.attempt,
        outcome: attempt.outcome,
        httpStatus: attempt.httpStatus,
        ...(attempt.error !== undefined ? { error: attempt.error } : {}),
        at: new Date(attempt.atMs).toISOString(),
        nextAttemptAt:
          attempt.nextAttemptAtMs === null ? null : new Date(attempt.nextAttemptAtMs).toISOString(),
        expiresAt: attempt.expiresAt ?? Math.floor(attempt.atMs / 1000) + 30 * 86_400,
      },
    }),
  );
}
