/**
 * Cursors through the real lookup handler: bound to the API key that got them and to a day.
 * One cursor, two keys of the same scope; the clock is injected, so nothing sleeps.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../lib/access/api-key-admin.ts';
import { CURSOR_TTL_SECONDS } from '../../../lib/http/cursor.ts';
import { GROUP, groupMessage, post, type TestLookup } from '../../helpers/lookup.ts';
import { useStack } from '../../helpers/stack-fixture.ts';

const T0 = Date.UTC(2025, 10, 25, 9);
let clock = T0;
const stack = useStack();
let api: TestLookup;
let otherKey: string;

const members = `/v1/chats/${GROUP}/members`;

beforeAll(async () => {
  const { store, webhook, lookup } = await stack.handlers({ lookup: { now: () => clock } });
  api = lookup;
  otherKey = (await createApiKey(store, { name: 'another app', scope: 'read' })).key;
  for (const id of [7001, 7002, 7003]) {
    await post(webhook, groupMessage({ id, first_name: `Member ${id}` }));
  }
});

async function firstPageCursor(): Promise<string> {
  const first = await api.call({ path: members, query: { limit: '1' } });
  expect(first.status).toBe(200);
  expect(first.body.items).toHaveLength(1);
  expect(typeof first.body.nextCursor).toBe('string');
  return first.body.nextCursor;
}

describe('list cursors through the lookup handler', () => {
  it('continue the list for the key that got them, and answer 400 to another key', async () => {
    clock = T0;
    const cursor = await firstPageCursor();

    const stolen = await api.call({ path: members, query: { limit: '1', cursor }, key: otherKey });
    expect(stolen.status).toBe(400);
    expect(stolen.headers['content-type']).toBe('application/problem+json');
    expect(stolen.body.detail).toMatch(/altered or belongs to another query or API key/);
    expect(stolen.raw).not.toContain('USER#');

    const own = await api.call({ path: members, query: { limit: '1', cursor } });
    expect(own.status).toBe(200);
    expect(own.body.items).toHaveLength(1);
  });

  it('answer 400 once a day has passed since they were issued, saying they expired', async () => {
    clock = T0;
    const cursor = await firstPageCursor();
    clock = T0 + (CURSOR_TTL_SECONDS - 1) * 1000;
    expect((await api.call({ path: members, query: { limit: '1', cursor } })).status).toBe(200);

    clock = T0 + CURSOR_TTL_SECONDS * 1000;
    const expired = await api.call({ path: members, query: { limit: '1', cursor } });
    expect(expired.status).toBe(400);
    expect(expired.headers['content-type']).toBe('application/problem+json');
    expect(expired.body.detail).toMatch(/expired/);
    // Starting again works and gives a fresh cursor.
    const fresh = await firstPageCursor();
    expect((await api.call({ path: members, query: { limit: '1', cursor: fresh } })).status).toBe(
      200,
    );
  });
});
