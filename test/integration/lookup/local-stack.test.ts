import { describe, expect, it } from 'vitest';
import { listApiKeys } from '../../../lib/access/api-key-admin.ts';
import { runApiKeyCli } from '../../../scripts/apikey-cli.ts';
import { startLocalStack } from '../../../scripts/local/stack.ts';
import { loadUpdate } from '../../fixtures/updates.ts';
import { WEBHOOK_SECRET } from '../../helpers/events.ts';
import { useLocalStack } from '../../helpers/local-stack.ts';
import { ALICE } from '../../helpers/lookup.ts';
import { TEST_RETENTION_DAYS } from '../../helpers/store.ts';

const DEV_API_KEY = 'dev-key-for-the-local-stack-test';
const stack = useLocalStack({
  env: {
    TABLE_NAME: 'local-lookup',
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    DEV_API_KEY,
  },
  host: '127.0.0.1',
});

const get = (path: string, init: RequestInit = {}) =>
  fetch(`${stack.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${DEV_API_KEY}`, ...init.headers },
  });

describe('npm start: the lookup API', () => {
  it('serves GET and DELETE /v1/... with DEV_API_KEY as an admin key', async () => {
    const posted = await fetch(`${stack.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
      body: JSON.stringify(loadUpdate('group-message')),
    });
    expect(posted.status).toBe(200);

    const found = await get('/v1/contacts?username=@alice_smith');
    expect(found.status).toBe(200);
    expect(((await found.json()) as { items: unknown[] }).items[0]).toMatchObject({
      id: ALICE,
      firstName: 'Alice',
    });
    expect((await get(`/v1/contacts/${ALICE}`, { method: 'DELETE' })).status).toBe(204);
    expect((await get(`/v1/contacts/${ALICE}`)).status).toBe(404);
    expect((await get('/v1/contacts/1', { headers: { authorization: '' } })).status).toBe(401);
    const doc = await fetch(`${stack.url}/v1/openapi.json`);
    expect(doc.status).toBe(200);
    expect(((await doc.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('serves POST /v1/... and lets subscriptions use http to loopback (EVENTS_ALLOW_LOOPBACK)', async () => {
    expect(stack.config.EVENTS_ALLOW_LOOPBACK).toBe(true);
    const created = await get('/v1/subscriptions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:4000/events', events: ['*'] }),
    });
    expect(created.status).toBe(201);
    const { id, secret } = (await created.json()) as { id: string; secret: string };
    expect(secret).toMatch(/^whsec_/);
    const ping = await get(`/v1/subscriptions/${id}/test`, { method: 'POST' });
    expect(ping.status).toBe(202);
    const wrong = await get('/v1/openapi.json', { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect((await get(`/v1/subscriptions/${id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('keeps http to loopback refused when EVENTS_ALLOW_LOOPBACK=false is set', async () => {
    const strict = await startLocalStack({
      env: { LOCAL_DB_PATH: 'memory', DEV_API_KEY, EVENTS_ALLOW_LOOPBACK: 'false' },
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const refused = await fetch(`${strict.url}/v1/subscriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEV_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'http://127.0.0.1:4000/events', events: ['*'] }),
      });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { detail: string }).detail).toBe('url must use https');
    } finally {
      await strict.close();
    }
  });

  it('registers the dev key once, however often the stack starts on the same store', async () => {
    const again = await startLocalStack({
      env: {
        DYNAMODB_ENDPOINT: stack.dynamoEndpoint,
        TABLE_NAME: 'local-lookup',
        TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
        DEV_API_KEY,
        RETENTION_DAYS: String(TEST_RETENTION_DAYS),
      },
      port: 0,
    });
    await again.close();
    const keys = await listApiKeys(stack.store);
    expect(keys).toEqual([expect.objectContaining({ scope: 'admin', name: 'dev (npm start)' })]);
  });

  it('exposes the embedded DynamoDB endpoint for the apikey CLI', async () => {
    expect(stack.dynamoEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const out: string[] = [];
    const code = await runApiKeyCli(['list'], {
      env: { DYNAMODB_ENDPOINT: stack.dynamoEndpoint, TABLE_NAME: 'local-lookup' },
      out: (line) => out.push(line),
      err: (line) => out.push(line),
    });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/dev \(npm start\)\s+admin/);
    expect(out.join('\n')).not.toContain(DEV_API_KEY);
  });
});
