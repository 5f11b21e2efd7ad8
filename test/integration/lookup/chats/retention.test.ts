/**
 * RETENTION_DAYS through the real handlers (the webhook and the lookup both configured with
 * RETENTION_DAYS=1), with updates dated before it: events past it are neither listed nor
 * counted, months that ended more than a day ago are not read. Dates are relative to now:
 * the lookup reads against the wall clock.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { post, type TestLookup } from '../../../helpers/lookup.ts';
import {
  type ChatRef,
  chatMemberUpdate,
  chatMessage,
  type MemberState,
  type Who,
} from '../../../helpers/member-updates.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const DAY = 86_400;
const CHAT: ChatRef = { id: -100555666, type: 'supergroup', title: 'Short Memory' };
const OLGA: Who = { id: 2001, first_name: 'Olga' };
const PAT: Who = { id: 2002, first_name: 'Pat' };
const QUINN: Who = { id: 2003, first_name: 'Quinn' };

const NOW = Math.floor(Date.now() / 1000);
/** 60 days ago: its month ended at least 29 days ago. */
const OLD = NOW - 60 * DAY;
/** Two days ago: an event then is past a retention of one day. */
const BEFORE = NOW - 2 * DAY;
const RECENT = NOW - 3600;
const dateOf = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
const iso = (t: number) => new Date(t * 1000).toISOString();

const stack = useStack();
let api: TestLookup;

/** GET `path` for the days from `from` to `to` (epoch seconds) on `on` (default: `api`). */
const between = (path: string, from: number, to: number, on: TestLookup = api) =>
  on.call({ path, query: { from: dateOf(from), to: dateOf(to) } });

/** Quinn joins (`'left'` to `'member'`) or leaves by himself. */
const quinn = (from: MemberState, to: MemberState, date: number) =>
  chatMemberUpdate({ chat: CHAT, actor: QUINN, member: QUINN, from, to, date });

/** Olga wrote 60 days ago; Pat then and an hour ago; Quinn joined 2 days ago, left an hour ago. */
beforeAll(async () => {
  let webhook: Awaited<ReturnType<typeof stack.handlers>>['webhook'];
  ({ webhook, lookup: api } = await stack.handlers({ env: { RETENTION_DAYS: '1' } }));
  await post(
    webhook,
    chatMessage({ chat: CHAT, person: OLGA, date: OLD }),
    chatMessage({ chat: CHAT, person: PAT, date: OLD + 60 }),
    quinn('left', 'member', BEFORE),
    chatMessage({ chat: CHAT, person: PAT, date: RECENT }),
    quinn('member', 'left', RECENT),
  );
});

const quinnLeft = {
  chatId: CHAT.id,
  userId: QUINN.id,
  at: iso(RECENT),
  kind: 'leave',
  fromStatus: 'member',
  toStatus: 'left',
  actorId: QUINN.id,
  viaJoinRequest: false,
};

describe('RETENTION_DAYS=1', () => {
  it('lists no event older than a day, on either route', async () => {
    const chat = await api.call({ path: `/v1/chats/${CHAT.id}/events` });
    expect(chat.body).toEqual({ items: [quinnLeft] });
    const own = await api.call({ path: `/v1/contacts/${QUINN.id}/events` });
    expect(own.body).toEqual({ items: [quinnLeft] });
    const joins = await api.call({ path: `/v1/chats/${CHAT.id}/events`, query: { kind: 'join' } });
    expect(joins.body).toEqual({ items: [] });
  });

  it('counts no expired event and reads no expired month in the chat activity', async () => {
    const response = await between(`/v1/chats/${CHAT.id}/activity`, OLD, NOW);
    expect(response.status).toBe(200);
    // Only the last hour: the old messages' month expired, Quinn's join too.
    expect(response.body.days).toEqual([
      { date: dateOf(RECENT), messages: 1, activeMembers: 1, joins: 0, leaves: 1 },
    ]);
    expect(response.body.hours.flat().reduce((a: number, b: number) => a + b, 0)).toBe(1);
  });

  it('reads no expired month for a contact: its activity is empty, and with nothing left it is 404', async () => {
    const activity = await between(`/v1/contacts/${OLGA.id}/activity`, OLD, OLD);
    expect(activity.status).toBe(200);
    expect(activity.body.days).toEqual([]);
    expect(activity.body.hours.flat().every((n: number) => n === 0)).toBe(true);
    // Olga's profile lives in her months only: it goes with them...
    expect((await api.call({ path: `/v1/contacts/${OLGA.id}` })).status).toBe(404);
    // ...while her membership (which does not expire) stays, with her name and her count.
    const chats = await api.call({ path: `/v1/contacts/${OLGA.id}/chats` });
    expect(chats.body.items).toEqual([
      expect.objectContaining({ userId: OLGA.id, chatId: CHAT.id, messageCount: 1 }),
    ]);
    const members = await api.call({ path: `/v1/chats/${CHAT.id}/members` });
    const olga = members.body.items.find((m: { userId: number }) => m.userId === OLGA.id);
    expect(olga).toMatchObject({ user: { firstName: 'Olga' }, messageCount: 1 });
  });

  it('keeps a contact with a recent month, counting only its kept months', async () => {
    const pat = await api.call({ path: `/v1/contacts/${PAT.id}` });
    expect(pat.status).toBe(200);
    // Two messages sent, the older one's month expired.
    expect(pat.body).toMatchObject({ firstName: 'Pat', messageCount: 1 });
    expect(pat.body.firstSeenAt).toBe(iso(RECENT));
    const activity = await between(`/v1/contacts/${PAT.id}/activity`, OLD, NOW);
    expect(activity.body.days).toEqual([{ date: dateOf(RECENT), messages: 1 }]);
  });

  it('ranks no member by the messages of an expired month', async () => {
    const old = await between(`/v1/chats/${CHAT.id}/top`, OLD, OLD);
    expect(old.status).toBe(200);
    expect(old.body.items).toEqual([]);
    const all = await between(`/v1/chats/${CHAT.id}/top`, OLD, NOW);
    expect(all.body.items).toEqual([
      { userId: PAT.id, messages: 1, user: { id: PAT.id, isBot: false, firstName: 'Pat' } },
    ]);
  });
});

describe('the default retention', () => {
  it('keeps what RETENTION_DAYS=1 drops', async () => {
    const { webhook, lookup } = await stack.handlers({ env: { RETENTION_DAYS: '400' } });
    await post(
      webhook,
      chatMessage({ chat: CHAT, person: OLGA, date: OLD }),
      quinn('left', 'member', BEFORE),
    );
    expect((await lookup.call({ path: `/v1/contacts/${OLGA.id}` })).status).toBe(200);
    const events = await lookup.call({ path: `/v1/chats/${CHAT.id}/events` });
    expect(events.body.items.map((e: { kind: string }) => e.kind)).toEqual(['join']);
    const top = await between(`/v1/chats/${CHAT.id}/top`, OLD, OLD, lookup);
    expect(top.body.items.map((i: { userId: number }) => i.userId)).toEqual([OLGA.id]);
  });
});
