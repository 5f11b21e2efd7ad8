import { describe, expect, it } from 'vitest';
import { createApiKeyAuth, presentedApiKey } from '../../../lib/access/api-key-auth.ts';
import { type ApiKeyRecord, type ApiScope, hashApiKey } from '../../../lib/access/api-keys.ts';
import type { HttpError } from '../../../lib/http/http-error.ts';
import { httpEvent } from '../../helpers/events.ts';

const record = (scope: ApiScope, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id: `key_${scope}`,
  name: scope,
  scope,
  phones: true,
  createdAt: '2025-11-24T00:00:00.000Z',
  ...extra,
});

function setup(keys: Record<string, ApiKeyRecord>, cacheSeconds = 60) {
  let clock = 0;
  const lookups: string[] = [];
  const byHash = new Map(Object.entries(keys).map(([key, r]) => [hashApiKey(key), r]));
  const auth = createApiKeyAuth({
    find: async (hash) => {
      lookups.push(hash);
      return byHash.get(hash) ?? null;
    },
    cacheSeconds,
    now: () => clock,
  });
  return { auth, lookups, byHash, advance: (ms: number) => (clock += ms) };
}

const withKey = (key: string) =>
  httpEvent({ path: '/v1/x', headers: { authorization: `Bearer ${key}` } });

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (err: unknown) {
    return (err as HttpError).status;
  }
}

describe('presentedApiKey', () => {
  it('reads Bearer (any case) first, then x-api-key', () => {
    expect(presentedApiKey(withKey('k1'))).toBe('k1');
    const both = httpEvent({
      path: '/',
      headers: { Authorization: 'BEARER k1', 'X-Api-Key': 'k2' },
    });
    expect(presentedApiKey(both)).toBe('k1');
    expect(presentedApiKey(httpEvent({ path: '/', headers: { 'x-api-key': ' k2 ' } }))).toBe('k2');
    expect(presentedApiKey(httpEvent({ path: '/' }))).toBeUndefined();
  });

  it('refuses a malformed Authorization header with 401', () => {
    for (const value of ['Basic abc', 'Bearer', 'Bearer a b', 'k1']) {
      expect(() =>
        presentedApiKey(httpEvent({ path: '/', headers: { authorization: value } })),
      ).toThrow(/Bearer <API key>/);
    }
  });
});

describe('API key authentication', () => {
  it('grants read to read and admin keys, admin only to admin keys', async () => {
    const { auth } = setup({ r: record('read'), a: record('admin') });
    expect(await auth.authenticate(withKey('r'), 'read')).toEqual({
      keyId: 'key_read',
      name: 'read',
      scope: 'read',
      phones: true,
    });
    expect(await statusOf(auth.authenticate(withKey('a'), 'read'))).toBe(200);
    expect(await statusOf(auth.authenticate(withKey('a'), 'admin'))).toBe(200);
    expect(await statusOf(auth.authenticate(withKey('r'), 'admin'))).toBe(403);
  });

  it("passes on the key's phones permission", async () => {
    const { auth } = setup({ n: record('read', { phones: false }), p: record('read') });
    expect((await auth.authenticate(withKey('n'), 'read')).phones).toBe(false);
    expect((await auth.authenticate(withKey('p'), 'read')).phones).toBe(true);
  });

  it('ranks the scopes read < write < admin: each grants what the ones below grant', async () => {
    const { auth } = setup({ r: record('read'), w: record('write'), a: record('admin') });
    const granted = async (key: string) => {
      const statuses = [];
      for (const scope of ['read', 'write', 'admin'] as const) {
        statuses.push(await statusOf(auth.authenticate(withKey(key), scope)));
      }
      return statuses;
    };
    expect(await granted('r')).toEqual([200, 403, 403]);
    expect(await granted('w')).toEqual([200, 200, 403]);
    expect(await granted('a')).toEqual([200, 200, 200]);
    await expect(auth.authenticate(withKey('w'), 'admin')).rejects.toThrow(
      'this API key has the write scope; this route needs admin',
    );
  });

  it('returns 401 for missing, unknown, revoked and oversized keys', async () => {
    const { auth, lookups } = setup({
      gone: record('admin', { revokedAt: '2025-11-25T00:00:00Z' }),
    });
    expect(await statusOf(auth.authenticate(httpEvent({ path: '/' }), 'read'))).toBe(401);
    expect(await statusOf(auth.authenticate(withKey('nope'), 'read'))).toBe(401);
    expect(await statusOf(auth.authenticate(withKey('gone'), 'read'))).toBe(401);
    expect(await statusOf(auth.authenticate(withKey('x'.repeat(300)), 'read'))).toBe(401);
    expect(lookups).toHaveLength(2);
  });

  it('looks a key up by its SHA-256 once per cache period', async () => {
    const { auth, lookups, advance } = setup({ r: record('read') }, 60);
    await auth.authenticate(withKey('r'), 'read');
    await auth.authenticate(withKey('r'), 'read');
    advance(59_999);
    await auth.authenticate(withKey('r'), 'read');
    expect(lookups).toEqual([hashApiKey('r')]);
    expect(hashApiKey('r')).toMatch(/^[0-9a-f]{64}$/);
    advance(1);
    await auth.authenticate(withKey('r'), 'read');
    expect(lookups).toHaveLength(2);
  });

  it('caches unknown keys too, and nothing when the cache time is 0', async () => {
    const cached = setup({});
    await statusOf(cached.auth.authenticate(withKey('guess'), 'read'));
    await statusOf(cached.auth.authenticate(withKey('guess'), 'read'));
    expect(cached.lookups).toHaveLength(1);
    const uncached = setup({ r: record('read') }, 0);
    await uncached.auth.authenticate(withKey('r'), 'read');
    await uncached.auth.authenticate(withKey('r'), 'read');
    expect(uncached.lookups).toHaveLength(2);
  });
});
