/**
 * The contact's LIFE item as contact.created's one arbiter: concurrent duplicates and their
 * redeliveries make one event, an erasure removes the item (and the lookup shows no trace),
 * an erasure that crashed or races a new life's take-over still leaves each life exactly one
 * contact.created, a first update that crashed across a month boundary is no second one, and the
 * item's expiry follows its last writer.
 */
import { describe, expect, it } from 'vitest';
import { eraseUser } from '../../../../lib/directory/erasure/erasure.ts';
import {
  CHAT_A,
  CHAT_B,
  createdEvents,
  isCreatedWrite,
  isLifeWrite,
  life,
} from '../../../helpers/contact-life.ts';
import { faultyClient, scriptedClient } from '../../../helpers/faults.ts';
import { ALICE } from '../../../helpers/lookup.ts';
import { aliceLeftovers, message, record } from '../../../helpers/recorder-rig.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';
import type { TestStore } from '../../../helpers/store.ts';

const stack = useStack();

/**
 * Records `update` (received at `receivedAt`) on a client where Alice's erasure (at
 * `erasedAt`) runs whole between the update's round (its gate write created the month) and its
 * LIFE write, and the attempt dies after the call `dieAfter` picks: expects it to fail, and
 * the erasure to have run.
 */
async function crashWithErasureBeforeLife(
  store: TestStore,
  update: unknown,
  receivedAt: number,
  options: { erasedAt: number; dieAfter: (command: string, input: string) => boolean },
): Promise<void> {
  let erased = false;
  const dying = scriptedClient(store.endpoint, {
    before: async (command, input) => {
      if (!erased && isLifeWrite(command, input)) {
        erased = true;
        await eraseUser(store, ALICE, options.erasedAt);
      }
    },
    dieAfter: options.dieAfter,
  });
  await expect(record({ ...store, client: dying.client }, update, receivedAt)).rejects.toThrow();
  expect(erased).toBe(true);
}

describe('LIFE: duplicates, erasures and crashes', () => {
  const T0 = Date.UTC(2025, 11, 10, 12, 0) / 1000;

  it('concurrent duplicate attempts of a new contact (and their redeliveries): one contact.created', async () => {
    const store = await stack.freshTable();
    const first = message(CHAT_A, T0);
    first.update_id = 910;
    const other = message(CHAT_B, T0 + 1);
    other.update_id = 911;
    await Promise.all([
      record(store, first, T0 + 2),
      record(store, first, T0 + 2),
      record(store, other, T0 + 2),
      record(store, other, T0 + 3),
    ]);
    await Promise.all([record(store, first, T0 + 9), record(store, other, T0 + 9)]);
    expect(await createdEvents(store)).toHaveLength(1);
  });

  it('an erasure removes the LIFE item, and the lookup answers 404 (no trace of it)', async () => {
    const rig = await stack.handlers();
    const store = rig.store;
    await record(store, message(CHAT_A, T0), T0 + 1);
    expect((await life(store))?.w).toBeDefined();
    expect(
      await rig.lookup.call({
        method: 'DELETE',
        path: `/v1/contacts/${ALICE}`,
        key: rig.lookup.adminKey,
      }),
    ).toMatchObject({ status: 204 });
    expect(await life(store)).toBeUndefined();
    expect(await aliceLeftovers(store)).toEqual([]);
    const got = await rig.lookup.call({ path: `/v1/contacts/${ALICE}` });
    expect(got.status).toBe(404);
  });

  it('an old life left (crashed erasure) is taken over by the new life in a tombstone month: one contact.created each', async () => {
    const store = await stack.freshTable();
    await record(store, message(CHAT_A, T0), T0 + 1); // life 1
    // The erasure dies after closing the months (before settling the LIFE item).
    const ERASED = T0 + 100;
    let puts = 0;
    const dying = scriptedClient(store.endpoint, {
      dieAfter: (command) => command === 'PutItemCommand' && ++puts >= 2,
    });
    await expect(eraseUser({ ...store, client: dying.client }, ALICE, ERASED)).rejects.toThrow();
    expect((await life(store))?.w).toBeDefined();
    // Two queues' first updates of the new life at once, each redelivered.
    const a = message(CHAT_A, ERASED + 10);
    a.update_id = 920;
    const b = message(CHAT_B, ERASED + 11);
    b.update_id = 921;
    await Promise.all([record(store, a, ERASED + 12), record(store, b, ERASED + 12)]);
    await Promise.all([record(store, a, ERASED + 20), record(store, b, ERASED + 20)]);
    const events = (await createdEvents(store)).filter((e) => Number(e.at) > ERASED);
    expect(events).toHaveLength(1);
    expect([920, 921]).toContain((await life(store))?.w);
  });

  it('an erasure running while a new-life update holds between its LIFE write and its take-over', async () => {
    const store = await stack.freshTable();
    await record(store, message(CHAT_A, T0), T0 + 1); // life 1: LIFE names it
    const ERASED = T0 + 100;
    // A first erasure that died before settling LIFE (life 1's LIFE is stale from here on).
    let puts = 0;
    const dying = scriptedClient(store.endpoint, {
      dieAfter: (command) => command === 'PutItemCommand' && ++puts >= 2,
    });
    await expect(eraseUser({ ...store, client: dying.client }, ALICE, ERASED)).rejects.toThrow();
    // The new life's first update: hold its take-over; the erasure is retried meanwhile.
    const v = message(CHAT_B, ERASED + 10);
    v.update_id = 930;
    let retried = false;
    const holding = scriptedClient(store.endpoint, {
      before: async (command, input) => {
        if (!retried && isLifeWrite(command, input) && input.includes('attribute_not_exists')) {
          retried = true;
          await eraseUser(store, ALICE, ERASED);
        }
      },
    });
    await record({ ...store, client: holding.client }, v, ERASED + 12);
    expect(retried).toBe(true);
    await record(store, v, ERASED + 30);
    const events = (await createdEvents(store)).filter((e) => Number(e.at) > ERASED);
    expect(events).toHaveLength(1);
    expect((await life(store))?.w).toBe(930);
  });
});
// Guards recorder.ts settleContactItems: without it the LIFE item and the contact.created outbox
// item (with the names) stay, and the next life gets no contact.created.
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
      await crashWithErasureBeforeLife(store, first, T0 + 5, { erasedAt: ERASED_AT, dieAfter });
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

// Guards the rule "a creator whose months are all gone names a past life" (recorder.ts): without
// it the crashed attempt's LIFE item stays, and the next life in a month the erasure did not
// close (no floor there) gets no contact.created.
describe('LIFE: an erasure racing the first update, which crashes and is dropped', () => {
  const T0 = Date.UTC(2025, 11, 10, 12, 0) / 1000;
  const ERASED_AT = T0 + 6;
  const FEB = Date.UTC(2026, 1, 10, 12, 0) / 1000;

  it('the next life, in a month the erasure did not close, still gets one contact.created', async () => {
    const store = await stack.freshTable();
    const first = message(CHAT_A, T0);
    first.update_id = 910;
    await crashWithErasureBeforeLife(store, first, T0 + 5, {
      erasedAt: ERASED_AT,
      dieAfter: isLifeWrite,
    });
    // Telegram gives up on it: no redelivery settles what it left.
    expect((await life(store))?.w).toBe(910);
    const back = message(CHAT_B, FEB);
    back.update_id = 911;
    await record(store, back, FEB + 2);
    const events = (await createdEvents(store)).filter((e) => Number(e.at) >= ERASED_AT);
    expect(events.map((e) => e.at)).toEqual([FEB]);
    expect((await life(store))?.w).toBe(911);
    // Her next month, and a redelivery: nothing more.
    const march = message(CHAT_B, FEB + 30 * 86_400);
    march.update_id = 912;
    await record(store, march, FEB + 30 * 86_400 + 2);
    await record(store, back, FEB + 9);
    expect(await createdEvents(store)).toHaveLength(1);
  });
});

// Guards contact-events.ts keepLifeExpiry: without it, December first gives a second
// contact.created in January.
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

describe('contact.created across a month boundary', () => {
  const NOV = Date.UTC(2025, 10, 30, 23, 59) / 1000;
  const DEC = Date.UTC(2025, 11, 1, 0, 1) / 1000;
  const received = DEC + 10;
  it('without a crash: one contact.created whatever the order', async () => {
    for (const order of [
      [CHAT_A, CHAT_B],
      [CHAT_B, CHAT_A],
    ]) {
      const store = await stack.freshTable();
      let id = 500;
      for (const chat of order) {
        const update = message(chat as number, chat === CHAT_A ? NOV : DEC);
        update.update_id = id++;
        await record(store, update, received);
      }
      expect(await createdEvents(store)).toHaveLength(1);
    }
  });

  it('a crash after the first month write, the next month recorded, then the redelivery: one contact.created', async () => {
    const store = await stack.freshTable();
    const november = message(CHAT_A, NOV);
    november.update_id = 700;
    const december = message(CHAT_B, DEC);
    december.update_id = 701;
    // November's first attempt: the round's three writes land, then the process dies (every
    // later call fails), before anything decides contact.created.
    const dying = faultyClient(store.endpoint, (_command, index) =>
      index >= 3 ? 'server' : undefined,
    );
    await expect(record({ ...store, client: dying.client }, november, received)).rejects.toThrow();
    expect(dying.calls.slice(0, 3)).toEqual(Array(3).fill('UpdateItemCommand'));
    // Another chat's queue records December's update; then Telegram redelivers November's.
    await record(store, december, received);
    await record(store, november, received + 5);
    const events = await createdEvents(store);
    expect(events).toHaveLength(1);
    // The creator is the update that first claimed the contact: December's, here.
    expect(events[0]?.at).toBe(DEC);
    // A redelivery of either changes nothing.
    await record(store, december, received + 9);
    await record(store, november, received + 9);
    expect(await createdEvents(store)).toHaveLength(1);
  });
});
