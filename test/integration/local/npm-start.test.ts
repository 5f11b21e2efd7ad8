import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getContact } from '../../../lib/directory/read/profiles.ts';
import { createDocumentClient } from '../../../lib/store/client.ts';
import { startEmbeddedStore } from '../../../scripts/local/embedded-store.ts';
import { loadUpdate } from '../../fixtures/updates.ts';
import { person, privateMessage } from '../../helpers/broadcasts.ts';
import { startEventReceiver } from '../../helpers/event-receiver.ts';
import { startFakeBotApi } from '../../helpers/fake-bot-api.ts';
import { startLocalProcess } from '../../helpers/local-process.ts';
import { TEST_RETENTION_DAYS } from '../../helpers/store.ts';
import { TEST_BOT_TOKEN } from '../../helpers/webhook.ts';

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
    // The banner says where each value comes from: here, the data directory.
    expect(stack.output()).toContain(`webhook secret: ${stack.webhookSecret} (kept in `);

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

  it("prints the dispatcher's and the broadcast sender's JSON lines when piped, as deployed", async () => {
    const telegram = await startFakeBotApi();
    const receiver = await startEventReceiver();
    // Piped (not a terminal): JSON lines, at the functions' own level.
    const stack = await startLocalProcess({
      LOCAL_DB_PATH: 'memory',
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_API_ROOT: telegram.url,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      DEV_API_KEY: 'dev-key-from-the-environment-0123456789',
    });
    // A value given in the environment is said to come from there, not to be new.
    expect(stack.output()).toContain('(admin scope; from DEV_API_KEY)');
    expect(stack.output()).toMatch(/webhook secret: \S+ \(new at every start\)/);
    try {
      const api = (path: string, body?: unknown) =>
        fetch(`${stack.url}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${stack.devApiKey}`,
            'content-type': 'application/json',
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      const wrote = await fetch(`${stack.url}/telegram/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': stack.webhookSecret,
        },
        body: JSON.stringify(privateMessage(person(4101))),
      });
      expect(wrote.status).toBe(200);
      const subscription = (await (
        await api('/v1/subscriptions', { url: receiver.url, events: ['member.joined'] })
      ).json()) as { id: string };
      expect((await api(`/v1/subscriptions/${subscription.id}/test`)).status).toBeLessThan(300);
      const created = await api('/v1/broadcasts', { text: 'Hi', audience: { userIds: [4101] } });
      expect(created.status).toBe(202);

      const lines = () =>
        stack
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as { message: string });
      const deadline = Date.now() + 15_000;
      const seen = (message: string) => lines().some((line) => line.message === message);
      while (!(seen('delivery') && seen('broadcast finished')) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      expect(lines().find((line) => line.message === 'delivery')).toMatchObject({
        subscriptionId: subscription.id,
        outcome: 'delivered',
      });
      expect(lines().find((line) => line.message === 'broadcast finished')).toMatchObject({
        sent: 1,
      });
    } finally {
      await stack.stop('SIGTERM');
      await receiver.close();
      await telegram.close();
    }
  }, 40_000);
});
