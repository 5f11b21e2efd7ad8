/**
 * Subscriber events end to end: updates through the real webhook handler, subscriptions
 * through the real lookup API, the dispatcher's real code posting signed requests to a
 * receiver on 127.0.0.1, verified with the `standardwebhooks` package as a receiver would.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../functions/webhook.ts';
import { createDispatcher, type Dispatcher } from '../../../lib/events/dispatcher.ts';
import { sendWebhook } from '../../../lib/events/send-webhook.ts';
import type { StoreContext } from '../../../lib/store/client.ts';
import { DISPATCHER_GRANTS } from '../../../lib/store/grants/dispatcher-grants.ts';
import {
  type EventReceiver,
  startEventReceiver,
  type VerifiedEvent,
  verifyEvent,
} from '../../helpers/event-receiver.ts';
import { grantedClient } from '../../helpers/granted-client.ts';
import {
  ALICE,
  DAY0,
  eraseContact,
  GROUP,
  groupMessage,
  post,
  type TestLookup,
} from '../../helpers/lookup.ts';
import { BOT, chatMemberUpdate, myChatMemberUpdate } from '../../helpers/member-updates.ts';
import { useStack } from '../../helpers/stack-fixture.ts';

const stack = useStack();
const CHAT = { id: GROUP, type: 'supergroup' as const, title: 'Group' };
const alice = { id: ALICE, first_name: 'Alice', username: 'alice' };
const bob = { id: 1002, first_name: 'Bob' };

let receiver: EventReceiver;
let clock: number;

beforeAll(async () => {
  receiver = await startEventReceiver();
});
afterAll(async () => {
  await receiver.close();
});

interface Rig {
  store: StoreContext;
  webhook: WebhookHandler;
  lookup: TestLookup;
  dispatcher: Dispatcher;
  secret: string;
  subscriptionId: string;
}

async function rig(subscription: Record<string, unknown> = {}): Promise<Rig> {
  const env = { EVENTS_ALLOW_LOOPBACK: 'true' };
  // The lookup on the dispatcher's clock: a re-enabled subscription's deliveries are due at
  // the lookup's now, which the dispatcher must not see as later than its own.
  const { store, webhook, lookup } = await stack.handlers({ env, lookup: { now: () => clock } });
  const created = await lookup.call({
    method: 'POST',
    path: '/v1/subscriptions',
    key: lookup.adminKey,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url, events: ['*'], ...subscription }),
  });
  expect(created.status).toBe(201);
  const dispatcher = createDispatcher({
    // Held to the dispatcher role's grants, as deployed.
    store: { ...store, client: grantedClient(store.client, DISPATCHER_GRANTS) },
    post: (request) => sendWebhook({ ...request, allowLoopback: true, timeoutMs: 10_000 }),
    now: () => clock,
    random: () => 0.5,
  });
  return {
    store,
    webhook,
    lookup,
    dispatcher,
    secret: created.body.secret,
    subscriptionId: created.body.id,
  };
}

/** Sweeps until nothing is waiting or due. */
async function drain(dispatcher: Dispatcher) {
  for (let i = 0; i < 20; i++) {
    const { events, deliveries } = await dispatcher.sweep();
    if (events === 0 && deliveries === 0) return;
  }
}

const received = (secret: string): VerifiedEvent[] =>
  receiver.requests.map((request) => verifyEvent(secret, request));

beforeEach(() => {
  receiver.requests.length = 0;
  receiver.answer = () => 200;
  clock = Date.now();
});

describe('subscriber events', () => {
  it('tells a new contact, a join, a rename and an erasure once each, signed', async () => {
    const r = await rig();
    await post(r.webhook, groupMessage(alice, { date: DAY0 }));
    await post(
      r.webhook,
      chatMemberUpdate({
        chat: CHAT,
        actor: bob,
        member: bob,
        from: 'left',
        to: 'member',
        date: DAY0 + 60,
      }),
    );
    await post(r.webhook, groupMessage({ ...alice, first_name: 'Alicia' }, { date: DAY0 + 120 }));
    await drain(r.dispatcher);
    await eraseContact(r.lookup, ALICE);
    await drain(r.dispatcher);

    const events = received(r.secret);
    const types = events.map((e) => e.type).sort();
    expect(types).toEqual(
      [
        'contact.created',
        'contact.created',
        'member.joined',
        'contact.updated',
        'contact.erased',
      ].sort(),
    );
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const joined = events.find((e) => e.type === 'member.joined');
    expect(joined?.data).toMatchObject({ chatId: GROUP, userId: bob.id, kind: 'join' });
    const updated = events.find((e) => e.type === 'contact.updated');
    expect(updated?.data).toMatchObject({ contact: { id: ALICE, firstName: 'Alicia' } });
    expect(events.find((e) => e.type === 'contact.erased')?.data).toEqual({ userId: ALICE });

    // Redelivering every update changes nothing.
    await post(r.webhook, groupMessage(alice, { date: DAY0 }));
    await drain(r.dispatcher);
    expect(receiver.requests).toHaveLength(events.length);
  });

  it('retries a failing receiver with the same webhook-id, and logs every attempt', async () => {
    const r = await rig();
    receiver.answer = (index) => (index < 2 ? 503 : 200);
    await post(r.webhook, groupMessage(alice, { date: DAY0 }));
    await drain(r.dispatcher);
    expect(receiver.requests).toHaveLength(1);
    clock += 15_000; // the first retry, 10 s (±20%) later
    await drain(r.dispatcher);
    expect(receiver.requests).toHaveLength(2);
    clock += 75_000; // the second, a minute later
    await drain(r.dispatcher);
    expect(receiver.requests.map((q) => q.status)).toEqual([503, 503, 200]);
    const ids = new Set(received(r.secret).map((e) => e.id));
    expect(ids.size).toBe(1);

    const log = await r.lookup.call({
      path: `/v1/subscriptions/${r.subscriptionId}/deliveries`,
      key: r.lookup.adminKey,
    });
    expect(log.status).toBe(200);
    expect(
      log.body.items.map((d: Record<string, unknown>) => [d.attempt, d.outcome, d.httpStatus]),
    ).toEqual([
      [3, 'delivered', 200],
      [2, 'failed', 503],
      [1, 'failed', 503],
    ]);
    expect(log.body.items[1].nextAttemptAt).not.toBeNull();
    expect(log.body.items[0].nextAttemptAt).toBeNull();
  });

  it('disables a subscription on 410 and resumes its deliveries when re-enabled', async () => {
    const r = await rig();
    receiver.answer = () => 410;
    await post(r.webhook, groupMessage(alice, { date: DAY0 }));
    await drain(r.dispatcher);
    const sub = await r.lookup.call({
      path: `/v1/subscriptions/${r.subscriptionId}`,
      key: r.lookup.adminKey,
    });
    expect(sub.body.status).toBe('disabled');
    // Events while disabled wait.
    await post(r.webhook, groupMessage(bob, { date: DAY0 + 5 }));
    await drain(r.dispatcher);
    expect(receiver.requests).toHaveLength(1);

    receiver.answer = () => 204;
    const patched = await r.lookup.call({
      method: 'PATCH',
      path: `/v1/subscriptions/${r.subscriptionId}`,
      key: r.lookup.adminKey,
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ status: 'active' }),
    });
    expect(patched.status).toBe(200);
    clock = Date.now() + 1000; // resumed as due at the lookup's (real) time
    await drain(r.dispatcher);
    const types = received(r.secret).map((e) => e.type);
    expect(types).toEqual(['contact.created', 'contact.created']);
    expect(receiver.requests.at(-1)?.status).toBe(204);
  });

  it('marks a subscription failing after a day of failures, and stops', async () => {
    const r = await rig();
    receiver.answer = () => 500;
    await post(r.webhook, groupMessage(alice, { date: DAY0 }));
    for (let hour = 0; hour <= 25; hour++) {
      await drain(r.dispatcher);
      clock += 3600_000;
    }
    const sub = await r.lookup.call({
      path: `/v1/subscriptions/${r.subscriptionId}`,
      key: r.lookup.adminKey,
    });
    expect(sub.body.status).toBe('failing');
    const attempts = receiver.requests.length;
    expect(attempts).toBeGreaterThanOrEqual(8);
    expect(attempts).toBeLessThanOrEqual(9);
    await post(r.webhook, groupMessage(bob, { date: DAY0 + 5 }));
    clock += 3600_000;
    await drain(r.dispatcher);
    expect(receiver.requests).toHaveLength(attempts);
  });

  it("drops an erased user's pending deliveries, but tells the erasure", async () => {
    const r = await rig();
    receiver.answer = () => 503;
    await post(r.webhook, groupMessage(alice, { date: DAY0 }));
    await drain(r.dispatcher);
    expect(receiver.requests).toHaveLength(1);
    await eraseContact(r.lookup, ALICE);
    receiver.answer = () => 200;
    clock += 15_000;
    await drain(r.dispatcher);
    const after = received(r.secret).slice(1);
    expect(after.map((e) => e.type)).toEqual(['contact.erased']);
    const log = await r.lookup.call({
      path: `/v1/subscriptions/${r.subscriptionId}/deliveries`,
      key: r.lookup.adminKey,
    });
    // The erasure deleted the pending delivery with her data: no attempt after the failed one.
    const outcomes = log.body.items.map((d: Record<string, unknown>) => [d.type, d.outcome]);
    expect(outcomes).toEqual([
      ['contact.erased', 'delivered'],
      ['contact.created', 'failed'],
    ]);
  });

  it('sends phone numbers only to subscriptions that ask for them', async () => {
    for (const includePhone of [false, true]) {
      receiver.requests.length = 0;
      const r = await rig({ includePhone, events: ['contact.phone_verified'] });
      const share = groupMessage(alice, { date: DAY0 }) as {
        message: Record<string, unknown> & { chat: Record<string, unknown> };
      };
      share.message.chat = { id: ALICE, type: 'private', first_name: 'Alice' };
      share.message.contact = {
        phone_number: '+44 7700 900123',
        first_name: 'Alice',
        user_id: ALICE,
      };
      delete share.message.text;
      await post(r.webhook, share);
      await drain(r.dispatcher);
      const [event] = received(r.secret);
      expect(event?.type).toBe('contact.phone_verified');
      const contact = event?.data.contact as Record<string, unknown>;
      if (includePhone) expect(contact.phoneNumber).toBe('+447700900123');
      else {
        expect(contact.phoneNumber).toBeUndefined();
        expect(receiver.requests[0]?.body).not.toContain('7700');
      }
    }
  });

  it('sends a ping to the one subscription it was asked for', async () => {
    const r = await rig({ events: ['member.joined'] });
    const ping = await r.lookup.call({
      method: 'POST',
      path: `/v1/subscriptions/${r.subscriptionId}/test`,
      key: r.lookup.adminKey,
    });
    expect(ping.status).toBe(202);
    await drain(r.dispatcher);
    const [event] = received(r.secret);
    expect(event).toMatchObject({ id: ping.body.eventId, type: 'ping' });
  });

  it('tells the bot blocked and unblocked, and a chat it was added to', async () => {
    const r = await rig();
    const privateChat = { id: ALICE, type: 'private' as const, first_name: 'Alice' };
    await post(
      r.webhook,
      myChatMemberUpdate({
        chat: privateChat as never,
        actor: alice,
        from: 'member',
        to: 'kicked',
        date: DAY0,
      }),
      myChatMemberUpdate({
        chat: privateChat as never,
        actor: alice,
        from: 'kicked',
        to: 'member',
        date: DAY0 + 1,
      }),
      myChatMemberUpdate({ chat: CHAT, actor: bob, from: 'left', to: 'member', date: DAY0 + 2 }),
    );
    await drain(r.dispatcher);
    const types = received(r.secret).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['bot.blocked', 'bot.unblocked', 'chat.created']));
    expect(types.filter((t) => t.startsWith('bot.'))).toHaveLength(2);
    void BOT;
  });
});
