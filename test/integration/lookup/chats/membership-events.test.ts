/**
 * Membership events through the real webhook and lookup handlers: joins by invite link and by
 * approved join request, leaves, kicks, bans, promotions, restrictions, the bot's own joins,
 * a migration; both event routes with their filters and pages, redeliveries, the chat_member
 * update and the service message of one change, erasure, bad queries, DynamoDB requests.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../../functions/webhook.ts';
import { loadUpdate } from '../../../fixtures/updates.ts';
import { activityOf, eraseContact, post, type TestLookup } from '../../../helpers/lookup.ts';
import {
  at,
  BOT,
  type ChatRef,
  chatMemberUpdate,
  chatMessage,
  joinedMessage,
  joinRequestUpdate,
  leftMessage,
  myChatMemberUpdate,
  type Who,
} from '../../../helpers/member-updates.ts';
import { recordingClient } from '../../../helpers/request-log.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';
import type { TestStore } from '../../../helpers/store.ts';

const CHAT: ChatRef = { id: -100111222, type: 'supergroup', title: 'Events Group' };
const ALICE: Who = { id: 1001, first_name: 'Alice', last_name: 'Smith', username: 'Alice_Smith' };
const BOB: Who = { id: 1002, first_name: 'Bob', last_name: 'Jones', username: 'bob_jones' };
const CAROL: Who = { id: 1003, first_name: 'Carol' };
const DAVE: Who = { id: 7300000001, first_name: 'Dave' };
const ERIN: Who = { id: 1005, first_name: 'Erin' };
const FRANK: Who = { id: 1006, first_name: 'Frank' };

const SPRING_LINK = { invite_link: 'https://t.me/+AbCdEfGhIjK', name: 'spring' };
const UNNAMED_LINK = { invite_link: 'https://t.me/+XyZ123...' };
const REQUEST_LINK = {
  invite_link: 'https://t.me/+AbCdEfGhIjKlMnOp',
  name: 'Join requests',
  creates_join_request: true,
};

/** The updates of the story, by name, so that tests can deliver one again. */
function storyUpdates() {
  return {
    // Monday 5 January 2026. Dave joins by a named link: the service message comes first,
    // then the chat_member update of the same second (which knows the link).
    daveJoinedMessage: joinedMessage({
      chat: CHAT,
      actor: DAVE,
      members: [DAVE],
      date: at('2026-01-05T10:00:00'),
    }),
    daveJoined: chatMemberUpdate({
      chat: CHAT,
      actor: DAVE,
      member: DAVE,
      from: 'left',
      to: 'member',
      date: at('2026-01-05T10:00:00'),
      inviteLink: SPRING_LINK,
    }),
    // Erin joins by an unnamed link: this time the chat_member update comes first.
    erinJoined: chatMemberUpdate({
      chat: CHAT,
      actor: ERIN,
      member: ERIN,
      from: 'left',
      to: 'member',
      date: at('2026-01-05T11:00:00'),
      inviteLink: UNNAMED_LINK,
    }),
    erinJoinedMessage: joinedMessage({
      chat: CHAT,
      actor: ERIN,
      members: [ERIN],
      date: at('2026-01-05T11:00:00'),
    }),
    // Tuesday: Carol asks to join, Alice approves; Alice promotes Bob.
    carolRequest: joinRequestUpdate({
      chat: CHAT,
      member: CAROL,
      date: at('2026-01-06T09:00:00'),
      inviteLink: REQUEST_LINK,
    }),
    carolApproved: chatMemberUpdate({
      chat: CHAT,
      actor: ALICE,
      member: CAROL,
      from: 'left',
      to: 'member',
      date: at('2026-01-06T09:05:00'),
      inviteLink: REQUEST_LINK,
      viaJoinRequest: true,
    }),
    bobPromoted: chatMemberUpdate({
      chat: CHAT,
      actor: ALICE,
      member: BOB,
      from: 'member',
      to: 'administrator',
      date: at('2026-01-06T12:00:00'),
    }),
    // Wednesday: Erin leaves (both reports), Frank is restricted, then restricted out.
    erinLeft: chatMemberUpdate({
      chat: CHAT,
      actor: ERIN,
      member: ERIN,
      from: 'member',
      to: 'left',
      date: at('2026-01-07T08:00:00'),
    }),
    erinLeftMessage: leftMessage({
      chat: CHAT,
      actor: ERIN,
      member: ERIN,
      date: at('2026-01-07T08:00:00'),
    }),
    frankRestricted: chatMemberUpdate({
      chat: CHAT,
      actor: ALICE,
      member: FRANK,
      from: 'member',
      to: { status: 'restricted', isMember: true },
      date: at('2026-01-07T09:00:00'),
    }),
    frankRestrictedOut: chatMemberUpdate({
      chat: CHAT,
      actor: ALICE,
      member: FRANK,
      from: { status: 'restricted', isMember: true },
      to: { status: 'restricted', isMember: false },
      date: at('2026-01-07T10:00:00'),
    }),
    // Thursday: Alice kicks Dave (removed, not banned), then bans him once gone (no change
    // of membership), and bans Bob a second before midnight.
    daveKickedMessage: leftMessage({
      chat: CHAT,
      actor: ALICE,
      member: DAVE,
      date: at('2026-01-08T13:00:00'),
    }),
    daveKicked: chatMemberUpdate({
      chat: CHAT,
      actor: ALICE,
      member: DAVE,
      from: 'member',
      to: 'left',
      date: at('2026-01-08T13:00:00'),
    }),
    daveBannedAfter: chatMemberUpdate({
      chat: CHAT,
      actor: ALICE,
      member: DAVE,
      from: 'left',
      to: 'kicked',
      date: at('2026-01-08T15:00:00'),
    }),
    bobBanned: chatMemberUpdate({
      chat: CHAT,
      actor: ALICE,
      member: BOB,
      from: 'administrator',
      to: 'kicked',
      date: at('2026-01-08T23:59:59'),
    }),
    // Friday at midnight: Alice adds the bot; then she blocks it in private (no event).
    botAdded: myChatMemberUpdate({
      chat: CHAT,
      actor: ALICE,
      from: 'left',
      to: 'member',
      date: at('2026-01-09T00:00:00'),
    }),
    botBlocked: myChatMemberUpdate({
      chat: { id: ALICE.id, type: 'private', first_name: ALICE.first_name },
      actor: ALICE,
      from: 'member',
      to: 'kicked',
      date: at('2026-01-09T00:00:30'),
    }),
  };
}

const event = (fields: Record<string, unknown>): Record<string, unknown> => ({
  chatId: CHAT.id,
  viaJoinRequest: false,
  ...fields,
});

/** The story's events, newest first. */
const BOT_JOIN = event({
  userId: BOT.id,
  at: '2026-01-09T00:00:00.000Z',
  kind: 'join',
  fromStatus: 'left',
  toStatus: 'member',
  actorId: ALICE.id,
});
const BOB_BAN = event({
  userId: BOB.id,
  at: '2026-01-08T23:59:59.000Z',
  kind: 'remove',
  fromStatus: 'administrator',
  toStatus: 'kicked',
  actorId: ALICE.id,
});
const DAVE_KICK = event({
  userId: DAVE.id,
  at: '2026-01-08T13:00:00.000Z',
  kind: 'remove',
  fromStatus: 'member',
  toStatus: 'left',
  actorId: ALICE.id,
});
const FRANK_OUT = event({
  userId: FRANK.id,
  at: '2026-01-07T10:00:00.000Z',
  kind: 'remove',
  fromStatus: 'restricted',
  toStatus: 'restricted',
  actorId: ALICE.id,
});
const FRANK_RESTRICTED = event({
  userId: FRANK.id,
  at: '2026-01-07T09:00:00.000Z',
  kind: 'change',
  fromStatus: 'member',
  toStatus: 'restricted',
  actorId: ALICE.id,
});
const ERIN_LEAVE = event({
  userId: ERIN.id,
  at: '2026-01-07T08:00:00.000Z',
  kind: 'leave',
  fromStatus: 'member',
  toStatus: 'left',
  actorId: ERIN.id,
});
const BOB_PROMOTED = event({
  userId: BOB.id,
  at: '2026-01-06T12:00:00.000Z',
  kind: 'change',
  fromStatus: 'member',
  toStatus: 'administrator',
  actorId: ALICE.id,
});
const CAROL_JOIN = event({
  userId: CAROL.id,
  at: '2026-01-06T09:05:00.000Z',
  kind: 'join',
  fromStatus: 'left',
  toStatus: 'member',
  actorId: ALICE.id,
  inviteLink: 'Join requests',
  viaJoinRequest: true,
});
const ERIN_JOIN = event({
  userId: ERIN.id,
  at: '2026-01-05T11:00:00.000Z',
  kind: 'join',
  fromStatus: 'left',
  toStatus: 'member',
  actorId: ERIN.id,
  inviteLink: UNNAMED_LINK.invite_link,
});
const DAVE_JOIN = event({
  userId: DAVE.id,
  at: '2026-01-05T10:00:00.000Z',
  kind: 'join',
  fromStatus: 'left',
  toStatus: 'member',
  actorId: DAVE.id,
  inviteLink: 'spring',
});
const ALL = [
  BOT_JOIN,
  BOB_BAN,
  DAVE_KICK,
  FRANK_OUT,
  FRANK_RESTRICTED,
  ERIN_LEAVE,
  BOB_PROMOTED,
  CAROL_JOIN,
  ERIN_JOIN,
  DAVE_JOIN,
];

const WEEK = { from: '2026-01-05', to: '2026-01-09' };

const stack = useStack();

async function tellStory(): Promise<{
  store: TestStore;
  webhook: WebhookHandler;
  api: TestLookup;
}> {
  const { store, webhook, lookup } = await stack.handlers();
  await post(webhook, ...Object.values(storyUpdates()));
  return { store, webhook, api: lookup };
}

/** Every page of a list, following nextCursor (at most 20 pages). */
async function allPages(
  api: TestLookup,
  path: string,
  query: Record<string, string>,
): Promise<{ pages: unknown[][]; items: unknown[] }> {
  const pages: unknown[][] = [];
  let cursor: string | undefined;
  do {
    const response = await api.call({ path, query: { ...query, ...(cursor ? { cursor } : {}) } });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    pages.push(response.body.items);
    cursor = response.body.nextCursor;
  } while (cursor && pages.length < 20);
  return { pages, items: pages.flat() };
}

describe('membership events', () => {
  let webhook: WebhookHandler;
  let api: TestLookup;
  let store: TestStore;
  beforeAll(async () => {
    ({ store, webhook, api } = await tellStory());
  });

  describe('GET /v1/chats/{chatId}/events', () => {
    it('lists every change of the chat newest first, one event per change', async () => {
      const response = await api.call({ path: `/v1/chats/${CHAT.id}/events` });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json');
      expect(response.body).toEqual({ items: ALL });
    });

    it('keeps only the kind asked for', async () => {
      const kinds = { join: [], leave: [], remove: [], change: [] } as Record<string, unknown[]>;
      for (const kind of Object.keys(kinds)) {
        const response = await api.call({ path: `/v1/chats/${CHAT.id}/events`, query: { kind } });
        expect(response.status).toBe(200);
        kinds[kind] = response.body.items;
      }
      expect(kinds).toEqual({
        join: [BOT_JOIN, CAROL_JOIN, ERIN_JOIN, DAVE_JOIN],
        leave: [ERIN_LEAVE],
        remove: [BOB_BAN, DAVE_KICK, FRANK_OUT],
        change: [FRANK_RESTRICTED, BOB_PROMOTED],
      });
    });

    it('bounds by UTC days, both ends inclusive, each end optional', async () => {
      const list = async (query: Record<string, string>) =>
        (await api.call({ path: `/v1/chats/${CHAT.id}/events`, query })).body.items;
      // Bob's ban at 23:59:59 is on the 8th; the bot's join at midnight on the 9th.
      expect(await list({ from: '2026-01-08', to: '2026-01-08' })).toEqual([BOB_BAN, DAVE_KICK]);
      expect(await list({ to: '2026-01-08' })).toEqual(ALL.slice(1));
      expect(await list({ from: '2026-01-09' })).toEqual([BOT_JOIN]);
      expect(await list({ from: '2026-01-06', to: '2026-01-06' })).toEqual([
        BOB_PROMOTED,
        CAROL_JOIN,
      ]);
      expect(await list({ from: '2026-01-06', to: '2026-01-08', kind: 'join' })).toEqual([
        CAROL_JOIN,
      ]);
      expect(await list({ from: '2026-01-10' })).toEqual([]);
      expect(await list({ to: '2026-01-04' })).toEqual([]);
    });

    it('answers ranges far in the past or the future (beyond 10-digit times) with what they hold', async () => {
      const list = async (path: string, query: Record<string, string>) => {
        const response = await api.call({ path, query });
        expect(response.status, `${path} ${JSON.stringify(query)}`).toBe(200);
        return response.body.items;
      };
      for (const path of [`/v1/chats/${CHAT.id}/events`, `/v1/contacts/${DAVE.id}/events`]) {
        expect(await list(path, { from: '2300-01-01' })).toEqual([]);
        expect(await list(path, { from: '2200-01-01', to: '2300-01-01' })).toEqual([]);
        expect(await list(path, { from: '2286-11-20', to: '2286-11-21' })).toEqual([]);
        expect(await list(path, { from: '0001-01-01', to: '1969-12-31' })).toEqual([]);
      }
      expect(
        await list(`/v1/chats/${CHAT.id}/events`, { from: '0001-01-01', to: '2026-01-05' }),
      ).toEqual([ERIN_JOIN, DAVE_JOIN]);
      expect(
        await list(`/v1/contacts/${DAVE.id}/events`, { from: '2026-01-08', to: '9999-12-31' }),
      ).toEqual([DAVE_KICK]);
      const activity = await activityOf(api, { chat: CHAT.id }, '2286-11-20', '2286-11-21');
      expect(activity.status).toBe(200);
      expect(activity.body.days).toEqual([]);
    });

    it('pages 5 events with limit=2 as 2, 2 and 1, newest first, each once', async () => {
      const { pages } = await allPages(api, `/v1/chats/${CHAT.id}/events`, {
        from: '2026-01-07',
        to: '2026-01-08',
        limit: '2',
      });
      expect(pages).toEqual([[BOB_BAN, DAVE_KICK], [FRANK_OUT, FRANK_RESTRICTED], [ERIN_LEAVE]]);
    });

    it('pages with a kind filter too: every event of the kind once, in order', async () => {
      const { pages, items } = await allPages(api, `/v1/chats/${CHAT.id}/events`, {
        kind: 'join',
        limit: '1',
      });
      expect(items).toEqual([BOT_JOIN, CAROL_JOIN, ERIN_JOIN, DAVE_JOIN]);
      for (const page of pages) expect(page.length).toBeLessThanOrEqual(1);
    });

    it('refuses a cursor made for other filters or another list', async () => {
      const first = await api.call({
        path: `/v1/chats/${CHAT.id}/events`,
        query: { from: '2026-01-07', to: '2026-01-08', limit: '2' },
      });
      const cursor: string = first.body.nextCursor;
      expect(typeof cursor).toBe('string');
      for (const [path, query] of [
        [`/v1/chats/${CHAT.id}/events`, { from: '2026-01-07', to: '2026-01-08', kind: 'remove' }],
        [`/v1/chats/${CHAT.id}/events`, { from: '2026-01-06', to: '2026-01-08' }],
        [`/v1/chats/-100999/events`, { from: '2026-01-07', to: '2026-01-08' }],
        [`/v1/contacts/${BOB.id}/events`, { from: '2026-01-07', to: '2026-01-08' }],
      ] as const) {
        const response = await api.call({ path, query: { ...query, limit: '2', cursor } });
        expect(response.status, `${path} ${JSON.stringify(query)}`).toBe(400);
        expect(response.headers['content-type']).toBe('application/problem+json');
      }
    });

    it('answers an empty list for a chat without events', async () => {
      const response = await api.call({ path: '/v1/chats/-100404/events' });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [] });
    });
  });

  describe('GET /v1/contacts/{userId}/events', () => {
    it("lists the user's events in every chat, newest first", async () => {
      const list = async (userId: number, query: Record<string, string> = {}) => {
        const response = await api.call({ path: `/v1/contacts/${userId}/events`, query });
        expect(response.status).toBe(200);
        return response.body.items;
      };
      expect(await list(DAVE.id)).toEqual([DAVE_KICK, DAVE_JOIN]);
      expect(await list(BOB.id)).toEqual([BOB_BAN, BOB_PROMOTED]);
      expect(await list(FRANK.id)).toEqual([FRANK_OUT, FRANK_RESTRICTED]);
      expect(await list(CAROL.id)).toEqual([CAROL_JOIN]);
      // The bot's own membership is an event under its user id.
      expect(await list(BOT.id)).toEqual([BOT_JOIN]);
      // Alice only acted (and blocked the bot in private: no membership event).
      expect(await list(ALICE.id)).toEqual([]);
      expect(await list(424242)).toEqual([]);
    });

    it('filters by kind and by UTC days, and pages', async () => {
      const path = `/v1/contacts/${BOB.id}/events`;
      expect((await api.call({ path, query: { kind: 'change' } })).body.items).toEqual([
        BOB_PROMOTED,
      ]);
      expect((await api.call({ path, query: { kind: 'join' } })).body.items).toEqual([]);
      expect((await api.call({ path, query: { to: '2026-01-07' } })).body.items).toEqual([
        BOB_PROMOTED,
      ]);
      expect((await api.call({ path, query: { from: '2026-01-08' } })).body.items).toEqual([
        BOB_BAN,
      ]);
      const { pages, items } = await allPages(api, path, { limit: '1' });
      expect(items).toEqual([BOB_BAN, BOB_PROMOTED]);
      expect(pages[0]).toEqual([BOB_BAN]);
    });
  });

  it('counts joins (the bot included) and leaves and removals per day in the chat activity', async () => {
    const response = await api.call({ path: `/v1/chats/${CHAT.id}/activity`, query: WEEK });
    expect(response.status).toBe(200);
    const day = (date: string, joins: number, leaves: number) => ({
      date,
      messages: 0,
      activeMembers: 0,
      joins,
      leaves,
    });
    expect(response.body.days).toEqual([
      // Dave's and Erin's joins, each reported twice in the same second: two joins.
      day('2026-01-05', 2, 0),
      // Carol's approved request; Bob's promotion is no join.
      day('2026-01-06', 1, 0),
      // Erin left, Frank was restricted out.
      day('2026-01-07', 0, 2),
      // Dave kicked, Bob banned; banning Dave once gone changes nothing.
      day('2026-01-08', 0, 2),
      day('2026-01-09', 1, 0),
    ]);
  });

  it('does not duplicate an event when an update is delivered again', async () => {
    const updates = storyUpdates();
    // The same update ids: redeliveries of the story's own updates need the same objects.
    const again = [updates.bobPromoted, updates.erinLeftMessage, updates.daveJoined];
    const { webhook: other, lookup } = await stack.handlers();
    await post(other, ...again, ...again);
    const response = await lookup.call({ path: `/v1/chats/${CHAT.id}/events` });
    expect(response.body.items).toEqual([ERIN_LEAVE, BOB_PROMOTED, DAVE_JOIN]);
    // The story's changes reported once more, by new updates: still the same events.
    await post(webhook, ...Object.values(storyUpdates()).map((u) => ({ ...u })));
    expect((await api.call({ path: `/v1/chats/${CHAT.id}/events` })).body.items).toEqual(ALL);
  });

  it('is one event whichever report of a change comes first, with what chat_member knows', async () => {
    // A service message alone knows no link nor the exact status; the chat_member update of
    // the same second fills them in, also when it comes second.
    const { webhook: other, lookup } = await stack.handlers();
    const { daveJoinedMessage, daveJoined, daveKickedMessage } = storyUpdates();
    const banned = chatMemberUpdate({
      chat: CHAT,
      actor: ALICE,
      member: DAVE,
      from: 'member',
      to: 'kicked',
      date: at('2026-01-08T13:00:00'),
    });
    await post(other, daveJoinedMessage, daveKickedMessage);
    const before = await lookup.call({ path: `/v1/contacts/${DAVE.id}/events` });
    expect(before.body.items).toEqual([
      DAVE_KICK,
      { ...DAVE_JOIN, inviteLink: undefined, viaJoinRequest: false },
    ]);
    expect(before.body.items[1]).not.toHaveProperty('inviteLink');
    await post(other, daveJoined, banned);
    const after = await lookup.call({ path: `/v1/contacts/${DAVE.id}/events` });
    expect(after.body.items).toEqual([{ ...DAVE_KICK, toStatus: 'kicked' }, DAVE_JOIN]);
    // The service message of the same change, coming again after the chat_member update (a
    // new update), changes nothing that update set.
    await post(
      other,
      leftMessage({ chat: CHAT, actor: ALICE, member: DAVE, date: at('2026-01-08T13:00:00') }),
    );
    const last = await lookup.call({ path: `/v1/contacts/${DAVE.id}/events` });
    expect(last.body.items).toEqual([{ ...DAVE_KICK, toStatus: 'kicked' }, DAVE_JOIN]);
  });

  it('keeps the events of a group under the group when it becomes a supergroup', async () => {
    const { webhook: other, lookup } = await stack.handlers();
    const group: ChatRef = { id: -4001002, type: 'group', title: 'Old Group' };
    const supergroup: ChatRef = { id: -100999888, type: 'supergroup', title: 'Old Group' };
    const migrateTo = loadUpdate('migrate-to-chat');
    Object.assign(migrateTo.message as object, {
      chat: { ...group, all_members_are_administrators: true },
      date: at('2026-01-10T11:00:00'),
      migrate_to_chat_id: supergroup.id,
    });
    const migrateFrom = loadUpdate('migrate-from-chat');
    Object.assign(migrateFrom.message as object, {
      chat: supergroup,
      date: at('2026-01-10T11:00:00'),
      migrate_from_chat_id: group.id,
    });
    await post(
      other,
      joinedMessage({ chat: group, actor: ALICE, members: [BOB], date: at('2026-01-10T10:00:00') }),
      chatMessage({ chat: group, person: BOB, date: at('2026-01-10T10:05:00') }),
      migrateTo,
      migrateFrom,
      chatMemberUpdate({
        chat: supergroup,
        actor: CAROL,
        member: CAROL,
        from: 'left',
        to: 'member',
        date: at('2026-01-10T12:00:00'),
        inviteLink: SPRING_LINK,
      }),
    );
    const bobJoin = {
      chatId: group.id,
      userId: BOB.id,
      at: '2026-01-10T10:00:00.000Z',
      kind: 'join',
      fromStatus: 'left',
      toStatus: 'member',
      actorId: ALICE.id,
      viaJoinRequest: false,
    };
    const carolJoin = {
      chatId: supergroup.id,
      userId: CAROL.id,
      at: '2026-01-10T12:00:00.000Z',
      kind: 'join',
      fromStatus: 'left',
      toStatus: 'member',
      actorId: CAROL.id,
      inviteLink: 'spring',
      viaJoinRequest: false,
    };
    const events = async (path: string) => (await lookup.call({ path })).body.items;
    expect(await events(`/v1/chats/${group.id}/events`)).toEqual([bobJoin]);
    expect(await events(`/v1/chats/${supergroup.id}/events`)).toEqual([carolJoin]);
    expect(await events(`/v1/contacts/${BOB.id}/events`)).toEqual([bobJoin]);
    // The membership and the messages followed to the supergroup; the group's join did not.
    const members = await lookup.call({ path: `/v1/chats/${supergroup.id}/members` });
    expect(members.body.items.map((m: { userId: number }) => m.userId).sort()).toEqual([
      BOB.id,
      CAROL.id,
    ]);
    const day = { from: '2026-01-10', to: '2026-01-10' };
    const activity = async (chatId: number) =>
      (await lookup.call({ path: `/v1/chats/${chatId}/activity`, query: day })).body.days;
    expect(await activity(group.id)).toEqual([
      { date: '2026-01-10', messages: 1, activeMembers: 1, joins: 1, leaves: 0 },
    ]);
    expect(await activity(supergroup.id)).toEqual([
      { date: '2026-01-10', messages: 1, activeMembers: 1, joins: 1, leaves: 0 },
    ]);
  });

  it('answers 400 problem+json for bad query values and ids, on both routes', async () => {
    const bad: Record<string, string>[] = [
      { kind: 'joined' },
      { kind: 'JOIN' },
      { kind: '' },
      { from: '2026-1-5' },
      { to: '2026-01-32' },
      { from: 'yesterday' },
      { from: '2026-01-09', to: '2026-01-08' },
      { limit: '0' },
      { limit: '101' },
      { limit: 'abc' },
      { cursor: 'not-a-cursor' },
      { cursor: '' },
    ];
    for (const path of [`/v1/chats/${CHAT.id}/events`, `/v1/contacts/${BOB.id}/events`]) {
      for (const query of bad) {
        const response = await api.call({ path, query });
        const label = `${path} ${JSON.stringify(query)}`;
        expect(response.status, label).toBe(400);
        expect(response.headers['content-type'], label).toBe('application/problem+json');
        expect(response.body, label).toEqual({
          type: expect.any(String),
          title: 'Bad Request',
          status: 400,
          detail: expect.any(String),
        });
      }
    }
    for (const path of ['/v1/chats/events-group/events', '/v1/contacts/1.5/events']) {
      const response = await api.call({ path });
      expect(response.status, path).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
    }
    const kind = await api.call({ path: `/v1/chats/${CHAT.id}/events`, query: { kind: 'joined' } });
    expect(kind.body.detail).toBe('kind must be one of join, leave, remove, change');
  });

  it('uses one Query (and one BatchGet for a chat, one for the floors of actors other than the member) per page once the key is cached', async () => {
    const { client, log } = recordingClient(store.endpoint);
    try {
      const counted = await stack.lookup({ store, client });
      const calls = async (path: string, query: Record<string, string> = {}) => {
        await counted.call({ path, query });
        log.reset();
        const response = await counted.call({ path, query });
        expect(response.status).toBe(200);
        return log.records.map((r) => r.command);
      };
      expect(await calls(`/v1/chats/${CHAT.id}/events`, { limit: '3' })).toEqual([
        'QueryCommand',
        'BatchGetItemCommand',
        'BatchGetItemCommand',
      ]);
      const own = await calls(`/v1/contacts/${BOB.id}/events`);
      expect(own[0]).toBe('QueryCommand');
      expect(own.slice(1).every((c) => c === 'BatchGetItemCommand') && own.length <= 2).toBe(true);
      expect(await calls(`/v1/chats/${CHAT.id}/activity`, WEEK)).toEqual([
        'QueryCommand',
        'QueryCommand',
      ]);
    } finally {
      client.destroy();
    }
  });
});

describe('erasure and membership events', () => {
  it("removes the user's events from both routes and from the chat's joins and leaves", async () => {
    const { api } = await tellStory();
    await eraseContact(api, DAVE.id);
    const chat = await api.call({ path: `/v1/chats/${CHAT.id}/events` });
    expect(chat.body.items).toEqual(ALL.filter((e) => e.userId !== DAVE.id));
    const own = await api.call({ path: `/v1/contacts/${DAVE.id}/events` });
    expect(own.body).toEqual({ items: [] });
    const joins = await api.call({
      path: `/v1/chats/${CHAT.id}/events`,
      query: { kind: 'join' },
    });
    expect(joins.body.items).toEqual([BOT_JOIN, CAROL_JOIN, ERIN_JOIN]);
    const activity = await api.call({ path: `/v1/chats/${CHAT.id}/activity`, query: WEEK });
    const byDate = new Map(
      activity.body.days.map((d: { date: string; joins: number; leaves: number }) => [
        d.date,
        [d.joins, d.leaves],
      ]),
    );
    expect(byDate.get('2026-01-05')).toEqual([1, 0]);
    expect(byDate.get('2026-01-08')).toEqual([0, 1]);
    // Others keep theirs.
    const bob = await api.call({ path: `/v1/contacts/${BOB.id}/events` });
    expect(bob.body.items).toEqual([BOB_BAN, BOB_PROMOTED]);
  });
});
