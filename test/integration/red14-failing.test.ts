/**
 * Red team 14: FAILING attacks (real bugs; see the red team's report). Kept apart so the suite
 * stays green until they are fixed:
 * (An attempt that raced an erasure and crashed left the LIFE item and its contact.created:
 *    fixed on this branch, its test moved to red14-attacks.test.ts.)
 * 2. The LIFE item's expiry is the last writer's month's, so months recorded out of order
 *    (December before November) shorten it: a contact back while December is still kept gets a
 *    second contact.created (in order: none).
 * 3. Two broadcasts to one chat 34 ms apart across a sender handover (the lease carries only
 *    quietUntil, the overall pace, not the chats' seconds).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/store/api-key-admin.ts';
import { seedPrivateChats, testSender } from '../helpers/broadcasts.ts';
import type { TestLookup } from '../helpers/lookup.ts';
import { message, record } from '../helpers/recorder-rig.ts';
import {
  CHAT_A,
  CHAT_B,
  clocked,
  createdEvents,
  gapsPerChat,
  postBroadcast,
} from '../helpers/red14.ts';
import { useStack } from '../helpers/stack-fixture.ts';
import type { TestStore } from '../helpers/store.ts';

const stack = useStack();

const RATE = 30;
const X = 3401;
const OTHERS = Array.from({ length: 40 }, (_, i) => 3410 + i);

let store: TestStore;
let api: TestLookup;
let writeKey: string;

async function broadcastCast() {
  stack.botApi.reset();
  const handlers = await stack.handlers();
  ({ store, lookup: api } = handlers);
  await seedPrivateChats(handlers.webhook, [X, ...OTHERS]);
  writeKey = (await createApiKey(store, { name: 'crm', scope: 'write' })).key;
}

describe('LIFE: its expiry follows the last writer, not the newest month', () => {
  const NOV = Date.UTC(2025, 10, 30, 23, 59) / 1000;
  const DEC = Date.UTC(2025, 11, 1, 0, 1) / 1000;
  const JAN = Date.UTC(2026, 0, 5, 12, 0) / 1000;

  for (const order of ['november first', 'december first'] as const) {
    it(`${order}: Alice back in January while December is kept: no second contact.created`, async () => {
      const table = await stack.freshTable();
      const store = { ...table, retentionDays: 30 };
      const nov = message(CHAT_A, NOV);
      nov.update_id = 940;
      const dec = message(CHAT_B, DEC);
      dec.update_id = 941;
      const pair = order === 'november first' ? [nov, dec] : [dec, nov];
      for (const u of pair) await record(store, u, DEC + 10);
      expect(await createdEvents(store)).toHaveLength(1);
      // December's month is kept until 30 days after December ends (Jan 31).
      const jan = message(CHAT_A, JAN);
      jan.update_id = 942;
      await record(store, jan, JAN + 1);
      expect(await createdEvents(store)).toHaveLength(1);
    });
  }
});

describe('one chat, two broadcasts, a sender handover', () => {
  beforeEach(broadcastCast);

  it('a sender handover (A releases, B takes the lease): still a second apart', async () => {
    const { starts, deps } = clocked(stack.botApi, RATE);
    const b1 = await postBroadcast(api, writeKey, [X], 'one');
    const b2 = await postBroadcast(api, writeKey, [X], 'two');
    const a = testSender(store, stack.botApi, { ...deps, owner: 'A' });
    const b = testSender(store, stack.botApi, { ...deps, owner: 'B' });
    await a.run(10_000, [b1]);
    await b.run(10_000, [b2]);
    expect(starts).toHaveLength(2);
    expect(gapsPerChat(starts)).toBeGreaterThanOrEqual(1000);
  });
});
