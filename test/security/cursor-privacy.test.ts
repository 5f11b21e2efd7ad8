/**
 * Pagination cursors show nothing of what they continue: no user id, no phone number, to any
 * key. A cursor is the last key a page read (`USER#<id>`, `SHARED#PHONE#<e164>`, a sorted
 * position) and stays in the client's hands for a day: readable, it would give a phone number
 * to a key without the phones permission and keep a person's id after their erasure. Every
 * list route of the OpenAPI document is walked with `limit=1` over a populated table, through
 * the real webhook, lookup handler and dispatcher. Ids have seven digits, so that nothing in a
 * cursor matches them by chance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateMessage } from '../helpers/broadcasts.ts';
import { type EventReceiver, startEventReceiver } from '../helpers/event-receiver.ts';
import { contactCard, type EventRig, eventRig } from '../helpers/event-rig.ts';
import { groupMessage, post, type TestLookup, tagContacts } from '../helpers/lookup.ts';
import { joinedMessage } from '../helpers/member-updates.ts';
import { nowSeconds } from '../helpers/recorder-rig.ts';
import { useStack } from '../helpers/stack-fixture.ts';

const stack = useStack();
const JSON_TYPE = { 'content-type': 'application/json' };

const ALICE = { id: 7_101_001, first_name: 'Alicia', username: 'alicia_q' };
const BOB = { id: 7_102_002, first_name: 'Bobby' };
const CAROL = { id: 7_103_003, first_name: 'Carol' };
const PEOPLE = [ALICE, BOB, CAROL];
const GROUP = -100_710_071;
const OTHER_GROUP = -100_720_072;
/** Alicia's number, on a card of Bob's and verified by her and Carol (a reassigned number). */
const PHONE = '+15557654321';
const CARD_PHONE = '+15550000000';

let receiver: EventReceiver;
let rig: EventRig;
let api: TestLookup;

/** Every readable form of a cursor: its text and each part decoded as base64url. */
function readings(cursor: string): string[] {
  const parts = cursor.split('.');
  return [cursor, ...parts.map((part) => Buffer.from(part, 'base64url').toString('latin1'))];
}

/** What no cursor may hold: the people's ids, the numbers' digit runs, key names. */
const SECRETS = [
  ...PEOPLE.map((p) => String(p.id)),
  PHONE.slice(-10),
  CARD_PHONE.slice(-10),
  'USER#',
  'PHONE#',
];

function expectOpaque(route: string, cursor: string) {
  for (const text of readings(cursor)) {
    for (const secret of SECRETS) {
      expect(text.includes(secret), `${route}: cursor shows ${secret}`).toBe(false);
    }
  }
}

beforeAll(async () => {
  receiver = await startEventReceiver();
  rig = await eventRig(stack, receiver);
  api = rig.lookup;
  const t = nowSeconds() - 3600;
  const chat = { id: GROUP, type: 'supergroup' as const, title: 'Cursor group' };
  await post(
    rig.webhook,
    joinedMessage({ chat, actor: ALICE, members: [ALICE], date: t }),
    joinedMessage({ chat, actor: BOB, members: [BOB, CAROL], date: t + 1 }),
    ...PEOPLE.map((p, i) => groupMessage(p, { chatId: GROUP, date: t + 10 + i })),
    groupMessage(ALICE, { chatId: OTHER_GROUP, date: t + 20 }),
    contactCard(BOB, { phone_number: PHONE.slice(1), first_name: 'Alicia' }, t + 30, 9_200_001),
    contactCard(
      BOB,
      { phone_number: CARD_PHONE.slice(1), first_name: 'Carol', user_id: CAROL.id },
      t + 31,
      9_200_002,
    ),
    contactCard(
      ALICE,
      { phone_number: PHONE.slice(1), first_name: 'Alicia', user_id: ALICE.id },
      t + 32,
      9_200_003,
    ),
    contactCard(
      CAROL,
      { phone_number: PHONE.slice(1), first_name: 'Carol', user_id: CAROL.id },
      t + 33,
      9_200_004,
    ),
    ...PEOPLE.map((p) => privateMessage(p, t + 40)),
  );
  await tagContacts(api, [ALICE.id, BOB.id], ['vip']);
  const second = await api.call({
    method: 'POST',
    path: '/v1/subscriptions',
    key: api.adminKey,
    headers: JSON_TYPE,
    body: JSON.stringify({ url: receiver.url, events: ['*'] }),
  });
  expect(second.status, second.raw).toBe(201);
  for (const text of ['One', 'Two']) {
    const broadcast = await api.call({
      method: 'POST',
      path: '/v1/broadcasts',
      key: api.adminKey,
      headers: JSON_TYPE,
      body: JSON.stringify({ text, audience: { userIds: [ALICE.id, BOB.id] } }),
    });
    expect(broadcast.status, broadcast.raw).toBe(202);
  }
  await rig.drain();
});

afterAll(async () => {
  await receiver?.close();
});

/** The list routes (a GET with a `cursor` parameter) of the OpenAPI document. */
async function listRoutes(): Promise<string[]> {
  const doc = (await api.call({ path: '/v1/openapi.json', key: null })).body;
  return Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .filter(([, ops]) => {
      const get = ops.get as { parameters?: { name: string }[] } | undefined;
      return get?.parameters?.some((p) => p.name === 'cursor') ?? false;
    })
    .map(([path]) => path);
}

describe('pagination cursors', () => {
  it('withholds a phone-only card’s number from the next-page cursor of the shared list', async () => {
    const page = await api.call({
      path: `/v1/contacts/${BOB.id}/shared`,
      query: { limit: '1' },
      key: api.noPhonesKey,
    });
    expect(page.status, page.raw).toBe(200);
    expect(page.raw).not.toContain('5557654321');
    expect(page.body.nextCursor).toEqual(expect.any(String));
    for (const text of readings(page.body.nextCursor)) expect(text).not.toContain('5557654321');
    const next = await api.call({
      path: `/v1/contacts/${BOB.id}/shared`,
      query: { limit: '1', cursor: page.body.nextCursor },
      key: api.noPhonesKey,
    });
    expect(next.status, next.raw).toBe(200);
    expect(next.body.items).toHaveLength(1);
  });

  it('of every list route hold no user id and no phone number', async () => {
    const subscription = rig.subscriptionId;
    // Each list route with the queries that page it; the routes must be the document's.
    const walks: Record<string, Record<string, string>[]> = {
      '/v1/contacts': [{ username: ALICE.username }, { phone: PHONE }, { tag: 'vip' }],
      '/v1/contacts/{userId}/chats': [{}],
      '/v1/contacts/{userId}/shared': [{}],
      '/v1/contacts/{userId}/events': [{}],
      '/v1/chats/{chatId}/members': [{}, { sort: 'lastSeen' }, { tag: 'vip' }],
      '/v1/chats/{chatId}/events': [{}],
      '/v1/subscriptions': [{}],
      '/v1/subscriptions/{subscriptionId}/deliveries': [{}],
      '/v1/broadcasts': [{}],
    };
    expect(Object.keys(walks).sort()).toEqual((await listRoutes()).sort());
    const userOf: Record<string, number> = {
      '/v1/contacts/{userId}/chats': ALICE.id,
      '/v1/contacts/{userId}/shared': BOB.id,
      '/v1/contacts/{userId}/events': BOB.id,
    };
    const cursorsOf = new Map<string, number>();
    for (const [route, queries] of Object.entries(walks)) {
      const path = route
        .replace('{userId}', String(userOf[route]))
        .replace('{chatId}', String(GROUP))
        .replace('{subscriptionId}', subscription);
      for (const query of queries) {
        const label = `${route} ${JSON.stringify(query)}`;
        let cursor: string | undefined;
        for (let page = 0; page < 3; page++) {
          const response = await api.call({
            path,
            query: { ...query, limit: '1', ...(cursor ? { cursor } : {}) },
            key: api.adminKey,
          });
          expect(response.status, `${label}: ${response.raw}`).toBe(200);
          cursor = response.body.nextCursor;
          if (!cursor) break;
          expectOpaque(label, cursor);
          cursorsOf.set(route, (cursorsOf.get(route) ?? 0) + 1);
        }
      }
    }
    // Every route gave cursors to look at (a username has one holder: that search may not).
    for (const route of Object.keys(walks)) {
      expect(cursorsOf.get(route) ?? 0, `${route} gave a cursor`).toBeGreaterThan(0);
    }
  });
});
