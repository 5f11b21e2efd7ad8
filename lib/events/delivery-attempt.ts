/**
 * Step 2 of the dispatcher (dispatcher.ts): a due delivery is claimed (a lease), its event read
 * again (an erasure since of a person it names drops it, except `contact.erased`; an actor
 * erased since goes out as null: erasure-checks.ts), the body built, signed and posted; the
 * outcome is logged and the delivery finished: delivered, due again later, or at its end (it
 * then forgets the event's key). A delivery of a stopped subscription is parked instead, and
 * dropped at once when its event is gone or erased.
 *
 * Step 3, health: a 410 disables the subscription; failures for a day make it `failing`.
 * Either way its deliveries are parked until it is re-enabled.
 */
import { type FloorReader, floorReader } from '../directory/erasure/erased-actors.ts';
import { type DispatchRun, erasedSince, readEvent, seconds, settleParked } from './dispatch-run.ts';
import { envelope } from './envelope.ts';
import { endDroppedEvent, type OutboxItem, withoutErasedActor } from './erasure-checks.ts';
import { nextAttemptAt, RETRY_WINDOW_SECONDS } from './retry-schedule.ts';
import { signedHeaders } from './sign.ts';
import {
  type AttemptOutcome,
  claimDelivery,
  type Delivery,
  eventKeyOf,
  type Finish,
  finishDelivery,
  parkDelivery,
} from './store/deliveries.ts';
import { logAttempt } from './store/delivery-log.ts';
import {
  noteSubscriptionFailure,
  noteSubscriptionSuccess,
  stopSubscription,
} from './store/subscription-health.ts';
import { getSubscriptionWithSecret, type SubscriptionWithSecret } from './store/subscriptions.ts';

/**
 * Finishes an attempt under its lease and logs it, dated `atMs` (when it was made: the log
 * stays in attempt order when the finishing writes are slow).
 */
async function record(
  run: DispatchRun,
  claimed: Delivery,
  outcome: AttemptOutcome,
  finish: Finish,
  result: { httpStatus?: number; error?: string } = {},
  atMs = run.now(),
) {
  const { ctx } = run;
  const finished = await finishDelivery(ctx, claimed, finish);
  if (!finished) return;
  await logAttempt(ctx, claimed.subscriptionId, {
    eventId: claimed.eventId,
    type: claimed.type,
    attempt: claimed.attempts,
    outcome,
    httpStatus: result.httpStatus ?? null,
    ...(result.error ? { error: result.error } : {}),
    atMs,
    nextAttemptAt: finish.status === 'pending' ? finish.nextAttemptAt : null,
  });
  const { log } = run;
  log('delivery', {
    subscriptionId: claimed.subscriptionId,
    eventId: claimed.eventId,
    type: claimed.type,
    attempt: claimed.attempts,
    outcome,
    httpStatus: result.httpStatus,
    error: result.error,
  });
}

/**
 * Attempts one delivery; resolves to its status afterwards (undefined: not ours). `known`:
 * the subscription and the event as the fan-out just read them.
 */
export async function attempt(
  run: DispatchRun,
  subscriptionId: string,
  eventId: string,
  known?: { sub: SubscriptionWithSecret; event: OutboxItem },
  actors: FloorReader = floorReader(run.ctx, seconds(run.now())),
): Promise<Finish['status'] | undefined> {
  const { ctx, now } = run;
  const sub = known ? known.sub : await getSubscriptionWithSecret(ctx, subscriptionId);
  if (sub && sub.status !== 'active') {
    const parked = await parkDelivery(ctx, subscriptionId, eventId);
    if (parked) {
      if (await settleParked(run, subscriptionId, eventId, eventKeyOf(parked))) return 'dropped';
    }
    return 'parked';
  }
  const at = seconds(now());
  const claimed = await claimDelivery(ctx, subscriptionId, eventId, at);
  if (!claimed) return undefined;
  const eventKey = eventKeyOf(claimed);
  const stored = known ? known.event : eventKey ? await readEvent(run, eventKey) : undefined;
  // The erasure check follows the claim even when the fan-out just made it: an erasure may
  // have finished since (the fan-out's other deliveries, up to `concurrency` sends, came
  // first), and the erased user's data must not be sent after it.
  const erased = stored !== undefined && (await erasedSince(run, stored));
  if (!sub || !stored || erased) {
    const error = !sub ? 'subscription deleted' : 'event erased';
    await record(run, claimed, 'dropped', { status: 'dropped' }, { error });
    if (erased && eventKey) await endDroppedEvent(ctx, eventKey, stored);
    return 'dropped';
  }
  const event = await withoutErasedActor(ctx, actors, eventKey, stored);
  const body = envelope(event, sub.includePhone);
  const headers = {
    ...signedHeaders(sub.secret, { id: event.eventId, timestamp: new Date(now()), body }),
    'content-type': 'application/json',
    'user-agent': 'telegram-contacts-webhooks',
  };
  const result = await run.post({ url: sub.url, headers, body });
  const doneMs = now();
  const done = seconds(doneMs);
  if (result.ok) {
    await record(run, claimed, 'delivered', { status: 'delivered' }, result, doneMs);
    if (sub.failingSince !== undefined) await noteSubscriptionSuccess(ctx, subscriptionId);
    return 'delivered';
  }
  if (result.gone) {
    await record(run, claimed, 'failed', { status: 'failed' }, result, doneMs);
    await stopSubscription(ctx, subscriptionId, 'disabled', 'the receiver answered 410 Gone', done);
    return 'failed';
  }
  const first = claimed.firstAttemptAt ?? at;
  const next = nextAttemptAt(claimed.attempts, first, done, run.random());
  await record(
    run,
    claimed,
    'failed',
    next === undefined ? { status: 'failed' } : { status: 'pending', nextAttemptAt: next },
    result,
    doneMs,
  );
  const since = await noteSubscriptionFailure(ctx, subscriptionId, done);
  if (since !== undefined && done - since >= RETRY_WINDOW_SECONDS) {
    await stopSubscription(ctx, subscriptionId, 'failing', 'every delivery failed for 24 h', done);
  }
  return next === undefined ? 'failed' : 'pending';
}
