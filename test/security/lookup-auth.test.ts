/**
 * The lookup API lets no one in without a key of the right scope: every route, through the
 * local HTTP server, for every kind of caller; per-key rate limits; and an unauthenticated
 * caller learns nothing (not even whether a record exists).
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { registerApiKey, revokeApiKey } from '../../lib/access/api-key-admin.ts';
import { API_SCOPES, type ApiScope } from '../../lib/access/api-keys.ts';
import type { Route } from '../../lib/lookup/route.ts';
import { LOOKUP_ROUTES } from '../../lib/lookup/routes.ts';
import { loadUpdate } from '../fixtures/updates.ts';
import { postToWebhook, rateLimitEnv, useLocalStack } from '../helpers/local-stack.ts';
import {
  DEV_API_KEY,
  expectNoSecrets,
  expectNothingSensitive,
  READ_API_KEY,
  SECURITY_ENV,
  useLogCheck,
  WRITE_API_KEY,
} from './sensitive.ts';

const ALICE = 1001;
const GROUP = -100200300;
const REVOKED_KEY = 'tck_security-suite-revoked-key_0123456789';

/** A webhook subscription the subscription routes act on, and its secret (never shown again). */
let subscription: { id: string; secret: string };

useLogCheck(() => [REVOKED_KEY, subscription?.secret ?? '']);
const stack = useLocalStack({ env: { ...SECURITY_ENV, ...rateLimitEnv(1000) } });
const limited = useLocalStack({ env: { ...SECURITY_ENV, ...rateLimitEnv(1, 3) } });

beforeAll(async () => {
  const updates = ['group-message', 'contact-own', 'new-chat-members', 'users-shared'];
  await postToWebhook(stack, ...updates.map((name) => loadUpdate(name)));
  await registerApiKey(stack.store, { key: READ_API_KEY, name: 'security read', scope: 'read' });
  await registerApiKey(stack.store, { key: WRITE_API_KEY, name: 'security write', scope: 'write' });
  const revoked = await registerApiKey(stack.store, {
    key: REVOKED_KEY,
    name: 'security revoked',
    scope: 'admin',
  });
  await revokeApiKey(stack.store, revoked.id);
  const created = await fetch(`${stack.url}/v1/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEV_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: 'http://127.0.0.1:9/events', events: ['*'] }),
  });
  expect(created.status).toBe(201);
  subscription = (await created.json()) as { id: string; secret: string };
});

/** A request path and query for `route`, with ids of records that exist. */
function requestFor(route: Route): string {
  const path = route.path
    .replace('{userId}', String(ALICE))
    .replace('{chatId}', String(GROUP))
    .replace('{subscriptionId}', subscription.id)
    .replace('{broadcastId}', `bc_${'0'.repeat(20)}`);
  if (route.operationId === 'searchContacts') return `${path}?username=alice_smith`;
  // Only the routes that take a range get one: another query parameter is a 400.
  if (/Activity$|^getTopMembers$/.test(route.operationId))
    return `${path}?from=2025-11-01&to=2025-11-30`;
  return path;
}

/** The body and its content type for a route that takes one. */
function bodyFor(route: Route): { body?: string; headers: Record<string, string> } {
  if (!route.body) return { headers: {} };
  const bodies: Record<string, unknown> = {
    createSubscription: { url: 'http://127.0.0.1:9/other', events: ['member.joined'] },
    patchSubscription: { description: 'security suite' },
    sendMessage: { text: 'security suite' },
    createBroadcast: { text: 'security suite', audience: { userIds: [ALICE] } },
  };
  return {
    body: JSON.stringify(bodies[route.operationId] ?? { tags: ['security'], note: 'a note' }),
    headers: { 'content-type': route.body.mediaType },
  };
}

/** Routes checked only for getting past authentication (their success needs more state). */
const PAST_AUTH_ONLY = new Set([
  'sendMessage',
  'createBroadcast',
  'getBroadcast',
  'cancelBroadcast',
]);

type Caller = { label: string; headers: Record<string, string>; grants?: ApiScope };

const CALLERS: Caller[] = [
  { label: 'no key', headers: {} },
  { label: 'an unknown key', headers: { authorization: 'Bearer tck_unknown-key_0123456789' } },
  { label: 'a revoked key', headers: { authorization: `Bearer ${REVOKED_KEY}` } },
  { label: 'the key in Basic auth', headers: { authorization: `Basic ${DEV_API_KEY}` } },
  { label: 'the key without Bearer', headers: { authorization: DEV_API_KEY } },
  { label: 'an empty Bearer', headers: { authorization: 'Bearer ' } },
  { label: 'a key of 10 KB', headers: { 'x-api-key': 'k'.repeat(10_000) } },
  { label: 'a cookie', headers: { cookie: `api_key=${DEV_API_KEY}` } },
  { label: 'a read key', headers: { authorization: `Bearer ${READ_API_KEY}` }, grants: 'read' },
  { label: 'a read key in x-api-key', headers: { 'x-api-key': READ_API_KEY }, grants: 'read' },
  { label: 'a write key', headers: { authorization: `Bearer ${WRITE_API_KEY}` }, grants: 'write' },
  { label: 'an admin key', headers: { authorization: `bearer ${DEV_API_KEY}` }, grants: 'admin' },
];

/** What `caller` must get from `route`: a problem status, or success. */
function expected(route: Route, caller: Caller): number | 'ok' {
  if (route.scope === 'public') return 'ok';
  if (!caller.grants) return 401;
  if (API_SCOPES.indexOf(caller.grants) < API_SCOPES.indexOf(route.scope)) return 403;
  return 'ok';
}

describe('lookup auth matrix (every route x every caller, over HTTP)', () => {
  // Erasure last: it removes the records the other routes read.
  const routes = [...LOOKUP_ROUTES].sort(
    (a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'),
  );
  const cases = routes.flatMap((route) =>
    CALLERS.map(
      (caller) => [`${route.method} ${route.path}`, caller.label, route, caller] as const,
    ),
  );

  it.each(cases)('%s with %s', async (_route, _caller, route, caller) => {
    const { body: sent, headers } = bodyFor(route);
    const response = await fetch(`${stack.url}${requestFor(route)}`, {
      method: route.method,
      headers: { ...headers, ...caller.headers },
      ...(sent !== undefined ? { body: sent } : {}),
    });
    const want = expected(route, caller);
    const body = await response.text();
    if (want === 'ok') {
      if (PAST_AUTH_ONLY.has(route.operationId)) {
        // Past the key check; the answer then depends on state this matrix does not build
        // (Alice never opened a private chat; no broadcast has this id; no bot token here: sending
        // and broadcasting are 503).
        expect([404, 409, 503], body).toContain(response.status);
        return;
      }
      expect([200, 201, 202, 204, 404], body).toContain(response.status);
      if (route.operationId !== 'getMembership') expect(response.status).not.toBe(404);
    } else {
      expect(response.status, body).toBe(want);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      if (want === 401) expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(body).not.toMatch(/Alice|alice_smith|5551234567/);
    }
    if (want === 'ok') expectNoSecrets(body, [REVOKED_KEY, subscription.secret]);
    else expectNothingSensitive(body, [REVOKED_KEY, subscription.secret]);
  });

  it('gives an unauthenticated caller the same answer whether a record exists or not', async () => {
    const answer = async (path: string) => {
      const response = await fetch(`${stack.url}${path}`, {
        headers: { authorization: 'Bearer tck_guess' },
      });
      return [response.status, await response.text()];
    };
    expect(await answer('/v1/contacts/1002')).toEqual(await answer('/v1/contacts/424242'));
    expect(await answer('/v1/contacts?phone=%2B15551234567')).toEqual(
      await answer('/v1/contacts?phone=%2B15550000000'),
    );
  });
});

describe('lookup rate limit (1 request/s, burst 3, per key)', () => {
  const get = (key: string) =>
    fetch(`${limited.url}/v1/contacts/${ALICE}`, { headers: { authorization: `Bearer ${key}` } });

  it('answers 429 with Retry-After past the burst, per key, and lets the key in again after it', async () => {
    await registerApiKey(limited.store, { key: READ_API_KEY, name: 'read', scope: 'read' });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await get(DEV_API_KEY);
      statuses.push(last.status);
      await last.arrayBuffer();
    }
    expect(statuses.slice(0, 3)).toEqual([404, 404, 404]);
    expect(statuses.slice(3)).toEqual([429, 429, 429]);
    const retryAfter = Number(last?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(last?.headers.get('content-type')).toBe('application/problem+json');

    // Another key has its own bucket.
    expect((await get(READ_API_KEY)).status).toBe(404);
    // Callers without a valid key are refused before the limiter: they spend no one's tokens.
    for (let i = 0; i < 5; i++) expect((await get('tck_nobody')).status).toBe(401);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 50));
    expect((await get(DEV_API_KEY)).status).toBe(404);
  }, 10_000);
});
