/**
 * RETENTION_DAYS bounds what the readers serve, whatever the items' own expiry: the top
 * members rank nobody by a month past it, and after RETENTION_DAYS is lowered no day and no
 * event older than the retention now in force is served. The comment above each test names
 * the promise and the sequence that once broke it.
 */
import { describe, expect, it } from 'vitest';
import { chatActivity } from '../../../../lib/directory/read/activity.ts';
import { listChatEvents } from '../../../../lib/directory/read/membership-events.ts';
import { topMembers } from '../../../../lib/directory/read/top-members.ts';
import { loadUpdate } from '../../../fixtures/updates.ts';
import {
  ALICE_PROFILE,
  BOB_PROFILE,
  message,
  noonDaysAgo,
  record,
  SUPERGROUP,
} from '../../../helpers/recorder-rig.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const stack = useStack();

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
