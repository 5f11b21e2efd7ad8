/**
 * Subscriber events under a receiver that fails a seeded 30% of requests (500, 503 and 429;
 * timeouts and connection errors are covered in send-webhook.test.ts): every event is delivered, every request of one event
 * carries one stable webhook-id and verifies, and the delivery log holds one line per request.
 * The dispatcher's clock is moved forward to each retry's time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../lib/events/dispatcher.ts';
import { sendWebhook } from '../../lib/events/send-webhook.ts';
import { queryAll } from '../../lib/store/query.ts';
import { type EventReceiver, startEventReceiver, verifyEvent } from '../helpers/event-receiver.ts';
import { DAY0, groupMessage, post } from '../helpers/lookup.ts';
import { chatMemberUpdate } from '../helpers/member-updates.ts';
import { useStack } from '../helpers/stack-fixture.ts';

const stack = useStack();
const FAILURE_RATE = 0.3;
const PEOPLE = 25;
const CHAT = { id: -100777, type: 'supergroup' as const, title: 'Reliability' };

let receiver: EventReceiver;
beforeAll(async () => {
  receiver = await startEventReceiver();
});
afterAll(async () => {
  await receiver.close();
});

/** A seeded generator (mulberry32). */
function seeded(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('event delivery to a receiver failing 30% of requests', () => {
  it('delivers every event, each under one webhook-id, with every attempt logged', {
    timeout: 120_000,
  }, async () => {
    const random = seeded(20261201);
    receiver.answer = () => {
      const r = random();
      if (r >= FAILURE_RATE) return 200;
      return [500, 503, 429][Math.floor((r / FAILURE_RATE) * 3)] as number;
    };
    const env = { EVENTS_ALLOW_LOOPBACK: 'true' };
    const { store, webhook, lookup } = await stack.handlers({ env });
    const created = await lookup.call({
      method: 'POST',
      path: '/v1/subscriptions',
      key: lookup.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, events: ['*'] }),
    });
    expect(created.status).toBe(201);
    const { secret, id: subscriptionId } = created.body;

    for (let i = 0; i < PEOPLE; i++) {
      const person = { id: 5000 + i, first_name: `P${i}` };
      await post(
        webhook,
        chatMemberUpdate({
          chat: CHAT,
          actor: person,
          member: person,
          from: 'left',
          to: 'member',
          date: DAY0 + i,
        }),
        groupMessage(person, { chatId: CHAT.id, date: DAY0 + 100 + i }),
      );
    }
    const outbox = (
      await queryAll(store, {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'OUTBOX' },
      })
    ).length;
    // Each person: contact.created and member.joined.
    expect(outbox).toBe(2 * PEOPLE);

    let clock = Date.now();
    const dispatcher = createDispatcher({
      store,
      post: (request) => sendWebhook({ ...request, allowLoopback: true, timeoutMs: 10_000 }),
      now: () => clock,
    });
    for (let round = 0; round < 40; round++) {
      await dispatcher.sweep(500);
      clock += 60_000 * (round < 10 ? 1 : 30);
    }

    const byId = new Map<string, number[]>();
    for (const request of receiver.requests) {
      const event = verifyEvent(secret, request, { asSigned: true });
      byId.set(event.id, [...(byId.get(event.id) ?? []), request.status]);
    }
    expect(byId.size).toBe(2 * PEOPLE);
    const failures = receiver.requests.filter((r) => r.status >= 300).length;
    expect(failures).toBeGreaterThan(0.15 * receiver.requests.length);
    for (const [id, statuses] of byId) {
      // Delivered once: retried until the first 2xx, never after it.
      expect(statuses.at(-1), id).toBe(200);
      expect(
        statuses.filter((s) => s === 200),
        id,
      ).toHaveLength(1);
    }

    const log: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const page = await lookup.call({
        path: `/v1/subscriptions/${subscriptionId}/deliveries`,
        key: lookup.adminKey,
        query: { limit: '100', ...(cursor ? { cursor } : {}) },
      });
      expect(page.status).toBe(200);
      log.push(...page.body.items);
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(log).toHaveLength(receiver.requests.length);
    for (const [id, statuses] of byId) {
      const lines = log.filter((line) => line.eventId === id);
      expect(lines.map((line) => line.httpStatus).reverse(), id).toEqual(statuses);
    }
  });
});
