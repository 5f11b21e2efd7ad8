import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../../functions/webhook.ts';
import { loadUpdates } from '../../../fixtures/updates.ts';
import {
  ALICE,
  activityOf,
  DAY0,
  expectNotFound,
  GROUP,
  groupMessage,
  hourGrid,
  post,
  type TestLookup,
} from '../../../helpers/lookup.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const BIG_GROUP = -100777888;
const MEMBERS = 120;
const memberId = (i: number) => 5000 + i;

const stack = useStack();
let webhook: WebhookHandler;
let api: TestLookup;

beforeAll(async () => {
  ({ webhook, lookup: api } = await stack.handlers());
  await post(
    webhook,
    ...loadUpdates('group-message', 'new-chat-members', 'left-chat-member'),
    groupMessage({ id: ALICE, first_name: 'Alice' }, { date: DAY0 + 86_400 }),
  );
  const people = Array.from({ length: MEMBERS }, (_, i) => ({
    id: memberId(i),
    first_name: `Member ${i}`,
    username: `member_${i}`,
  }));
  // Concurrently in batches, the way Telegram delivers to several instances.
  for (let i = 0; i < people.length; i += 20) {
    await Promise.all(
      people.slice(i, i + 20).map((p) => post(webhook, groupMessage(p, { chatId: BIG_GROUP }))),
    );
  }
});

describe('GET /v1/chats/{chatId}', () => {
  it('returns the chat with its counters', async () => {
    const response = await api.call({ path: `/v1/chats/${GROUP}` });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: GROUP,
      type: 'supergroup',
      title: 'Test Group',
      firstSeenAt: '2025-11-24T16:00:00.000Z',
      lastSeenAt: '2025-11-25T16:00:00.000Z',
      messageCount: 2,
    });
  });

  it('returns 404 when the chat was never seen', async () => {
    expectNotFound(await api.call({ path: '/v1/chats/-100404' }), 'no chat with id -100404');
  });

  it('returns 400 when the chat id is not an integer', async () => {
    const response = await api.call({ path: '/v1/chats/test-group' });
    expect(response.status).toBe(400);
    expect(response.body.detail).toBe('chatId must be an integer');
  });
});

describe('GET /v1/chats/{chatId}/members', () => {
  it('lists current and former members with the embedded user', async () => {
    const response = await api.call({ path: `/v1/chats/${GROUP}/members` });
    expect(response.status).toBe(200);
    const byId = new Map(response.body.items.map((m: { userId: number }) => [m.userId, m]));
    expect(byId.get(ALICE)).toMatchObject({
      status: 'member',
      isMember: true,
      messageCount: 2,
      user: { id: ALICE, firstName: 'Alice', isBot: false },
    });
    expect(byId.get(1002)).toMatchObject({
      status: 'left',
      isMember: false,
      leftAt: '2025-11-24T16:09:00.000Z',
      user: { id: 1002, firstName: 'Bob', lastName: 'Jones', username: 'bob_jones' },
    });
    // Embedded profiles carry no counters (they are read without their monthly items).
    expect(byId.get(ALICE)).not.toHaveProperty('user.messageCount');
    expect(response.body.nextCursor).toBeUndefined();
  });

  it('pages through 120 members with limit=50 in 3 pages, each member exactly once', async () => {
    const seen: number[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const response = await api.call({
        path: `/v1/chats/${BIG_GROUP}/members`,
        query: { limit: '50', ...(cursor ? { cursor } : {}) },
      });
      expect(response.status).toBe(200);
      sizes.push(response.body.items.length);
      for (const m of response.body.items) {
        expect(m.user.firstName).toBe(`Member ${m.userId - 5000}`);
        seen.push(m.userId);
      }
      cursor = response.body.nextCursor;
    } while (cursor && sizes.length < 10);
    expect(sizes).toEqual([50, 50, 20]);
    expect(new Set(seen).size).toBe(MEMBERS);
    expect(seen.sort((a, b) => a - b)).toEqual(
      Array.from({ length: MEMBERS }, (_, i) => memberId(i)),
    );
  });

  it('uses 50 as the default page size', async () => {
    const response = await api.call({ path: `/v1/chats/${BIG_GROUP}/members` });
    expect(response.body.items).toHaveLength(50);
    expect(typeof response.body.nextCursor).toBe('string');
  });

  it('returns 400 for an altered cursor', async () => {
    const first = await api.call({ path: `/v1/chats/${BIG_GROUP}/members`, query: { limit: '5' } });
    const cursor: string = first.body.nextCursor;
    const [payload = '', mac = ''] = cursor.split('.');
    // Cursors are sealed: a client can only write a key of its own next to a real tag.
    const body = {
      k: {
        pk: 'USER#5100',
        sk: `CHAT#${BIG_GROUP}`,
        gsi1pk: `CHAT#${BIG_GROUP}`,
        gsi1sk: 'USER#5100',
      },
      x: 4_000_000_000,
    };
    const forged = `${Buffer.from(JSON.stringify(body)).toString('base64url')}.${mac}`;
    const flipLast = `${cursor.slice(0, -1)}${cursor.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [forged, flipLast, `${cursor}x`, 'not-a-cursor', `${payload}.`]) {
      const response = await api.call({
        path: `/v1/chats/${BIG_GROUP}/members`,
        query: { limit: '5', cursor: bad },
      });
      expect(response.status, bad).toBe(400);
      expect(response.body.detail).toMatch(/cursor is invalid/);
    }
  });

  it('returns 400 for a cursor made for another chat or another route', async () => {
    const first = await api.call({ path: `/v1/chats/${BIG_GROUP}/members`, query: { limit: '5' } });
    const cursor: string = first.body.nextCursor;
    const otherChat = await api.call({ path: `/v1/chats/${GROUP}/members`, query: { cursor } });
    expect(otherChat.status).toBe(400);
    const otherRoute = await api.call({ path: `/v1/contacts/${ALICE}/chats`, query: { cursor } });
    expect(otherRoute.status).toBe(400);
    const sameQuery = await api.call({
      path: `/v1/chats/${BIG_GROUP}/members`,
      query: { limit: '5', cursor },
    });
    expect(sameQuery.status).toBe(200);
    expect(sameQuery.body.items).toHaveLength(5);
  });

  it('returns an empty list for a chat never seen', async () => {
    const response = await api.call({ path: '/v1/chats/-100404/members' });
    expect(response.body).toEqual({ items: [] });
  });
});

describe('GET /v1/chats/{chatId}/activity', () => {
  it('returns messages per day in the chat, service messages not counted', async () => {
    const response = await activityOf(api, { chat: GROUP }, '2025-11-24', '2025-11-30');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      days: [
        // Bob joined (new_chat_members) and left (left_chat_member) on the Monday.
        { date: '2025-11-24', messages: 1, activeMembers: 1, joins: 1, leaves: 1 },
        { date: '2025-11-25', messages: 1, activeMembers: 1, joins: 0, leaves: 0 },
      ],
      // Monday and Tuesday, 16:00-17:00 UTC.
      hours: hourGrid([0, 16, 1], [1, 16, 1]),
      hoursRange: { from: '2025-11-01', to: '2025-11-30' },
    });
  });

  it('returns 400 when from is after to', async () => {
    const response = await activityOf(api, { chat: GROUP }, '2025-11-30', '2025-11-24');
    expect(response.status).toBe(400);
    expect(response.body.detail).toBe('from must not be after to');
  });
});
