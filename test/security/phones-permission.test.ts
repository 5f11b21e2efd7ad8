/**
 * The `phones` permission: a key created without it gets no phone number from any route of
 * the route table, whatever the route answers (through the local HTTP server, over a store
 * holding a verified phone, a shared contact card with a phone and memberships embedding
 * both people); keys with it (admin, `--phones`, and keys stored before the permission
 * existed) still see them.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerApiKey } from '../../lib/access/api-key-admin.ts';
import { hashApiKey } from '../../lib/access/api-keys.ts';
import type { Route } from '../../lib/lookup/route.ts';
import { LOOKUP_ROUTES } from '../../lib/lookup/routes.ts';
import { apiKeyIndexKeys, apiKeyKey } from '../../lib/store/service-keys.ts';
import { loadUpdate } from '../fixtures/updates.ts';
import { postToWebhook, rateLimitEnv, useLocalStack } from '../helpers/local-stack.ts';
import {
  DEV_API_KEY,
  PHONES,
  READ_API_KEY,
  SECURITY_ENV,
  useLogCheck,
  WRITE_API_KEY,
} from './sensitive.ts';

const ALICE = 1001;
const BOB = 1002;
const GROUP = -100200300;
/** Alice's verified phone and the phone on the card she shared of Bob, as stored. */
const ALICE_PHONE = '+15551234567';
const CARD_PHONE = '+442079460958';
/** Digits of both phones: a body holding them in any formatting holds one of these. */
const PHONE_DIGITS = ['5551234567', '2079460958'];

const PHONES_READ_KEY = 'read_security-suite-phones-key_0123456789abcdef';
const OLD_READ_KEY = 'read_security-suite-old-key_0123456789abcdef';

useLogCheck();
const stack = useLocalStack({ env: { ...SECURITY_ENV, ...rateLimitEnv(1000) } });
let subscriptionId: string;

beforeAll(async () => {
  const updates = ['group-message', 'contact-own', 'contact-other', 'new-chat-members'];
  await postToWebhook(stack, ...[...updates, 'users-shared'].map((name) => loadUpdate(name)));
  await registerApiKey(stack.store, { key: READ_API_KEY, name: 'no phones', scope: 'read' });
  await registerApiKey(stack.store, { key: WRITE_API_KEY, name: 'no phones', scope: 'write' });
  await registerApiKey(stack.store, {
    key: PHONES_READ_KEY,
    name: 'phones',
    scope: 'read',
    phones: true,
  });
  // A key as the code before the permission stored it: no `phones` attribute at all.
  const createdAt = '2025-01-01T00:00:00.000Z';
  await stack.store.client.send(
    new PutCommand({
      TableName: stack.store.tableName,
      Item: {
        ...apiKeyKey(hashApiKey(OLD_READ_KEY)),
        ...apiKeyIndexKeys(createdAt, 'key_0123456789ab'),
        id: 'key_0123456789ab',
        name: 'before phones',
        scope: 'read',
        createdAt,
      },
    }),
  );
  const created = await fetch(`${stack.url}/v1/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEV_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: 'http://127.0.0.1:9/events', events: ['*'], includePhone: true }),
  });
  expect(created.status).toBe(201);
  subscriptionId = ((await created.json()) as { id: string }).id;
});

/**
 * `route`'s path with ids that exist: `userId` (default Alice), the group, a broadcast id;
 * `{subscriptionId}` stays until `resolved` (the subscription is made in beforeAll).
 */
function pathOf(route: Route, userId = ALICE): string {
  return route.path
    .replace('{userId}', String(userId))
    .replace('{chatId}', String(GROUP))
    .replace('{broadcastId}', `bc_${'0'.repeat(20)}`);
}

const resolved = (path: string) => path.replace('{subscriptionId}', subscriptionId);

/** Every request of `route` worth making: its path, for Bob too, with query variants. */
function requestsFor(route: Route): string[] {
  const path = pathOf(route);
  const variants: Record<string, string[]> = {
    searchContacts: [
      `${path}?username=alice_smith`,
      `${path}?phone=${encodeURIComponent(ALICE_PHONE)}`,
      `${path}?tag=security`,
    ],
    getContact: [path, pathOf(route, BOB)],
    listChatMembers: [path, `${path}?sort=lastSeen`, `${path}?status=member`],
    exportChatMembers: [path, `${path}?format=ndjson`, `${path}?includePhone=true`],
    getMembership: [path, `${path}?live=true`],
  };
  const range = `${path}?from=2025-11-01&to=2025-11-30`;
  return variants[route.operationId] ?? [/Activity|Top/.test(route.operationId) ? range : path];
}

/** A body the route accepts (as lookup-auth.test.ts sends), with its content type. */
function bodyFor(route: Route): { body?: string; headers: Record<string, string> } {
  if (!route.body) return { headers: {} };
  const bodies: Record<string, unknown> = {
    createSubscription: { url: 'http://127.0.0.1:9/other', events: ['*'], includePhone: true },
    patchSubscription: { includePhone: true },
    sendMessage: { text: 'phones suite' },
    createBroadcast: { text: 'phones suite', audience: { userIds: [ALICE, BOB] } },
  };
  return {
    body: JSON.stringify(bodies[route.operationId] ?? { tags: ['security'] }),
    headers: { 'content-type': route.body.mediaType },
  };
}

async function call(key: string, route: Route, path: string) {
  const { body, headers } = bodyFor(route);
  const response = await fetch(`${stack.url}${resolved(path)}`, {
    method: route.method,
    headers: { ...headers, authorization: `Bearer ${key}` },
    ...(body !== undefined ? { body } : {}),
  });
  return { status: response.status, text: await response.text() };
}

/** Whether `text` holds a phone of the store, in any formatting. */
const holdsPhone = (text: string) =>
  [...PHONES, ...PHONE_DIGITS].some((phone) => text.includes(phone));

describe('a key without the phones permission', () => {
  // Every route that takes a key (the public one serves the OpenAPI document, whose schemas
  // name phoneNumber and whose examples show a made-up phone); erasure last (refused to
  // these keys anyway, but it must not run before the others).
  const routes = LOOKUP_ROUTES.filter((route) => route.scope !== 'public').sort(
    (a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'),
  );
  const cases = routes.flatMap((route) =>
    requestsFor(route).map((path) => [`${route.method} ${path}`, route, path] as const),
  );

  it.each(cases)('gets no phone number from %s', async (_, route, path) => {
    for (const key of [READ_API_KEY, WRITE_API_KEY]) {
      const { status, text } = await call(key, route, path);
      expect(holdsPhone(text), `${status} ${text}`).toBe(false);
      expect(text).not.toContain('"phoneNumber"');
    }
  });

  it('still finds a contact by a phone it already has, without the phone in the answer', async () => {
    const search = `/v1/contacts?phone=${encodeURIComponent('+1 555 123 4567')}`;
    const response = await fetch(`${stack.url}${search}`, {
      headers: { authorization: `Bearer ${READ_API_KEY}` },
    });
    const body = (await response.json()) as { items: Record<string, unknown>[] };
    expect(response.status).toBe(200);
    expect(body.items.map((contact) => contact.id)).toEqual([ALICE]);
    expect(body.items[0]).not.toHaveProperty('phoneNumber');
  });
});

describe('a key with the phones permission', () => {
  const READS: [string, string][] = [
    ['a contact', `/v1/contacts/${ALICE}`],
    ['a search by username', '/v1/contacts?username=alice_smith'],
    ['a search by phone', `/v1/contacts?phone=${encodeURIComponent(ALICE_PHONE)}`],
  ];
  const KEYS: [string, string][] = [
    ['an admin key', DEV_API_KEY],
    ['a read key created with --phones', PHONES_READ_KEY],
    ['a read key stored before the permission existed', OLD_READ_KEY],
  ];

  it.each(KEYS)('sees verified phones: %s', async (_, key) => {
    for (const [what, path] of READS) {
      const response = await fetch(`${stack.url}${path}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const text = await response.text();
      expect(response.status, `${what}: ${text}`).toBe(200);
      expect(text.includes(ALICE_PHONE), what).toBe(true);
    }
    const shared = await fetch(`${stack.url}/v1/contacts/${ALICE}/shared`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(await shared.text()).toContain(CARD_PHONE);
    // Phones in bulk stay an admin's, as before the permission.
    const exported = await fetch(
      `${stack.url}/v1/chats/${GROUP}/members/export?includePhone=true`,
      {
        headers: { authorization: `Bearer ${key}` },
      },
    );
    const text = await exported.text();
    if (key === DEV_API_KEY) expect(text).toContain(ALICE_PHONE);
    else expect([exported.status, text.includes(ALICE_PHONE)]).toEqual([403, false]);
  });
});
