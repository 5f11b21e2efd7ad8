/**
 * Webhook subscriptions through the lookup API (admin): create, list, read, change, delete,
 * send a test ping, read the delivery log. Each change is logged with the caller's key id and
 * the URL's origin only (its path and query may carry the receiver's token); never the secret.
 */
import type * as z from 'zod';
import { EVENT_TYPES, type EventType, PING_EVENT_TYPE } from '../../events/event-types.ts';
import { resumeDeliveries } from '../../events/store/deliveries.ts';
import { type DeliveryAttempt, listDeliveryAttempts } from '../../events/store/delivery-log.ts';
import { enqueuePing } from '../../events/store/outbox.ts';
import { listAllSubscriptions, listSubscriptions } from '../../events/store/subscription-lists.ts';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  type Subscription,
  type SubscriptionChanges,
  type SubscriptionWithSecret,
  updateSubscription,
} from '../../events/store/subscriptions.ts';
import { parseSubscriptionUrl, urlForLog } from '../../events/subscription-url.ts';
import { HttpError } from '../../http/http-error.ts';
import { logger } from '../../logger.ts';
import { callerOf, type LookupContext, type RequestContext } from '../context.ts';
import { type List, type ListQuery, readList } from '../paging.ts';
import {
  MAX_SUBSCRIPTIONS,
  type SubscriptionCreate,
  type SubscriptionPatch,
  type Subscription as SubscriptionSchema,
} from './subscription-schemas.ts';

/** The URL as it will be stored and called (normalized by the URL parser); 400 otherwise. */
function checkedUrl(ctx: LookupContext, raw: string): URL {
  const parsed = parseSubscriptionUrl(raw, { allowLoopback: ctx.eventsAllowLoopback === true });
  // The reason never repeats the URL (its query may hold the receiver's token).
  if (!parsed.ok) throw new HttpError(400, parsed.reason);
  return parsed.url;
}

const clockOf = (ctx: LookupContext) => ctx.now ?? Date.now;

const notFound = (id: string) => new HttpError(404, `no subscription with id ${id}`);

/**
 * The event types a subscription lists, as the API shows them. The store reads them as
 * strings; they were only ever written through SubscriptionCreate and SubscriptionPatch, which
 * admit these alone (and the answer's schema checks them again).
 */
type SubscribedEvents = z.input<typeof SubscriptionSchema>['events'];

/** A subscription as the API shows it: `failingSince` as an ISO time. */
export type ApiSubscription = Omit<Subscription, 'failingSince' | 'events'> & {
  events: SubscribedEvents;
  failingSince?: string;
};

function toApi<S extends Subscription>(subscription: S): Omit<S, 'failingSince'> & ApiSubscription {
  const { failingSince, ...rest } = subscription;
  return {
    ...rest,
    events: rest.events as SubscribedEvents,
    ...(failingSince !== undefined
      ? { failingSince: new Date(failingSince * 1000).toISOString() }
      : {}),
  };
}

async function existing(ctx: LookupContext, id: string): Promise<Subscription> {
  const subscription = await getSubscription(ctx.store, id);
  if (!subscription) throw notFound(id);
  return subscription;
}

/** What makes two subscriptions the same: one URL, one set of event types, one includePhone. */
type Delivery = Pick<Subscription, 'url' | 'events' | 'includePhone'>;

const sameDelivery = (a: Delivery, b: Delivery) =>
  a.url === b.url &&
  a.includePhone === b.includePhone &&
  a.events.length === b.events.length &&
  a.events.every((type) => b.events.includes(type));

/**
 * 409 when another subscription already sends the same events (as a set; `["*"]` is its own
 * set) to the same URL with the same includePhone: the receiver holds one secret per URL, so a
 * twin's deliveries would fail its signature check forever. A different event set or
 * includePhone for the same URL is allowed (a receiver may want phones on one stream only).
 */
function refuseTwin(all: readonly Subscription[], wanted: Delivery, self?: string): void {
  const twin = all.find((other) => other.id !== self && sameDelivery(other, wanted));
  if (!twin) return;
  throw new HttpError(
    409,
    `subscription ${twin.id} already sends these events to this URL (includePhone ${twin.includePhone}): use it, change it with PATCH, or delete it first`,
  );
}

/**
 * A new active subscription, with its secret (the only answer that carries it). 409 when the
 * same URL already receives the same events with the same includePhone (naming that
 * subscription), or when the deployment already has MAX_SUBSCRIPTIONS. Two creates racing
 * each other may both pass the checks (they read the index, which lags writes a little).
 */
export async function createSubscriptionFor(
  ctx: RequestContext,
  body: SubscriptionCreate,
): Promise<ApiSubscription & Pick<SubscriptionWithSecret, 'secret'>> {
  const url = checkedUrl(ctx, body.url);
  const all = await listAllSubscriptions(ctx.store);
  refuseTwin(all, { url: url.href, events: body.events, includePhone: body.includePhone });
  if (all.length >= MAX_SUBSCRIPTIONS) {
    throw new HttpError(
      409,
      `a deployment may have at most ${MAX_SUBSCRIPTIONS} subscriptions: delete one first`,
    );
  }
  const created = await createSubscription(ctx.store, { ...body, url: url.href }, clockOf(ctx));
  logger.info('subscription created', {
    action: 'subscription.create',
    keyId: callerOf(ctx).keyId,
    subscriptionId: created.id,
    origin: urlForLog(url),
  });
  return toApi(created);
}

export function listSubscriptionsFor(
  ctx: RequestContext,
  query: ListQuery,
): Promise<List<ApiSubscription>> {
  return readList(ctx, 'subscriptions', query, async (page) => {
    const found = await listSubscriptions(ctx.store, page);
    return { ...found, items: found.items.map(toApi) };
  });
}

export async function getSubscriptionById(
  ctx: LookupContext,
  id: string,
): Promise<ApiSubscription> {
  return toApi(await existing(ctx, id));
}

const pickDelivery = (changes: SubscriptionChanges): Partial<Delivery> => ({
  ...(changes.url !== undefined ? { url: changes.url } : {}),
  ...(changes.events !== undefined ? { events: changes.events } : {}),
  ...(changes.includePhone !== undefined ? { includePhone: changes.includePhone } : {}),
});

/**
 * Applies a merge patch; `status: "active"` re-enables. 409 when the change would make it the
 * twin of another subscription (same URL, events and includePhone). 404 for an unknown id.
 */
export async function patchSubscription(
  ctx: RequestContext,
  id: string,
  patch: SubscriptionPatch,
): Promise<ApiSubscription> {
  const { url, ...rest } = patch;
  const changes: SubscriptionChanges = {
    ...rest,
    ...(url !== undefined ? { url: checkedUrl(ctx, url).href } : {}),
  };
  if (
    changes.url !== undefined ||
    changes.events !== undefined ||
    changes.includePhone !== undefined
  ) {
    const all = await listAllSubscriptions(ctx.store);
    const current = all.find((subscription) => subscription.id === id);
    if (current) refuseTwin(all, { ...current, ...pickDelivery(changes) }, id);
  }
  const now = clockOf(ctx);
  const updated = await updateSubscription(ctx.store, id, changes, now);
  if (!updated) throw notFound(id);
  // Re-enabled: what waited while it was stopped is due again, with a new day of retries.
  if (changes.status === 'active') {
    await resumeDeliveries(ctx.store, id, Math.floor(now() / 1000));
  }
  logger.info('subscription changed', {
    action: 'subscription.update',
    keyId: callerOf(ctx).keyId,
    subscriptionId: id,
    changed: Object.keys(changes),
    status: updated.status,
  });
  return toApi(updated);
}

/** Deletes the subscription; its pending deliveries are dropped. 404 for an unknown id. */
export async function deleteSubscriptionById(ctx: RequestContext, id: string): Promise<void> {
  if (!(await deleteSubscription(ctx.store, id))) throw notFound(id);
  logger.info('subscription deleted', {
    action: 'subscription.delete',
    keyId: callerOf(ctx).keyId,
    subscriptionId: id,
  });
}

/** Queues a ping for this subscription alone; the dispatcher sends it like any event. */
export async function pingSubscription(
  ctx: RequestContext,
  id: string,
): Promise<{ eventId: string; type: typeof PING_EVENT_TYPE }> {
  await existing(ctx, id);
  const { eventId } = await enqueuePing(ctx.store, id, clockOf(ctx)());
  return { eventId, type: PING_EVENT_TYPE };
}

/** The subscription's attempts, newest first. 404 for an unknown id. */
export async function listSubscriptionDeliveries(
  ctx: RequestContext,
  id: string,
  query: ListQuery,
): Promise<List<DeliveryAttempt & { type: EventType }>> {
  await existing(ctx, id);
  const list = await readList(ctx, `deliveries:${id}`, query, (page) =>
    listDeliveryAttempts(ctx.store, id, page, clockOf(ctx)),
  );
  return { ...list, items: list.items.map((a) => ({ ...a, type: eventTypeOf(a.type) })) };
}

/** The dispatcher logs only event types (EventType); anything else is a broken record. */
function eventTypeOf(type: string): EventType {
  const known = EVENT_TYPES.find((t) => t === type);
  if (known === undefined) throw new Error('a delivery attempt of an unknown event type');
  return known;
}
