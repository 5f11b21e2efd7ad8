import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../../lib/access/api-key-admin.ts';
import { createDocumentClient } from '../../../lib/store/client.ts';
import { loadUpdate } from '../../fixtures/updates.ts';
import { ALICE, eraseContact, post, type TestLookup } from '../../helpers/lookup.ts';
import { useStack } from '../../helpers/stack-fixture.ts';
import type { TestStore } from '../../helpers/store.ts';

const stack = useStack();
let store: TestStore;
let api: TestLookup;
let clock = 1_000_000;
const now = () => clock;

beforeAll(async () => {
  store = await stack.freshTable();
  const webhook = await stack.webhook({ store });
  await post(webhook, loadUpdate('group-message'));
  api = await stack.lookup({
    store,
    now,
    env: { API_KEY_CACHE_SECONDS: '60' },
  });
});

const contact = `/v1/contacts/${ALICE}`;

describe('lookup API authentication', () => {
  it('returns 401 with a Bearer challenge when no key is sent', async () => {
    const response = await api.call({ path: contact, key: null });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.body).toMatchObject({ status: 401, title: 'Unauthorized' });
    expect(response.raw).not.toContain('Alice');
  });

  it('returns 401 before judging the path when no key is sent, even for a malformed escape', async () => {
    expect((await api.call({ path: '/v1/contacts/%E0', key: null })).status).toBe(401);
    expect((await api.call({ path: '/v1/contacts/abc', key: null })).status).toBe(401);
  });

  it('returns 401 for an unknown key and for a malformed Authorization header', async () => {
    expect((await api.call({ path: contact, key: 'tck_not-a-real-key' })).status).toBe(401);
    const basic = await api.call({
      path: contact,
      key: null,
      headers: { authorization: `Basic ${api.readKey}` },
    });
    expect(basic.status).toBe(401);
    expect(basic.body.detail).toMatch(/Bearer/);
  });

  it('accepts the key as Bearer (any case) or in x-api-key', async () => {
    expect((await api.call({ path: contact })).status).toBe(200);
    const lower = await api.call({
      path: contact,
      key: null,
      headers: { Authorization: `bearer ${api.readKey}` },
    });
    expect(lower.status).toBe(200);
    const header = await api.call({
      path: contact,
      key: null,
      headers: { 'x-api-key': api.readKey },
    });
    expect(header.status).toBe(200);
    expect(header.body.id).toBe(ALICE);
  });

  it('returns 403 for a read key on DELETE and 204 for an admin key', async () => {
    const read = await api.call({ method: 'DELETE', path: '/v1/contacts/424242' });
    expect(read.status).toBe(403);
    await eraseContact(api, 424242);
    expect((await api.call({ path: contact, key: api.adminKey })).status).toBe(200);
  });

  it('rejects a revoked key', async () => {
    const { key, record } = await createApiKey(store, { name: 'to revoke', scope: 'admin' });
    expect(await revokeApiKey(store, record.id)).toBe('revoked');
    const response = await api.call({ path: contact, key });
    expect(response.status).toBe(401);
    expect(response.body.detail).toBe('unknown or revoked API key');
  });

  it('keeps a verified key for API_KEY_CACHE_SECONDS, so a revocation lands when it expires', async () => {
    const { key, record } = await createApiKey(store, { name: 'cached', scope: 'read' });
    expect((await api.call({ path: contact, key })).status).toBe(200);
    await revokeApiKey(store, record.id);
    clock += 59_000;
    expect((await api.call({ path: contact, key })).status).toBe(200);
    clock += 2_000;
    expect((await api.call({ path: contact, key })).status).toBe(401);
  });

  it('serves /v1/openapi.json without a key', async () => {
    const response = await api.call({ path: '/v1/openapi.json', key: null });
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
  });
});

describe('lookup API rate limit', () => {
  it('returns 429 with Retry-After once a key spends its burst, per key, and refills', async () => {
    const limited = await stack.lookup({
      store,
      now,
      env: { RATE_LIMIT_RPS: '1', RATE_LIMIT_BURST: '3' },
    });
    for (let i = 0; i < 3; i++) {
      expect((await limited.call({ path: contact })).status).toBe(200);
    }
    const over = await limited.call({ path: contact });
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('1');
    expect(over.headers['content-type']).toBe('application/problem+json');
    expect(over.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    // Another key has its own bucket.
    expect((await limited.call({ path: contact, key: limited.adminKey })).status).toBe(200);
    clock += 1_000;
    expect((await limited.call({ path: contact })).status).toBe(200);
    expect((await limited.call({ path: contact })).status).toBe(429);
  });
});

describe('lookup API request budget', () => {
  it('makes exactly one DynamoDB request for GET /v1/contacts/{userId} once the key is cached', async () => {
    const calls: string[] = [];
    const client = createDocumentClient({
      region: 'us-east-1',
      endpoint: store.endpoint,
      maxAttempts: 1,
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    const counted = await stack.lookup({ store, client, now });
    try {
      const first = await counted.call({ path: contact });
      expect(first.status).toBe(200);
      expect(calls).toEqual(['GetItemCommand', 'QueryCommand']);
      calls.length = 0;
      const second = await counted.call({ path: contact });
      expect(second.status).toBe(200);
      expect(second.body.messageCount).toBe(1);
      expect(calls).toEqual(['QueryCommand']);
    } finally {
      client.destroy();
    }
  });
});
