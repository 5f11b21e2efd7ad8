/**
 * Delivers outbox events (lib/events/store/outbox.ts) to subscriptions, signed (Standard Webhooks),
 * at least once, with retries for a day (retry-schedule.ts). The same code runs on AWS (the
 * table's stream and a schedule call functions/dispatcher.ts) and in the local stack (a loop
 * over the outbox, the stand-in for the stream).
 *
 * 1. Fan-out (fan-out.ts): an event gets one delivery per matching subscription, then leaves
 *    the pending list.
 * 2. Attempt (delivery-attempt.ts): a due delivery is claimed, checked against erasures,
 *    signed, posted, logged and finished.
 * 3. Health (delivery-attempt.ts): a 410 disables the subscription; failures for a day make
 *    it `failing`. Either way its deliveries are parked until it is re-enabled (a parking that
 *    raced the re-enable is undone by the parker: dispatch-run.ts `settleParked`).
 */

import { forEachConcurrently } from '../concurrency.ts';
import { floorReader } from '../directory/erasure/erased-actors.ts';
import type { BroadcastRunner } from '../messaging/broadcast-runner.ts';
import type { StoreContext } from '../store/client.ts';
import type { Key } from '../store/keys.ts';
import { attempt } from './delivery-attempt.ts';
import { type DispatchRun, type Post, seconds } from './dispatch-run.ts';
import { type Fresh, fanOut } from './fan-out.ts';
import { listDueDeliveries, listPendingEvents } from './store/dispatch-queue.ts';

export interface DispatcherDeps {
  store: StoreContext;
  /** Posts one signed delivery (send-webhook.ts in production). */
  post: Post;
  /** Epoch milliseconds. */
  now?: () => number;
  random?: () => number;
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Attempts in flight at once. */
  concurrency?: number;
  /** Sends broadcasts after each sweep (broadcast-runner.ts); absent: none are sent. */
  broadcasts?: BroadcastRunner;
}

export function createDispatcher(deps: DispatcherDeps) {
  const ctx = deps.store;
  const now = () => (deps.now ?? Date.now)();
  const concurrency = deps.concurrency ?? 8;
  const run: DispatchRun = {
    ctx,
    post: deps.post,
    now,
    random: deps.random ?? Math.random,
    log: deps.log ?? (() => {}),
    concurrency,
  };

  /**
   * Fans out these new events and attempts their deliveries at once; returns how many were
   * attempted and how many of those wait for a retry. `until` (epoch ms, wall clock): no
   * attempt starts after it (a Lambda invocation's end); those left stay due for the sweep.
   */
  async function dispatchEvents(keys: Key[], until?: number) {
    const deliveries: Fresh[] = [];
    await forEachConcurrently(keys, { concurrency }, async (key) => {
      deliveries.push(...(await fanOut(run, key)));
    });
    let retrying = 0;
    let attempted = 0;
    const actors = floorReader(ctx, seconds(now()));
    await forEachConcurrently(deliveries, { concurrency }, async (d) => {
      if (until !== undefined && Date.now() >= until) return;
      attempted++;
      if ((await attempt(run, d.subscriptionId, d.eventId, d, actors)) === 'pending') retrying++;
    });
    return { attempted, retrying };
  }

  /**
   * One pass over what is waiting: events not yet fanned out (the stream missed them, or
   * there is no stream), then deliveries due now, then broadcasts for `broadcastMs` (the
   * sender's default slice when absent, none when 0), and never past `until`. Returns how
   * many of each it found.
   */
  async function sweep(limit = 100, until?: number, options: { broadcastMs?: number } = {}) {
    const events = await listPendingEvents(ctx, limit);
    const fresh = await dispatchEvents(events, until);
    const due = await listDueDeliveries(ctx, seconds(now()), limit);
    let attempted = 0;
    const actors = floorReader(ctx, seconds(now()));
    await forEachConcurrently(due, { concurrency }, async (d) => {
      if (until !== undefined && Date.now() >= until) return;
      attempted++;
      await attempt(run, d.subscriptionId, d.eventId, undefined, actors);
    });
    const left = until === undefined ? undefined : Math.max(0, until - Date.now());
    const budgets = [options.broadcastMs, left].filter((ms) => ms !== undefined);
    const broadcasts = await deps.broadcasts?.run(
      budgets.length > 0 ? Math.min(...budgets) : undefined,
    );
    return {
      events: events.length,
      deliveries: fresh.attempted + attempted,
      ...(broadcasts ? { broadcasts } : {}),
    };
  }

  return {
    fanOut: (key: Key) => fanOut(run, key),
    attempt: (...args: AttemptArgs) => attempt(run, ...args),
    dispatchEvents,
    sweep,
  };
}

type AttemptArgs = Parameters<typeof attempt> extends [DispatchRun, ...infer Rest] ? Rest : never;

export type Dispatcher = ReturnType<typeof createDispatcher>;
