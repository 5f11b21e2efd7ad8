/**
 * GET /v1/chats/{chatId}/members?status=&sort=: members recorded through the real webhook
 * from real-shaped updates (messages, joins by new_chat_members, leaves), and the expected
 * order computed here from what was posted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../../functions/webhook.ts';
import { loadUpdate } from '../../../fixtures/updates.ts';
import { DAY0, post, type TestLookup, tagContacts } from '../../../helpers/lookup.ts';
import { countByCommand, recordingClient } from '../../../helpers/request-log.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';
import type { TestStore } from '../../../helpers/store.ts';

const SORT_CHAT = -100900900;
const BIG_CHAT = -100900901;
const chatOf = (id: number) => ({ id, title: `Group ${id}`, type: 'supergroup' });
const person = (id: number) => ({ id, is_bot: false, first_name: `Person ${id}` });

let updateId = 40_000;
const message = (chatId: number, from: number, date: number, extra: object = { text: 'hi' }) => {
  updateId += 1;
  return {
    update_id: updateId,
    message: { message_id: updateId, from: person(from), chat: chatOf(chatId), date, ...extra },
  };
};

/** What happens in SORT_CHAT, in delivery order: [what, user, seconds after DAY0, added by]. */
const SCRIPT: [kind: 'message' | 'join' | 'leave', userId: number, at: number, by?: number][] = [
  ['join', 3004, 50, 3001],
  ['message', 3001, 100],
  ['message', 3005, 150],
  ['message', 3005, 180],
  ['message', 3005, 200],
  ['leave', 3005, 300],
  ['message', 3002, 210],
  ['message', 3002, 220],
  ['message', 3003, 230],
  ['join', 3006, 400, 3001],
  ['message', 3006, 450],
  ['message', 3002, 500],
  ['message', 3003, 500],
  ['join', 3007, 600, 3001],
  ['leave', 3007, 700],
];

function updateOf([kind, userId, at, by]: (typeof SCRIPT)[number]) {
  const date = DAY0 + at;
  if (kind === 'message') return message(SORT_CHAT, userId, date);
  if (kind === 'join') {
    return message(SORT_CHAT, by ?? userId, date, { new_chat_members: [person(userId)] });
  }
  return message(SORT_CHAT, userId, date, { left_chat_member: person(userId) });
}

/** Each member's values as the script makes them (the API's documented semantics). */
function modelOf(script: typeof SCRIPT) {
  const model = new Map<
    number,
    { userId: number; lastSeen?: number; messages: number; joined?: number; isMember: boolean }
  >();
  for (const [kind, userId, at] of script) {
    const m = model.get(userId) ?? { userId, messages: 0, isMember: true };
    if (kind === 'message') {
      m.messages += 1;
      m.lastSeen = Math.max(m.lastSeen ?? 0, at);
    }
    if (kind === 'join') m.joined = at;
    if (kind === 'leave') m.isMember = false;
    model.set(userId, m);
  }
  return [...model.values()];
}
const MODEL = modelOf(SCRIPT);

/** Descending by the value, ties by user id, members without the value last. */
function expectedOrder(
  sort: 'lastSeen' | 'messages' | 'joined',
  keep = (_: (typeof MODEL)[number]) => true,
) {
  return MODEL.filter(keep)
    .sort((a, b) => {
      const va = a[sort];
      const vb = b[sort];
      if (va === vb) return a.userId - b.userId;
      if (va === undefined) return 1;
      if (vb === undefined) return -1;
      return vb - va;
    })
    .map((m) => m.userId);
}

const stack = useStack();
let store: TestStore;
let webhook: WebhookHandler;
let api: TestLookup;

const BIG_MEMBERS = 45;
const bigId = (i: number) => 6000 + i;

beforeAll(async () => {
  ({ store, webhook, lookup: api } = await stack.handlers());
  await post(webhook, ...SCRIPT.map(updateOf));
  // BIG_CHAT: 45 members, every third of whom left after writing.
  const updates = [];
  for (let i = 0; i < BIG_MEMBERS; i++) {
    updates.push(message(BIG_CHAT, bigId(i), DAY0 + i));
    if (i % 3 === 0) {
      updates.push(
        message(BIG_CHAT, bigId(i), DAY0 + 100 + i, { left_chat_member: person(bigId(i)) }),
      );
    }
  }
  await post(webhook, ...updates);
});

async function allPages(query: Record<string, string>, chatId = SORT_CHAT, key?: string) {
  const pages: { userId: number; isMember: boolean }[][] = [];
  let cursor: string | undefined;
  do {
    const response = await api.call({
      path: `/v1/chats/${chatId}/members`,
      query: { ...query, ...(cursor ? { cursor } : {}) },
      ...(key ? { key } : {}),
    });
    expect(response.status, response.raw).toBe(200);
    pages.push(response.body.items);
    cursor = response.body.nextCursor;
  } while (cursor && pages.length < 50);
  return pages;
}
const idsOf = (pages: { userId: number }[][]) => pages.flat().map((m) => m.userId);

describe('GET /v1/chats/{chatId}/members?sort=', () => {
  it.each(['lastSeen', 'messages', 'joined'] as const)(
    'sort=%s lists every member in the documented order, across pages',
    async (sort) => {
      const one = await allPages({ sort, limit: '100' });
      expect(one).toHaveLength(1);
      expect(idsOf(one)).toEqual(expectedOrder(sort));
      const paged = await allPages({ sort, limit: '2' });
      expect(paged.map((p) => p.length)).toEqual([2, 2, 2, 1]);
      expect(idsOf(paged)).toEqual(expectedOrder(sort));
    },
  );

  it('answers the sorted members with the same shape as the plain list', async () => {
    const plain = await api.call({
      path: `/v1/chats/${SORT_CHAT}/members`,
      query: { limit: '100' },
    });
    const sorted = await api.call({
      path: `/v1/chats/${SORT_CHAT}/members`,
      query: { limit: '100', sort: 'messages' },
    });
    const byId = (items: { userId: number }[]) => [...items].sort((a, b) => a.userId - b.userId);
    expect(byId(sorted.body.items)).toEqual(byId(plain.body.items));
    expect(sorted.body.items[0]).toMatchObject({ user: { firstName: expect.any(String) } });
  });

  it('combines sort with status', async () => {
    const members = await allPages({ sort: 'lastSeen', status: 'member', limit: '3' });
    expect(idsOf(members)).toEqual(expectedOrder('lastSeen', (m) => m.isMember));
    const left = await allPages({ sort: 'joined', status: 'left' });
    expect(idsOf(left)).toEqual(expectedOrder('joined', (m) => !m.isMember));
    expect(idsOf(left)).toEqual([3007, 3005]);
  });

  it('refuses a cursor of another sort, filter, chat or key, and an altered one', async () => {
    const first = await api.call({
      path: `/v1/chats/${SORT_CHAT}/members`,
      query: { sort: 'lastSeen', limit: '2' },
    });
    const cursor: string = first.body.nextCursor;
    expect(cursor).toEqual(expect.any(String));
    const tries: [Record<string, string>, string | undefined, number][] = [
      [{ sort: 'messages' }, undefined, SORT_CHAT],
      [{ sort: 'lastSeen', status: 'member' }, undefined, SORT_CHAT],
      [{}, undefined, SORT_CHAT],
      [{ sort: 'lastSeen' }, undefined, BIG_CHAT],
      [{ sort: 'lastSeen' }, api.adminKey, SORT_CHAT],
    ].map(([q, key, chat]) => [
      q as Record<string, string>,
      key as string | undefined,
      chat as number,
    ]);
    for (const [query, key, chat] of tries) {
      const response = await api.call({
        path: `/v1/chats/${chat}/members`,
        query: { ...query, cursor },
        ...(key ? { key } : {}),
      });
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body.detail).toMatch(/cursor is invalid/);
    }
    // Cursors are sealed: a client can only write a position of its own next to a real tag.
    const mac = cursor.split('.')[1] ?? '';
    const body = { k: { pos: '-:1' }, x: 4_000_000_000 };
    const forged = `${Buffer.from(JSON.stringify(body)).toString('base64url')}.${mac}`;
    const altered = await api.call({
      path: `/v1/chats/${SORT_CHAT}/members`,
      query: { sort: 'lastSeen', cursor: forged },
    });
    expect(altered.status).toBe(400);
  });

  it('answers 400 naming a bad sort or status', async () => {
    const sort = await api.call({
      path: `/v1/chats/${SORT_CHAT}/members`,
      query: { sort: 'name' },
    });
    expect(sort.status).toBe(400);
    expect(sort.body.detail).toBe('sort must be lastSeen, messages or joined');
    const status = await api.call({
      path: `/v1/chats/${SORT_CHAT}/members`,
      query: { status: 'active' },
    });
    expect(status.status).toBe(400);
    expect(status.body.detail).toBe('status must be member, left or all');
  });

  it('answers 413 with sort for a chat over the sorted-list limit, and still pages it unsorted', async () => {
    const capped = await stack.lookup({ store, limits: { sortedMembers: 5 } });
    const sorted = await capped.call({
      path: `/v1/chats/${SORT_CHAT}/members`,
      query: { sort: 'lastSeen' },
    });
    expect(sorted.status).toBe(413);
    expect(sorted.headers['content-type']).toBe('application/problem+json');
    expect(sorted.body.detail).toContain(`the chat has ${MODEL.length} members`);
    const plain = await capped.call({ path: `/v1/chats/${SORT_CHAT}/members` });
    expect(plain.status).toBe(200);
    expect(plain.body.items).toHaveLength(MODEL.length);
  });

  it('returns an empty list for a chat never seen', async () => {
    const response = await api.call({
      path: '/v1/chats/-100404/members',
      query: { sort: 'joined' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [] });
  });
});

describe('GET /v1/chats/{chatId}/members?tag= with status and sort', () => {
  const VIP = new Set([3002, 3005, 3006]);
  beforeAll(async () => {
    // 6001 (in BIG_CHAT, not in SORT_CHAT) has the tag too: the tag index spans chats.
    await tagContacts(api, [...VIP, bigId(1)], ['vip']);
  });

  it('keeps the tagged members, filtered by status, unsorted', async () => {
    expect(idsOf(await allPages({ tag: 'vip', limit: '2' })).sort()).toEqual([...VIP].sort());
    expect(idsOf(await allPages({ tag: 'VIP', status: 'member' })).sort()).toEqual([3002, 3006]);
    expect(idsOf(await allPages({ tag: 'vip', status: 'left' }))).toEqual([3005]);
  });

  it('sorts the tagged members, with and without status', async () => {
    const vip = (m: (typeof MODEL)[number]) => VIP.has(m.userId);
    for (const sort of ['lastSeen', 'messages', 'joined'] as const) {
      expect(idsOf(await allPages({ tag: 'vip', sort, limit: '2' })), sort).toEqual(
        expectedOrder(sort, vip),
      );
    }
    expect(idsOf(await allPages({ tag: 'vip', sort: 'lastSeen', status: 'member' }))).toEqual(
      expectedOrder('lastSeen', (m) => vip(m) && m.isMember),
    );
  });

  it('binds the cursor to the tag', async () => {
    const first = await api.call({
      path: `/v1/chats/${SORT_CHAT}/members`,
      query: { tag: 'vip', sort: 'lastSeen', limit: '1' },
    });
    const cursor: string = first.body.nextCursor;
    const untagged = await api.call({
      path: `/v1/chats/${SORT_CHAT}/members`,
      query: { sort: 'lastSeen', limit: '1', cursor },
    });
    expect(untagged.status).toBe(400);
    const other = await api.call({
      path: `/v1/chats/${SORT_CHAT}/members`,
      query: { tag: 'customer', sort: 'lastSeen', limit: '1', cursor },
    });
    expect(other.status).toBe(400);
  });
});

describe('GET /v1/chats/{chatId}/members?status= (unsorted)', () => {
  it('filters each page: pages may be short, every member is listed once, nextCursor until the end', async () => {
    const leftIds = Array.from({ length: BIG_MEMBERS }, (_, i) => i)
      .filter((i) => i % 3 === 0)
      .map(bigId);
    const stayIds = Array.from({ length: BIG_MEMBERS }, (_, i) => bigId(i)).filter(
      (id) => !leftIds.includes(id),
    );
    const members = await allPages({ status: 'member', limit: '10' }, BIG_CHAT);
    const left = await allPages({ status: 'left', limit: '10' }, BIG_CHAT);
    const all = await allPages({ limit: '10' }, BIG_CHAT);
    expect(idsOf(members).sort()).toEqual(stayIds.sort());
    expect(idsOf(left).sort()).toEqual(leftIds.sort());
    expect(members.flat().every((m) => m.isMember)).toBe(true);
    expect(left.flat().every((m) => !m.isMember)).toBe(true);
    // The same pages as the unfiltered list, each filtered: as many pages, shorter ones.
    expect(members).toHaveLength(all.length);
    expect(left.map((p) => p.length)).toEqual(all.map((p) => p.filter((m) => !m.isMember).length));
    expect(left.some((p) => p.length < 10)).toBe(true);
  });

  it('reads one Query and one BatchGetItem per filtered page', async () => {
    const { client, log } = recordingClient(store.endpoint);
    const counted = await stack.lookup({ store, client });
    await counted.call({ path: '/v1/chats/1' }); // the key is cached from here on
    let cursor: string | undefined;
    let pages = 0;
    do {
      log.reset();
      const response = await counted.call({
        path: `/v1/chats/${BIG_CHAT}/members`,
        query: { status: 'member', limit: '20', ...(cursor ? { cursor } : {}) },
      });
      expect(countByCommand(log.records)).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
      cursor = response.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(Math.ceil(BIG_MEMBERS / 20));
  });

  it('binds the cursor to the filter', async () => {
    const first = await api.call({
      path: `/v1/chats/${BIG_CHAT}/members`,
      query: { status: 'left', limit: '5' },
    });
    const cursor: string = first.body.nextCursor;
    for (const status of ['member', 'all']) {
      const response = await api.call({
        path: `/v1/chats/${BIG_CHAT}/members`,
        query: { status, limit: '5', cursor },
      });
      expect(response.status, status).toBe(400);
    }
    const same = await api.call({
      path: `/v1/chats/${BIG_CHAT}/members`,
      query: { status: 'left', limit: '5', cursor },
    });
    expect(same.status).toBe(200);
  });

  it('keeps the cursor of the unfiltered list valid with status=all stated', async () => {
    const first = await api.call({ path: `/v1/chats/${BIG_CHAT}/members`, query: { limit: '5' } });
    const next = await api.call({
      path: `/v1/chats/${BIG_CHAT}/members`,
      query: { status: 'all', limit: '5', cursor: first.body.nextCursor },
    });
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(5);
  });
});

describe('after a group became a supergroup', () => {
  it('sorts the memberships the plain list answers, copied sources included', async () => {
    const { webhook: hook, lookup } = await stack.handlers();
    const GROUP_ID = -4001002;
    const SUPERGROUP = -100200300;
    const inGroup = (from: number, date: number) => {
      updateId += 1;
      return {
        update_id: updateId,
        message: {
          message_id: updateId,
          from: person(from),
          chat: { id: GROUP_ID, title: 'Test Group', type: 'group' },
          date,
          text: 'before the migration',
        },
      };
    };
    await post(
      hook,
      inGroup(1001, DAY0 + 10),
      inGroup(3101, DAY0 + 20),
      inGroup(3101, DAY0 + 30),
      inGroup(3102, DAY0 + 40),
      loadUpdate('migrate-to-chat'),
      loadUpdate('migrate-from-chat'),
      message(SUPERGROUP, 3102, DAY0 + 2000),
    );
    const plain = await lookup.call({
      path: `/v1/chats/${SUPERGROUP}/members`,
      query: { limit: '100' },
    });
    expect(plain.body.items.length).toBeGreaterThanOrEqual(3);
    const byId = (items: { userId: number }[]) => [...items].sort((a, b) => a.userId - b.userId);
    for (const sort of ['lastSeen', 'messages', 'joined']) {
      const sorted = await lookup.call({
        path: `/v1/chats/${SUPERGROUP}/members`,
        query: { limit: '100', sort },
      });
      expect(byId(sorted.body.items), sort).toEqual(byId(plain.body.items));
    }
    const copied = plain.body.items.find((m: { userId: number }) => m.userId === 3101);
    expect(copied).toMatchObject({
      messageCount: 2,
      lastSeenAt: new Date((DAY0 + 30) * 1000).toISOString(),
    });
  });
});
