/**
 * The pace holds for the requests themselves, not only for the pacer's gate: a recipient's
 * eligibility is read after the gate, right before the request (broadcast-delivery.ts), and
 * a slow read (a consistent Query at DynamoDB's tail latency) must not bunch the starts of
 * the requests that follow. Found by the broadcast simulation (seeds 8 and 9 at 4 a second:
 * five requests in 969 ms, the first one's read 60 ms slower than the next ones').
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../lib/access/api-key-admin.ts';
import { readEligibility } from '../../../lib/messaging/store/messaging-eligibility.ts';
import { maxInWindow, seedPrivateChats, sends, testSender } from '../../helpers/broadcasts.ts';
import type { TestLookup } from '../../helpers/lookup.ts';
import { useStack } from '../../helpers/stack-fixture.ts';
import type { TestStore } from '../../helpers/store.ts';

const RATE = 4;
const PEOPLE = Array.from({ length: 6 }, (_, i) => 3301 + i);
const SLOW = PEOPLE[0] as number;

const stack = useStack();
let store: TestStore;
let api: TestLookup;

beforeEach(async () => {
  stack.botApi.reset();
  const handlers = await stack.handlers();
  ({ store, lookup: api } = handlers);
  await seedPrivateChats(handlers.webhook, PEOPLE);
});

describe('broadcast pacing', () => {
  it(`starts at most ${RATE} requests in any second when one eligibility read is slow`, async () => {
    const writeKey = (await createApiKey(store, { name: 'crm', scope: 'write' })).key;
    const created = await api.call({
      method: 'POST',
      path: '/v1/broadcasts',
      key: writeKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hello', audience: { userIds: PEOPLE } }),
    });
    expect(created.status, created.raw).toBe(202);
    let clock = Date.now();
    const starts: number[] = [];
    stack.botApi.respond('sendMessage', (payload) => {
      starts.push(clock);
      return { message_id: 1, date: 0, chat: { id: payload.chat_id, type: 'private' } };
    });
    const sender = testSender(store, stack.botApi, {
      rate: RATE,
      concurrency: 1,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
      // The first recipient's read takes 150 ms; the others' take no time.
      eligibility: async (ctx, userId) => {
        if (userId === SLOW) clock += 150;
        return readEligibility(ctx, userId);
      },
    });

    for (let i = 0; i < 10 && (await sender.run(10_000)).pending > 0; i++);

    expect(sends(stack.botApi)).toHaveLength(PEOPLE.length);
    expect(maxInWindow(starts)).toBeLessThanOrEqual(RATE);
  });
});
