/**
 * The real webhook, lookup API and dispatcher over one fresh table, posting to a loopback
 * receiver (test/helpers/event-receiver.ts), for the privacy tests of subscriber events: one
 * subscription taking every event (phone numbers included), a clock the test moves.
 */

import { expect } from 'vitest';
import type { WebhookHandler } from '../../functions/webhook.ts';
import { createDispatcher, type Dispatcher } from '../../lib/events/dispatcher.ts';
import { sendWebhook } from '../../lib/events/send-webhook.ts';
import { enqueueEvent, eventIdOf, outboxEventKey } from '../../lib/events/store/outbox.ts';
import { createSubscription, type Subscription } from '../../lib/events/store/subscriptions.ts';
import type { StoreContext } from '../../lib/store/client.ts';
import { type EventReceiver, type VerifiedEvent, verifyEvent } from './event-receiver.ts';
import type { TestLookup } from './lookup.ts';
import { eraseContact } from './lookup.ts';
import { gatedClient } from './recorder-rig.ts';
import type { Stack } from './stack-fixture.ts';

export interface EventRig {
  store: StoreContext;
  webhook: WebhookHandler;
  lookup: TestLookup;
  dispatcher: Dispatcher;
  subscriptionId: string;
  /** Epoch ms of the dispatcher and the lookup. */
  clock: { ms: number };
  /** Sweeps until nothing is waiting or due. */
  drain(): Promise<void>;
  /** What the receiver got, verified. */
  received(): VerifiedEvent[];
  /** Erases `userId` through `DELETE /v1/contacts/{id}`. */
  erase(userId: number): Promise<void>;
}

export async function eventRig(stack: Stack, receiver: EventReceiver): Promise<EventRig> {
  const clock = { ms: Date.now() };
  const env = { EVENTS_ALLOW_LOOPBACK: 'true' };
  const { store, webhook, lookup } = await stack.handlers({
    env,
    lookup: { now: () => clock.ms },
  });
  const created = await lookup.call({
    method: 'POST',
    path: '/v1/subscriptions',
    key: lookup.adminKey,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url, events: ['*'], includePhone: true }),
  });
  expect(created.status).toBe(201);
  const dispatcher = createDispatcher({
    store,
    post: (request) => sendWebhook({ ...request, allowLoopback: true, timeoutMs: 10_000 }),
    now: () => clock.ms,
    random: () => 0.5,
  });
  const secret = String(created.body.secret);
  return {
    store,
    webhook,
    lookup,
    dispatcher,
    subscriptionId: String(created.body.id),
    clock,
    async drain() {
      for (let i = 0; i < 20; i++) {
        const { events, deliveries } = await dispatcher.sweep();
        if (events === 0 && deliveries === 0) return;
      }
    },
    received: () =>
      receiver.requests.map((request) => verifyEvent(secret, request, { asSigned: true })),
    async erase(userId) {
      await eraseContact(lookup, userId);
    },
  };
}

/** A private message from `from` sharing a contact card (`user_id` only when given). */
export function contactCard(
  from: { id: number; first_name: string },
  card: { phone_number: string; first_name: string; last_name?: string; user_id?: number },
  date: number,
  updateId: number,
) {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      from: { is_bot: false, ...from },
      chat: { id: from.id, first_name: from.first_name, type: 'private' },
      date,
      contact: card,
    },
  };
}

/**
 * One table read through a "gated" client (`gatedClient`, test/helpers/recorder-rig.ts), a
 * subscription taking every event to `receiverUrl` and one enqueued `chat.created` event
 * (id `eventIdOf(tag, sub.id)`, dated `at`), with a dispatcher on the gated client at `now()`
 * (epoch ms; `before(sub, store)` runs between the subscription and the event).
 */
export async function gatedDispatch(
  stack: Stack,
  receiverUrl: string,
  options: {
    tag: string;
    at: number;
    now: () => number;
    before?: (sub: Subscription, store: StoreContext) => Promise<void>;
  },
) {
  const store = await stack.freshTable();
  const gated = gatedClient(store.endpoint);
  const ctx: StoreContext = { ...store, client: gated.client };
  const sub = await createSubscription(store, {
    url: receiverUrl,
    events: ['*'],
    description: '',
    includePhone: false,
  });
  await options.before?.(sub, store);
  const event = {
    eventId: eventIdOf(options.tag, sub.id),
    type: 'chat.created' as const,
    at: options.at,
    chatId: -1001,
    data: { chat: { id: -1001 } },
  };
  await enqueueEvent(store, event);
  const dispatcher = createDispatcher({
    store: ctx,
    post: (request) => sendWebhook({ ...request, allowLoopback: true, timeoutMs: 2000 }),
    now: options.now,
    random: () => 0.5,
  });
  return { store, gated, sub, event, key: outboxEventKey(event), dispatcher };
}
