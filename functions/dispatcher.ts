/**
 * Delivers subscriber events (lib/events/dispatcher.ts). Two triggers (serverless.yml):
 * - the table's stream, filtered to new outbox items: fans them out and attempts them at
 *   once; when one failed, it waits for the first retry (10 s) in the same invocation, so a
 *   receiver's brief restart costs seconds, not the schedule's minute;
 * - a schedule, every minute: a sweep of what waits (due retries, and events a stream
 *   invocation missed: a failed batch also goes to the dead-letter queue, but the sweep
 *   finds the events themselves in the outbox), then broadcasts until 10 s before its end.
 * Records whose fan-out failed are reported back (ReportBatchItemFailures) to be retried.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { loadConfig } from '../lib/config.ts';
import { createDispatcher, type Dispatcher } from '../lib/events/dispatcher.ts';
import { RETRY_DELAYS_SECONDS } from '../lib/events/retry-schedule.ts';
import { sendWebhook } from '../lib/events/send-webhook.ts';
import { describeError, memoizeDeps } from '../lib/http/lazy-deps.ts';
import { beginInvocation, logger } from '../lib/logger.ts';
import { createBroadcastRunner } from '../lib/messaging/broadcast-runner.ts';
import { loadSecrets } from '../lib/secrets.ts';
import { storeFromConfig } from '../lib/store/client.ts';
import type { Key } from '../lib/store/keys.ts';

type ScheduledEvent = { source?: string; 'detail-type'?: string };
export type DispatcherEvent = DynamoDBStreamEvent | ScheduledEvent;

/**
 * The most a scheduled sweep sends broadcasts for; deployed, what is left of the invocation
 * before its last END_MARGIN_MS (the sends in flight finish in it) bounds it too. The next
 * minute's sweep carries on.
 */
export const SCHEDULED_BROADCAST_MS = 50_000;

/** The first retry's delay and its jitter: waited for within a stream invocation. */
const FIRST_RETRY_WAIT_MS = Math.ceil(RETRY_DELAYS_SECONDS[0] * 1.2 * 1000) + 500;
/** A send's 5 s timeout and the writes that record it. */
const END_MARGIN_MS = 10_000;

function keyOf(record: DynamoDBStreamEvent['Records'][number]): Key | undefined {
  const keys = record.dynamodb?.Keys;
  const pk = keys?.pk?.S;
  const sk = keys?.sk?.S;
  return pk && sk ? { pk, sk } : undefined;
}

export function createHandler(
  deps: Dispatcher | (() => Promise<Dispatcher>),
  options: { wait?: (ms: number) => Promise<void> } = {},
) {
  const getDeps = memoizeDeps(deps);
  const wait = options.wait ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  return async (
    event: DispatcherEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>,
  ): Promise<DynamoDBBatchResponse | undefined> => {
    beginInvocation(context);
    const dispatcher = await getDeps();
    // No attempt starts later than a send's timeout and its records before the end.
    const until = context
      ? Date.now() + context.getRemainingTimeInMillis() - END_MARGIN_MS
      : undefined;
    if (!('Records' in event)) {
      const swept = await dispatcher.sweep(100, until, { broadcastMs: SCHEDULED_BROADCAST_MS });
      logger.info('sweep', swept);
      return undefined;
    }
    const failures: { itemIdentifier: string }[] = [];
    let retrying = 0;
    // The records in parallel (each is one event); a record whose fan-out failed is retried.
    await Promise.all(
      event.Records.map(async (record) => {
        const key = keyOf(record);
        if (!key) return;
        try {
          retrying += (await dispatcher.dispatchEvents([key], until)).retrying;
        } catch (err: unknown) {
          logger.error('fan-out failed', describeError(err));
          failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
        }
      }),
    );
    if (retrying > 0 && (until === undefined || Date.now() + FIRST_RETRY_WAIT_MS < until)) {
      await wait(FIRST_RETRY_WAIT_MS);
      await dispatcher.sweep(100, until, { broadcastMs: 0 });
    }
    return { batchItemFailures: failures };
  };
}

export const handler = createHandler(async () => {
  const config = loadConfig();
  const store = storeFromConfig(config);
  const log = (message: string, fields: Record<string, unknown>) => logger.info(message, fields);
  return createDispatcher({
    store,
    post: (request) => sendWebhook({ ...request, allowLoopback: config.EVENTS_ALLOW_LOOPBACK }),
    log,
    // The Bot API client and the bot token (SSM) are loaded only when a broadcast waits.
    broadcasts: createBroadcastRunner(store, async () => {
      const { broadcastSenderFromConfig } = await import('../lib/messaging/broadcast-deps.ts');
      return broadcastSenderFromConfig(config, await loadSecrets(config), store, { log });
    }),
  });
});
