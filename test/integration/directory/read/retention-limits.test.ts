/**
 * Red-team attacks on issue 11 (membership events, distinct senders, month counters,
 * retention, tags and notes). Each test is one input or interleaving that broke a promise of
 * the issue when written; the comment above each names the promise and the sequence. Each
 * failed before its fix (see the commit that adds it).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { chatActivity, monthRange } from '../../../../lib/directory/read/activity.ts';
import { listChatEvents } from '../../../../lib/directory/read/membership-events.ts';
import { topMembers } from '../../../../lib/directory/read/top-members.ts';
import type { StoreContext } from '../../../../lib/store/client.ts';
import { chatMonthKey } from '../../../../lib/store/keys.ts';
import { loadUpdate } from '../../../fixtures/updates.ts';
import {
  ALICE_PROFILE,
  BOB_PROFILE,
  message,
  nowSeconds,
  OLD_GROUP,
  record,
  SUPERGROUP,
} from '../../../helpers/recorder-rig.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const stack = useStack();
const DAY = 86_400;

/** Noon (UTC) `days` days ago. */
function noonDaysAgo(days: number) {
  const now = nowSeconds();
  return now - (now % DAY) - days * DAY + 12 * 3600;
}

/** The chat month's distinct senders (its own and those copied from a migrated group). */
async function activeOn(store: StoreContext, chatId: number, at: number): Promise<number> {
  const date = new Date(at * 1000).toISOString();
  const { Item } = await store.client.send(
    new GetCommand({ TableName: store.tableName, Key: chatMonthKey(chatId, date.slice(0, 7)) }),
  );
  const dd = date.slice(8, 10);
  return Number(Item?.[`a${dd}`] ?? 0) + Number(Item?.[`ga${dd}`] ?? 0);
}

/** The migration announcement `name` dated `date`. */
function migration(name: 'migrate-to-chat' | 'migrate-from-chat', date: number) {
  const update = loadUpdate(name) as { message: { date: number } };
  update.message.date = date;
  return update;
}

describe('top members and retention', () => {
  // Promise: "months expire RETENTION_DAYS after the month; readers skip expired items". The
  // per-month member counts (`n<yyyymm>`) live on memberships, which never expire, and the
  // top route summed them for any month asked, so a month whose activity had long expired
  // (and that the activity route no longer shows) still ranked its members.
  it('ranks nobody by a month past RETENTION_DAYS, as activity shows nothing for it', async () => {
    const store = await stack.freshTable();
    const old = noonDaysAgo(460);
    await record(store, message(SUPERGROUP, old), old + 5);
    await record(store, message(SUPERGROUP, old + 60, BOB_PROFILE), old + 65);
    const month = new Date(old * 1000).toISOString().slice(0, 7);
    const retained = { ...store, retentionDays: 400 };
    expect(await topMembers(retained, SUPERGROUP, month, month, 10)).toEqual([]);
    // Within retention the same counts rank (with a retention long enough to keep them).
    const kept = await topMembers({ ...store, retentionDays: 600 }, SUPERGROUP, month, month, 10);
    expect(kept.map((m) => m.userId)).toEqual([ALICE_PROFILE.id, BOB_PROFILE.id]);
  });
});

describe('the months a range touches', () => {
  // Promise: the activity and top answers echo the whole months they cover (`hoursRange`,
  // top's `from` and `to`). Dates of the years 0000-0099 pass validation (ISO 8601), and the
  // month's last day came from Date.UTC, which reads those years as 1900-1999: the answer to
  // a range in February 0050 said it covered 0050-02-01 to 1950-02-28.
  it('ends in the year the range names, also for years below 100', () => {
    expect(monthRange('0050-02-10', '0050-02-11')).toEqual({
      from: '0050-02-01',
      to: '0050-02-28',
    });
    expect(monthRange('0000-02-01', '0000-02-01')).toEqual({
      from: '0000-02-01',
      to: '0000-02-29',
    });
    expect(monthRange('2024-02-10', '2024-03-01')).toEqual({
      from: '2024-02-01',
      to: '2024-03-31',
    });
  });
});

describe('a lowered RETENTION_DAYS', () => {
  // Promise: RETENTION_DAYS bounds how long events and per-day activity are served ("skipped
  // on read at once"). Items carry the expiry of the retention they were written under, and
  // the activity days and event lists went by it alone, while joins and leaves per day went
  // by the retention now: after lowering RETENTION_DAYS (as an operator would, to keep
  // less), a day past the new retention still showed its messages and distinct senders, and
  // its events were listed, next to zero joins for the same day.
  it('serves no day and no event older than the retention now in force', async () => {
    // Written under the default retention (test tables keep everything for a century).
    const store = { ...(await stack.freshTable()), retentionDays: 400 };
    const t = noonDaysAgo(200);
    const join = loadUpdate('new-chat-members') as { message: { date: number } };
    join.message.date = t;
    await record(store, join, t + 1);
    await record(store, message(SUPERGROUP, t + 60), t + 61);
    const day = new Date(t * 1000).toISOString().slice(0, 10);
    const kept = await chatActivity(store, SUPERGROUP, day, day);
    expect(kept.days).toMatchObject([{ date: day, messages: 1, activeMembers: 1, joins: 1 }]);
    const lowered = { ...store, retentionDays: 90 };
    expect((await chatActivity(lowered, SUPERGROUP, day, day)).days).toEqual([]);
    expect((await listChatEvents(lowered, SUPERGROUP, {}, { limit: 10 })).items).toEqual([]);
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
