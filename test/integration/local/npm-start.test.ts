import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../lib/store/client.ts';
import { getContact } from '../../../lib/store/profiles.ts';
import { startEmbeddedStore } from '../../../scripts/local/embedded-store.ts';
import { loadUpdate } from '../../fixtures/updates.ts';
import { startLocalProcess } from '../../helpers/local-process.ts';
import { TEST_RETENTION_DAYS } from '../../helpers/store.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'tc-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start', () => {
  it('serves /health and the webhook, and keeps what it recorded across a SIGTERM restart', async () => {
    const env = {
      LOCAL_DB_PATH: dataDir,
      TABLE_NAME: 'start-test',
      RETENTION_DAYS: String(TEST_RETENTION_DAYS),
    };
    const stack = await startLocalProcess(env);
    expect(stack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.webhookSecret).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(stack.devApiKey).not.toBe('');

    const health = await fetch(`${stack.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });

    const posted = await fetch(`${stack.url}/telegram/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': stack.webhookSecret,
      },
      body: JSON.stringify(loadUpdate('group-message')),
    });
    expect(posted.status).toBe(200);
    const rejected = await fetch(`${stack.url}/telegram/webhook`, {
      method: 'POST',
      body: JSON.stringify(loadUpdate('group-message')),
    });
    expect(rejected.status).toBe(401);

    expect(await stack.stop('SIGTERM')).toBe(0);
    expect(stack.output()).toContain('stopped cleanly');

    // The data directory is free again and holds the contact.
    const store = await startEmbeddedStore({ path: dataDir });
    const client = createDocumentClient({ region: 'us-east-1', endpoint: store.endpoint });
    try {
      const contact = await getContact({ client, tableName: 'start-test' }, 1001);
      expect(contact).toMatchObject({ firstName: 'Alice', messageCount: 1 });
    } finally {
      client.destroy();
      await store.close();
    }
  });

  it('refuses --poll without a bot token, with a clear message', async () => {
    await expect(
      startLocalProcess({ LOCAL_DB_PATH: 'memory', TELEGRAM_BOT_TOKEN: '' }, ['--poll']),
    ).rejects.toThrow(/needs TELEGRAM_BOT_TOKEN/);
  });
});
