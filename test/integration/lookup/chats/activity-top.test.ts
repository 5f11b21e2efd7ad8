/**
 * Chat and contact activity (distinct senders, joins and leaves, hours by weekday) and top
 * members, through the real webhook and lookup handlers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  activityOf,
  eraseContact,
  hourGrid,
  post,
  type TestLookup,
} from '../../../helpers/lookup.ts';
import {
  at,
  type ChatRef,
  chatMemberUpdate,
  chatMessage,
  type Who,
} from '../../../helpers/member-updates.ts';
import { recordingClient } from '../../../helpers/request-log.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';
import type { TestStore } from '../../../helpers/store.ts';

const CHAT: ChatRef = { id: -100333444, type: 'supergroup', title: 'Activity Group' };
const ALICE: Who = { id: 1001, first_name: 'Alice', last_name: 'Smith', username: 'Alice_Smith' };
const BOB: Who = { id: 1002, first_name: 'Bob' };
const CAROL: Who = { id: 1003, first_name: 'Carol' };
const DAVE: Who = { id: 1004, first_name: 'Dave' };
const ERIN: Who = { id: 1005, first_name: 'Erin' };
const FRANK: Who = { id: 1006, first_name: 'Frank' };
// As strings USER#10000 sorts before USER#9999: a tie between them shows the order is numeric.
const GUS: Who = { id: 9999, first_name: 'Gus' };
const HANA: Who = { id: 10000, first_name: 'Hana', username: 'hana' };

const say = (person: Who, iso: string) => chatMessage({ chat: CHAT, person, date: at(iso) });

const stack = useStack();
let api: TestLookup;
let store: TestStore;

/**
 * January 2026 (Monday the 5th to Sunday the 11th) and Monday 2 February. Monday: Alice writes
 * 5 times at 09:15, Bob at 10:00, Carol at 23:30. Tuesday: Carol at 00:10, Bob at 08:00 (that
 * update delivered twice), Alice at 08:30. Wednesday: Dave joins, Erin leaves, Frank is
 * banned; nobody writes. Thursday: Gus and Hana write twice each at 14:00. Sunday 23:59:59
 * and Monday 2 February 09:00: Alice.
 */
beforeAll(async () => {
  let webhook: Awaited<ReturnType<typeof stack.handlers>>['webhook'];
  ({ store, webhook, lookup: api } = await stack.handlers());
  // Update ids grow in the order the updates are made: Telegram's order within a chat.
  await post(
    webhook,
    ...[0, 1, 2, 3, 4].map((s) => say(ALICE, `2026-01-05T09:15:0${s}`)),
    say(BOB, '2026-01-05T10:00:00'),
    say(CAROL, '2026-01-05T23:30:00'),
    say(CAROL, '2026-01-06T00:10:00'),
  );
  const bobTuesday = say(BOB, '2026-01-06T08:00:00');
  await post(
    webhook,
    bobTuesday,
    bobTuesday,
    say(ALICE, '2026-01-06T08:30:00'),
    chatMemberUpdate({
      chat: CHAT,
      actor: DAVE,
      member: DAVE,
      from: 'left',
      to: 'member',
      date: at('2026-01-07T12:00:00'),
    }),
    chatMemberUpdate({
      chat: CHAT,
      actor: ERIN,
      member: ERIN,
      from: 'member',
      to: 'left',
      date: at('2026-01-07T13:00:00'),
    }),
    chatMemberUpdate({
      chat: CHAT,
      actor: ALICE,
      member: FRANK,
      from: 'member',
      to: 'kicked',
      date: at('2026-01-07T14:00:00'),
    }),
    say(GUS, '2026-01-08T14:00:00'),
    say(HANA, '2026-01-08T14:00:01'),
    say(HANA, '2026-01-08T14:00:02'),
    say(GUS, '2026-01-08T14:00:03'),
    say(ALICE, '2026-01-11T23:59:59'),
    say(ALICE, '2026-02-02T09:00:00'),
  );
});

/** January's messages by weekday and hour (0 = Monday). */
const JANUARY_HOURS: [number, number, number][] = [
  [0, 9, 5],
  [0, 10, 1],
  [0, 23, 1],
  [1, 0, 1],
  [1, 8, 2],
  [3, 14, 4],
  [6, 23, 1],
];

/** The activity of a chat or contact from `from` to `to`: expects 200, returns the body. */
async function activityOk(of: { chat: number } | { contact: number }, from: string, to: string) {
  const response = await activityOf(api, of, from, to);
  expect(response.status).toBe(200);
  return response.body;
}

describe('GET /v1/chats/{chatId}/activity', () => {
  it('counts distinct senders, joins and leaves per day, and messages by weekday and hour', async () => {
    const activity = await activityOk({ chat: CHAT.id }, '2026-01-05', '2026-01-11');
    expect(activity).toEqual({
      days: [
        // Alice 5 times, Bob, Carol: 7 messages, 3 senders.
        { date: '2026-01-05', messages: 7, activeMembers: 3, joins: 0, leaves: 0 },
        // Carol again after midnight counts again; Bob's redelivered message counts once.
        { date: '2026-01-06', messages: 3, activeMembers: 3, joins: 0, leaves: 0 },
        // No message: Dave joined, Erin left, Frank was banned.
        { date: '2026-01-07', messages: 0, activeMembers: 0, joins: 1, leaves: 2 },
        { date: '2026-01-08', messages: 4, activeMembers: 2, joins: 0, leaves: 0 },
        { date: '2026-01-11', messages: 1, activeMembers: 1, joins: 0, leaves: 0 },
      ],
      hours: hourGrid(...JANUARY_HOURS),
      hoursRange: { from: '2026-01-01', to: '2026-01-31' },
    });
  });

  it('counts hours over every whole month the range touches, days only within it', async () => {
    const activity = await activityOk({ chat: CHAT.id }, '2026-01-20', '2026-02-10');
    expect(activity.days).toEqual([
      { date: '2026-02-02', messages: 1, activeMembers: 1, joins: 0, leaves: 0 },
    ]);
    expect(activity.hoursRange).toEqual({ from: '2026-01-01', to: '2026-02-28' });
    expect(activity.hours).toEqual(
      hourGrid(
        ...JANUARY_HOURS.map(([w, h, n]): [number, number, number] =>
          w === 0 && h === 9 ? [w, h, n + 1] : [w, h, n],
        ),
      ),
    );
  });

  it('leaves out the days of the months it reads that are outside the range', async () => {
    const response = await activityOf(api, { chat: CHAT.id }, '2026-01-07', '2026-01-07');
    expect(response.body.days).toEqual([
      { date: '2026-01-07', messages: 0, activeMembers: 0, joins: 1, leaves: 2 },
    ]);
    expect(response.body.hours).toEqual(hourGrid(...JANUARY_HOURS));
  });
});

describe('GET /v1/contacts/{userId}/activity', () => {
  it("counts the user's messages by day and by weekday and hour", async () => {
    const alice = await activityOk({ contact: ALICE.id }, '2026-01-05', '2026-01-11');
    expect(alice).toEqual({
      days: [
        { date: '2026-01-05', messages: 5 },
        { date: '2026-01-06', messages: 1 },
        { date: '2026-01-11', messages: 1 },
      ],
      hours: hourGrid([0, 9, 5], [1, 8, 1], [6, 23, 1]),
      hoursRange: { from: '2026-01-01', to: '2026-01-31' },
    });
    const bob = await activityOf(api, { contact: BOB.id }, '2026-01-01', '2026-02-28');
    // The redelivered Tuesday message counted once.
    expect(bob.body).toEqual({
      days: [
        { date: '2026-01-05', messages: 1 },
        { date: '2026-01-06', messages: 1 },
      ],
      hours: hourGrid([0, 10, 1], [1, 8, 1]),
      hoursRange: { from: '2026-01-01', to: '2026-02-28' },
    });
  });
});

describe('GET /v1/chats/{chatId}/top', () => {
  const user = (who: Who) => ({
    id: who.id,
    isBot: false,
    firstName: who.first_name,
    ...(who.last_name ? { lastName: who.last_name } : {}),
    ...(who.username ? { username: who.username } : {}),
  });
  const top = (query: Record<string, string>) =>
    api.call({ path: `/v1/chats/${CHAT.id}/top`, query });

  it('ranks members by messages over the whole months the range touches, ties by user id', async () => {
    // 20-25 January counts all of January.
    const response = await top({ from: '2026-01-20', to: '2026-01-25' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      from: '2026-01-01',
      to: '2026-01-31',
      items: [
        { userId: ALICE.id, messages: 7, user: user(ALICE) },
        { userId: BOB.id, messages: 2, user: user(BOB) },
        { userId: CAROL.id, messages: 2, user: user(CAROL) },
        { userId: GUS.id, messages: 2, user: user(GUS) },
        { userId: HANA.id, messages: 2, user: user(HANA) },
      ],
    });
  });

  it('counts a message of the 2nd for a range starting on the 20th of that month', async () => {
    const response = await top({ from: '2026-02-20', to: '2026-02-21' });
    expect(response.body).toEqual({
      from: '2026-02-01',
      to: '2026-02-28',
      items: [{ userId: ALICE.id, messages: 1, user: user(ALICE) }],
    });
  });

  it('keeps the first `limit` members, over several months', async () => {
    const two = await top({ from: '2026-01-05', to: '2026-02-02', limit: '2' });
    expect(
      two.body.items.map((i: { userId: number; messages: number }) => [i.userId, i.messages]),
    ).toEqual([
      [ALICE.id, 8],
      [BOB.id, 2],
    ]);
    expect(two.body).toMatchObject({ from: '2026-01-01', to: '2026-02-28' });
    const one = await top({ from: '2026-01-05', to: '2026-01-05', limit: '1' });
    expect(one.body.items).toEqual([{ userId: ALICE.id, messages: 7, user: user(ALICE) }]);
  });

  it('lists nobody for months without messages, or a chat never seen', async () => {
    expect((await top({ from: '2025-12-01', to: '2025-12-31' })).body).toEqual({
      from: '2025-12-01',
      to: '2025-12-31',
      items: [],
    });
    const unknown = await api.call({
      path: '/v1/chats/-100404/top',
      query: { from: '2026-01-01', to: '2026-01-31' },
    });
    expect(unknown.status).toBe(200);
    expect(unknown.body.items).toEqual([]);
  });

  it('answers 400 problem+json for a missing or bad range or limit', async () => {
    const bad: Record<string, string>[] = [
      {},
      { from: '2026-01-01' },
      { to: '2026-01-31' },
      { from: '2026-01-31', to: '2026-01-01' },
      { from: '2025-01-01', to: '2026-01-02' },
      { from: '2026-1-1', to: '2026-01-31' },
      { from: '2026-01-01', to: '2026-02-30' },
      { from: '2026-01-01', to: '2026-01-31', limit: '0' },
      { from: '2026-01-01', to: '2026-01-31', limit: '101' },
      { from: '2026-01-01', to: '2026-01-31', limit: 'ten' },
      { from: '2026-01-01', to: '2026-01-31', limit: '1.5' },
    ];
    for (const query of bad) {
      const response = await top(query);
      const label = JSON.stringify(query);
      expect(response.status, label).toBe(400);
      expect(response.headers['content-type'], label).toBe('application/problem+json');
      expect(response.body.status, label).toBe(400);
    }
    expect((await top({ from: '2025-01-01', to: '2026-01-02' })).body.detail).toBe(
      'the range may span at most 366 days',
    );
    const badId = await api.call({
      path: '/v1/chats/activity-group/top',
      query: { from: '2026-01-01', to: '2026-01-31' },
    });
    expect(badId.status).toBe(400);
  });

  it('reads the memberships with one Query and one BatchGet once the key is cached', async () => {
    const { client, log } = recordingClient(store.endpoint);
    try {
      const counted = await stack.lookup({ store, client });
      const query = { from: '2026-01-01', to: '2026-01-31' };
      await counted.call({ path: `/v1/chats/${CHAT.id}/top`, query });
      log.reset();
      const response = await counted.call({ path: `/v1/chats/${CHAT.id}/top`, query });
      expect(response.body.items).toHaveLength(5);
      expect(log.records.map((r) => r.command)).toEqual(['QueryCommand', 'BatchGetItemCommand']);
    } finally {
      client.destroy();
    }
  });
});

// Last: it erases a member of the shared story.
describe('erasure and activity', () => {
  it("takes the member out of top, and leaves the chat's anonymous counts", async () => {
    await eraseContact(api, HANA.id);
    const top = await api.call({
      path: `/v1/chats/${CHAT.id}/top`,
      query: { from: '2026-01-01', to: '2026-01-31' },
    });
    expect(top.body.items.map((i: { userId: number }) => i.userId)).toEqual([
      ALICE.id,
      BOB.id,
      CAROL.id,
      GUS.id,
    ]);
    const activity = await activityOf(api, { chat: CHAT.id }, '2026-01-08', '2026-01-08');
    expect(activity.body.days).toEqual([
      { date: '2026-01-08', messages: 4, activeMembers: 2, joins: 0, leaves: 0 },
    ]);
    const own = await activityOf(api, { contact: HANA.id }, '2026-01-01', '2026-01-31');
    expect(own.body.days).toEqual([]);
  });
});
