import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../../functions/webhook.ts';
import { ALICE_AS_RECORDED, loadUpdate, loadUpdates } from '../../../fixtures/updates.ts';
import {
  ALICE,
  activityOf,
  BOB,
  DAY0,
  expectNotFound,
  GROUP,
  groupMessage,
  hourGrid,
  post,
  type TestLookup,
} from '../../../helpers/lookup.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const DAY = 86_400;
const ALICE_PROFILE = {
  id: ALICE,
  first_name: 'Alice',
  last_name: 'Smith',
  username: 'Alice_Smith',
};

const stack = useStack();
let webhook: WebhookHandler;
let api: TestLookup;

/**
 * Alice writes in the group on 2025-11-24 (twice), 2025-11-30 and 2025-12-01, sends the bot
 * her own contact and Bob's card (two private messages on 2025-11-24), shares Bob and Carol
 * through users_shared and adds Bob to the group (service messages: not counted); Bob is
 * then restricted there. Alice: 6 messages, 4 of them in the group.
 */
beforeAll(async () => {
  ({ webhook, lookup: api } = await stack.handlers());
  await post(
    webhook,
    loadUpdate('group-message'),
    groupMessage(ALICE_PROFILE, { date: DAY0 + 60 }),
    groupMessage(ALICE_PROFILE, { date: DAY0 + 6 * DAY }),
    groupMessage(ALICE_PROFILE, { date: DAY0 + 7 * DAY }),
    ...loadUpdates(
      'contact-own',
      'contact-other',
      'users-shared',
      'new-chat-members',
      'chat-member-restricted',
    ),
  );
});

describe('GET /v1/contacts/{userId}', () => {
  it('returns the contact with its verified phone, ISO times and message count', async () => {
    const response = await api.call({ path: `/v1/contacts/${ALICE}` });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toEqual({
      id: ALICE,
      ...ALICE_AS_RECORDED,
      phoneNumber: '+15551234567',
      broadcastOptOut: false,
      firstSeenAt: '2025-11-24T16:00:00.000Z',
      lastSeenAt: '2025-12-01T16:00:00.000Z',
      messageCount: 6,
    });
  });

  it('returns 404 problem+json when the user was never seen', async () => {
    expectNotFound(await api.call({ path: '/v1/contacts/424242' }), 'no contact with id 424242');
  });

  it.each(['abc', '1.5', '1e3', '0x10', '99999999999999999', '%E0%A4%A'])(
    'returns 400 when the id is %s',
    async (id) => {
      const response = await api.call({ path: `/v1/contacts/${id}` });
      expect(response.status).toBe(400);
      expect(response.body.detail).toMatch(/userId/);
    },
  );

  it('returns 404 for an unknown route and 405 with Allow for another method', async () => {
    expect((await api.call({ path: '/v1/contacts/1001/friends' })).status).toBe(404);
    expect((await api.call({ path: '/v2/contacts/1001' })).status).toBe(404);
    const response = await api.call({ path: '/v1/contacts/1001', method: 'PUT' });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, PATCH, DELETE');
  });
});

describe('GET /v1/contacts?username=', () => {
  it.each(['Alice_Smith', 'alice_smith', '@ALICE_SMITH', '@alice_Smith'])(
    'finds the contact for %s',
    async (username) => {
      const response = await api.call({ path: '/v1/contacts', query: { username } });
      expect(response.status).toBe(200);
      expect(response.body.items.map((c: { id: number }) => c.id)).toEqual([ALICE]);
      expect(response.body.items[0].messageCount).toBe(6);
      expect(response.body.nextCursor).toBeUndefined();
    },
  );

  it('returns an empty list when nobody has the username', async () => {
    const response = await api.call({ path: '/v1/contacts', query: { username: 'nobody_here' } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [] });
  });

  it('finds a contact by the username it has now, not by one an older month kept', async () => {
    // Alice was "bob_jones" long before: that month's item still carries it in the index.
    const past = groupMessage(
      { ...ALICE_PROFILE, username: 'bob_jones' },
      { date: DAY0 - 800 * DAY, chatId: -100777 },
    );
    await post(webhook, past);
    const response = await api.call({ path: '/v1/contacts', query: { username: 'bob_jones' } });
    expect(response.body.items.map((c: { id: number }) => c.id)).toEqual([BOB]);
    const now = await api.call({ path: '/v1/contacts', query: { username: 'alice_smith' } });
    expect(now.body.items.map((c: { id: number }) => c.id)).toEqual([ALICE]);
  });

  it.each([
    [{ username: 'a b' }, /username/],
    [{ username: '@' }, /username/],
    [{}, /exactly one of username, phone and tag/],
    [{ username: 'alice_smith', phone: '+15551234567' }, /exactly one/],
    [{ username: 'alice_smith', limit: '0' }, /limit/],
  ])('returns 400 for %j', async (query, detail) => {
    const response = await api.call({ path: '/v1/contacts', query });
    expect(response.status).toBe(400);
    expect(response.body.detail).toMatch(detail);
  });

  it.each(['0', '-5'])('answers 400 to the user id %s: user ids are positive', async (id) => {
    const response = await api.call({ path: `/v1/contacts/${id}` });
    expect(response.status).toBe(400);
    expect(response.body.detail).toBe('userId is positive');
  });

  it.each<Record<string, string>>([
    { username: 'alice_smith', phone: '1' },
    { username: 'a b', tag: 'vip' },
    { phone: 'x', tag: 'not a tag', limit: '0' },
  ])('says only to give exactly one when %j gives two or more', async (query) => {
    const response = await api.call({ path: '/v1/contacts', query });
    expect(response.status).toBe(400);
    expect(response.body.detail).toBe('give exactly one of username, phone and tag');
  });
});

describe('GET /v1/contacts?phone=', () => {
  it.each([
    '+15551234567',
    '+1 555 123-4567',
    '15551234567',
    '+1 (555) 123-4567',
    '001 555.123.4567',
  ])('finds the verified phone written as %s', async (phone) => {
    const response = await api.call({ path: '/v1/contacts', query: { phone } });
    expect(response.status).toBe(200);
    expect(response.body.items.map((c: { id: number }) => c.id)).toEqual([ALICE]);
  });

  it('does not match a phone that only appears in a shared contact card', async () => {
    const response = await api.call({ path: '/v1/contacts', query: { phone: '+44 20 7946 0958' } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [] });
  });

  it.each(['abc', '12345', '+0 555 123 4567'])('returns 400 for the phone %s', async (phone) => {
    const response = await api.call({ path: '/v1/contacts', query: { phone } });
    expect(response.status).toBe(400);
    expect(response.body.detail).toMatch(/phone is not a phone number/);
  });
});

describe('GET /v1/contacts/{userId}/chats', () => {
  it('lists the chats with membership and the embedded chat', async () => {
    const response = await api.call({ path: `/v1/contacts/${BOB}/chats` });
    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([
      {
        userId: BOB,
        chatId: GROUP,
        status: 'restricted',
        isMember: true,
        joinedAt: '2025-11-24T16:08:00.000Z',
        firstSeenAt: '2025-11-24T16:08:00.000Z',
        messageCount: 0,
        chat: { id: GROUP, type: 'supergroup', title: 'Test Group' },
      },
    ]);
  });

  it('returns an empty list for a user never seen', async () => {
    const response = await api.call({ path: '/v1/contacts/424242/chats' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [] });
  });

  it.each(['0', '101', 'abc', '-1', '1.5', ''])('returns 400 when limit is "%s"', async (limit) => {
    const response = await api.call({ path: `/v1/contacts/${ALICE}/chats`, query: { limit } });
    expect(response.status).toBe(400);
    expect(response.body.detail).toMatch(/limit|cursor/);
  });
});

describe('GET /v1/contacts/{userId}/chats/{chatId}', () => {
  it('returns the stored membership without asking Telegram', async () => {
    stack.botApi.reset();
    const response = await api.call({ path: `/v1/contacts/${ALICE}/chats/${GROUP}` });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      userId: ALICE,
      chatId: GROUP,
      status: 'member',
      isMember: true,
      firstSeenAt: '2025-11-24T16:00:00.000Z',
      lastSeenAt: '2025-12-01T16:00:00.000Z',
      messageCount: 4,
    });
    expect(stack.botApi.calls).toHaveLength(0);
  });

  it('returns 404 when the user has no membership in the chat', async () => {
    const response = await api.call({ path: `/v1/contacts/${ALICE}/chats/-100999` });
    expect(response.status).toBe(404);
    expect(response.body.detail).toMatch(/no recorded membership/);
  });

  it('returns 400 for a non-integer chat id or a live value other than true/false', async () => {
    expect((await api.call({ path: `/v1/contacts/${ALICE}/chats/abc` })).body.detail).toMatch(
      /chatId must be an integer/,
    );
    const live = await api.call({
      path: `/v1/contacts/${ALICE}/chats/${GROUP}`,
      query: { live: 'yes' },
    });
    expect(live.status).toBe(400);
    expect(live.body.detail).toMatch(/live must be true or false/);
  });
});

describe('GET /v1/contacts/{userId}/shared', () => {
  it('lists the contacts the user shared, merged per shared user', async () => {
    const response = await api.call({ path: `/v1/contacts/${ALICE}/shared` });
    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([
      {
        ownerId: ALICE,
        userId: BOB,
        phoneNumber: '+442079460958',
        firstName: 'Bob',
        lastName: 'Jones',
        username: 'bob_jones',
        sharedAt: '2025-11-24T16:06:00.000Z',
      },
      { ownerId: ALICE, userId: 1003, firstName: 'Carol', sharedAt: '2025-11-24T16:07:00.000Z' },
    ]);
  });

  it('returns an empty list for a user who shared nothing', async () => {
    const response = await api.call({ path: `/v1/contacts/${BOB}/shared` });
    expect(response.body).toEqual({ items: [] });
  });
});

describe('GET /v1/contacts/{userId}/activity', () => {
  it('returns the days with messages in the range, across months, by the update date', async () => {
    const response = await activityOf(api, { contact: ALICE }, '2025-11-01', '2025-12-31');
    expect(response.status).toBe(200);
    // Monday 24 November and Monday 1 December, and Sunday 30 November, at 16:xx UTC.
    expect(response.body.hours).toEqual(hourGrid([0, 16, 5], [6, 16, 1]));
    expect(response.body.hoursRange).toEqual({ from: '2025-11-01', to: '2025-12-31' });
    expect(response.body.days).toEqual([
      { date: '2025-11-24', messages: 4 },
      { date: '2025-11-30', messages: 1 },
      { date: '2025-12-01', messages: 1 },
    ]);
  });

  it('leaves out days outside the range, also inside a month it reads', async () => {
    const response = await activityOf(api, { contact: ALICE }, '2025-11-25', '2025-11-30');
    expect(response.body.days).toEqual([{ date: '2025-11-30', messages: 1 }]);
    // Hours are kept per month: they count the whole of November.
    expect(response.body.hoursRange).toEqual({ from: '2025-11-01', to: '2025-11-30' });
    expect(response.body.hours.flat().reduce((a: number, b: number) => a + b, 0)).toBe(5);
  });

  it('returns no days for a user never seen', async () => {
    const response = await activityOf(api, { contact: 424242 }, '2025-11-01', '2025-11-30');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      days: [],
      hours: hourGrid(),
      hoursRange: { from: '2025-11-01', to: '2025-11-30' },
    });
  });

  it('accepts a range of exactly 366 days', async () => {
    const response = await activityOf(api, { contact: ALICE }, '2024-12-02', '2025-12-02');
    expect(response.status).toBe(200);
    expect(response.body.days).toHaveLength(3);
  });

  it.each([
    [{ from: '2025-11-01' }, /to must be a date/],
    [{ from: '2025-11-01', to: '2025-02-30' }, /to must be a date/],
    [{ from: '2025-1-01', to: '2025-11-30' }, /from must be a date/],
    [{ from: '20251101', to: '2025-11-30' }, /from must be a date/],
    [{ from: '2025-12-01', to: '2025-11-30' }, /from must not be after to/],
    [{ from: '2024-12-01', to: '2025-12-02' }, /at most 366 days/],
  ])('returns 400 for %j', async (query, detail) => {
    const response = await api.call({ path: `/v1/contacts/${ALICE}/activity`, query });
    expect(response.status).toBe(400);
    expect(response.body.detail).toMatch(detail);
  });
});
