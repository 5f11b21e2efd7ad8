/**
 * A chat's distinct senders per day (`activeMembers`, recorder.ts `countActive`): once per
 * member and day, whatever part of a delivery landed before it failed, also on the day a
 * group migrates (the supergroup's copy of the group's day already holds them), and not again
 * for messages older than the member's erasure that arrive after it (the simulation found
 * those counting once each: the erasure had removed the membership, and each such message
 * recreated it as if it were the member's first).
 */
import { describe, expect, it } from 'vitest';
import { eraseUser } from '../../../../lib/directory/erasure/erasure.ts';
import { loadUpdate } from '../../../fixtures/updates.ts';
import { ALICE } from '../../../helpers/lookup.ts';
import {
  activeOn,
  BOB_PROFILE,
  createRig,
  message,
  noonDaysAgo,
  OLD_GROUP,
  record,
  SUPERGROUP,
} from '../../../helpers/recorder-rig.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const stack = useStack();

/** The migration announcement `name` dated `date`. */
function migration(name: 'migrate-to-chat' | 'migrate-from-chat', date: number) {
  const update = loadUpdate(name) as { message: { date: number } };
  update.message.date = date;
  return update;
}

describe('distinct senders per day', () => {
  it('counts a member once a day: a redelivery and later messages of the day add nothing', async () => {
    const store = await stack.freshTable();
    const t = noonDaysAgo(2);
    const first = message(SUPERGROUP, t);
    await record(store, first, t + 5);
    await record(store, first, t + 9);
    await record(store, message(SUPERGROUP, t + 60), t + 65);
    await record(store, message(SUPERGROUP, t + 90, BOB_PROFILE), t + 95);
    expect(await activeOn(store, SUPERGROUP, t)).toBe(2);
    // The next day is a new day for both.
    await record(store, message(SUPERGROUP, t + 86_400), t + 86_405);
    expect(await activeOn(store, SUPERGROUP, t + 86_400)).toBe(1);
    expect(await activeOn(store, SUPERGROUP, t)).toBe(2);
  });

  it.each([0, 1, 2, 3, 4])(
    'counts a first message once when its delivery fails after store call %i landed',
    async (failAt) => {
      const rig = await createRig(stack);
      const t = noonDaysAgo(2);
      // Alice is known: she wrote the day before (and, today, to the bot: her month exists).
      expect(await rig.deliver(message(SUPERGROUP, t - 86_400))).toBe(200);
      const today = message(SUPERGROUP, t);
      const statuses = [await rig.deliver(today, failAt)];
      while (statuses.at(-1) !== 200 && statuses.length < 5)
        statuses.push(await rig.deliver(today));
      expect(statuses.at(-1)).toBe(200);
      expect(await activeOn(rig.store, SUPERGROUP, t)).toBe(1);
      await rig.deliver(message(SUPERGROUP, t + 30));
      expect(await activeOn(rig.store, SUPERGROUP, t)).toBe(1);
    },
  );

  it('does not count again messages older than the erasure that arrive after it', async () => {
    const store = await stack.freshTable();
    const t = noonDaysAgo(1);
    await record(store, message(SUPERGROUP, t), t + 1);
    expect(await activeOn(store, SUPERGROUP, t)).toBe(1);
    await eraseUser(store, ALICE, t + 100);
    // Telegram retries messages sent before the erasure: each finds no membership.
    for (const sent of [t + 10, t + 20, t + 30]) {
      await record(store, message(SUPERGROUP, sent), t + 150);
    }
    expect(await activeOn(store, SUPERGROUP, t)).toBe(1);
    // Written again after the erasure, she is a new sender: that counts.
    await record(store, message(SUPERGROUP, t + 200), t + 201);
    expect(await activeOn(store, SUPERGROUP, t)).toBe(2);
  });
});

describe('distinct senders on the day a group migrates', () => {
  // Promise: distinct senders per day counted exactly once. A member who wrote in the group
  // and then, the same day, in its supergroup was counted by both: the supergroup's copy of
  // the group's day (`ga<dd>`) already holds them, and their supergroup membership (created
  // by the copy, with the group's last seen as its `g` source) had no `m` last seen, so the
  // first supergroup message looked like their first of the day.
  it('counts a member who wrote in the group and then in the supergroup once', async () => {
    const store = await stack.freshTable();
    const t = noonDaysAgo(1);
    await record(store, message(OLD_GROUP, t), t + 1);
    await record(store, message(OLD_GROUP, t + 10, BOB_PROFILE), t + 11);
    expect(await activeOn(store, OLD_GROUP, t)).toBe(2);
    await record(store, migration('migrate-to-chat', t + 60), t + 61);
    await record(store, migration('migrate-from-chat', t + 60), t + 62);
    await record(store, message(SUPERGROUP, t + 120), t + 121);
    expect(await activeOn(store, SUPERGROUP, t)).toBe(2);
  });
});
