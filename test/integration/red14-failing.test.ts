/**
 * Red team 14: FAILING attacks (real bugs; see the red team's report). Kept apart so the suite
 * stays green until they are fixed:
 * 1. An attempt that raced an erasure (its round before it, its LIFE write after the erasure's
 *    Query) and crashed leaves the LIFE item (and, crashing after it, the contact.created
 *    outbox item with the names): the redelivery's gate is refused, so it neither rewrites nor
 *    settles them; the next life, outside the erasure's tombstone months, finds a LIFE that is
 *    not stale and sends no contact.created.
 * 2. The LIFE item's expiry is the last writer's month's, so months recorded out of order
 *    (December before November) shorten it: a contact back while December is still kept gets a
 *    second contact.created (in order: none).
 * 3. Two broadcasts to one chat 34 ms apart across a sender handover (the lease carries only
 *    quietUntil, the overall pace, not the chats' seconds).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/store/api-key-admin.ts';
import { eraseUser } from '../../lib/store/erasure.ts';
import { seedPrivateChats, testSender } from '../helpers/broadcasts.ts';
import { ALICE, type TestLookup } from '../helpers/lookup.ts';
import { aliceLeftovers, message, record } from '../helpers/recorder-rig.ts';
import {
  CHAT_A,
  CHAT_B,
  clocked,
  createdEvents,
  gapsPerChat,
  isCreatedWrite,
  isLifeWrite,
  life,
  postBroadcast,
  scriptedClient,
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

describe('LIFE: an erasure racing the first update, which crashes and is redelivered', () => {
  const T0 = Date.UTC(2025, 11, 10, 12, 0) / 1000;
  const ERASED_AT = T0 + 6;
  const FEB = Date.UTC(2026, 1, 10, 12, 0) / 1000;

  for (const [name, dieAfter] of [
    ['after its LIFE write', isLifeWrite],
    ['after its contact.created write', isCreatedWrite],
  ] as const) {
    it(`crash ${name}: the redelivery leaves nothing of Alice, and her next life gets one contact.created`, async () => {
      const store = await stack.freshTable();
      const first = message(CHAT_A, T0);
      first.update_id = 900;
      // The erasure runs whole between the update's round (its gate write created December)
      // and its LIFE write; then the attempt dies after `dieAfter`'s call.
      let erased = false;
      const dying = scriptedClient(store.endpoint, {
        before: async (command, input) => {
          if (!erased && isLifeWrite(command, input)) {
            erased = true;
            await eraseUser(store, ALICE, ERASED_AT);
          }
        },
        dieAfter,
      });
      await expect(record({ ...store, client: dying.client }, first, T0 + 5)).rejects.toThrow();
      expect(erased).toBe(true);
      // Telegram redelivers it (it is older than the erasure: nothing of it may stay).
      const again = await record(store, first, T0 + 30);
      expect(again.stale).toBe(true);
      const leftovers = await aliceLeftovers(store);
      // Alice comes back two months later: a new life, one contact.created.
      const back = message(CHAT_B, FEB);
      back.update_id = 901;
      await record(store, back, FEB + 2);
      const events = (await createdEvents(store)).filter((e) => Number(e.at) >= ERASED_AT);
      expect(events).toHaveLength(1);
      expect((await life(store))?.w).toBe(901);
      expect(leftovers).toEqual([]);
    });
  }
});

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
