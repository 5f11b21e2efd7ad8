/**
 * Broadcast sending's limits, held across senders: one chat gets its second message a second
 * or more after the first (also when a second sender takes the lease over), at most the rate's
 * starts in any second across a handover, and a 5xx answer leaves its recipient unknown and is
 * never retried (the message may have gone out).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  clocked,
  gapsPerChat,
  maxInWindow,
  postBroadcast,
  seedPrivateChats,
  testSender,
} from '../../helpers/broadcasts.ts';
import type { TestLookup } from '../../helpers/lookup.ts';
import { useStack } from '../../helpers/stack-fixture.ts';
import type { TestStore } from '../../helpers/store.ts';

const stack = useStack();

const RATE = 30;
const X = 3401;
const OTHERS = Array.from({ length: 40 }, (_, i) => 3410 + i);

let store: TestStore;
let api: TestLookup;
let writeKey: string;

beforeEach(async () => {
  const rig = await stack.writer();
  ({ store, lookup: api, writeKey } = rig);
  await seedPrivateChats(rig.webhook, [X, ...OTHERS]);
});

describe('one chat, two broadcasts', () => {
  for (const handover of [false, true]) {
    it(`${handover ? 'a sender handover (A releases, B takes the lease)' : 'one sender'}: the second message to the chat starts a second or more after the first`, async () => {
      const { starts, deps } = clocked(stack.botApi, RATE);
      const b1 = await postBroadcast(api, writeKey, [X], 'one');
      const b2 = await postBroadcast(api, writeKey, [X], 'two');
      const a = testSender(store, stack.botApi, { ...deps, owner: 'A' });
      const b = handover ? testSender(store, stack.botApi, { ...deps, owner: 'B' }) : a;
      await a.run(10_000, [b1]);
      await b.run(10_000, [b2]);
      expect(starts).toHaveLength(2);
      expect(gapsPerChat(starts)).toBeGreaterThanOrEqual(1000);
    });
  }
});

describe('the overall rate across a handover', () => {
  it(`at most ${RATE} starts in any second when B takes over from A mid-stream`, async () => {
    const { starts, deps } = clocked(stack.botApi, RATE);
    const first = await postBroadcast(api, writeKey, OTHERS.slice(0, 20), 'one');
    const second = await postBroadcast(api, writeKey, OTHERS.slice(20), 'two');
    const a = testSender(store, stack.botApi, { ...deps, owner: 'A', concurrency: 4 });
    const b = testSender(store, stack.botApi, { ...deps, owner: 'B', concurrency: 4 });
    await a.run(10_000, [first]);
    await b.run(10_000, [second]);
    expect(starts).toHaveLength(40);
    expect(maxInWindow(starts.map((s) => s.at))).toBeLessThanOrEqual(RATE);
  });
});

describe('a 5xx answer is unknown, never retried', () => {
  for (const [name, answer] of [
    [
      'a Bot API 500 (JSON error_code)',
      { status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } },
    ],
    [
      'a Bot API 502',
      { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } },
    ],
    ['a proxy page (no Bot API answer)', { status: 502, body: '<html>bad gateway</html>' }],
  ] as const) {
    it(`${name}: one request, the recipient unknown`, async () => {
      const { state, deps } = clocked(stack.botApi, RATE);
      let calls = 0;
      stack.botApi.respond('sendMessage', () => {
        calls++;
        return answer as never;
      });
      const id = await postBroadcast(api, writeKey, [X]);
      const a = testSender(store, stack.botApi, { ...deps, owner: 'A' });
      for (let i = 0; i < 5; i++) {
        await a.run(10_000);
        state.clock += 60_000;
      }
      expect(calls).toBe(1);
      const status = await api.call({ method: 'GET', path: `/v1/broadcasts/${id}`, key: writeKey });
      expect(status.body).toMatchObject({ status: 'done', unknown: 1, sent: 0, failed: 0 });
    });
  }
});
