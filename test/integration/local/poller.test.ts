import { describe, expect, it } from 'vitest';
import { createBot } from '../../../lib/bot/create-bot.ts';
import { getContact } from '../../../lib/directory/read/profiles.ts';
import { createBotApi } from '../../../lib/telegram/bot-api.ts';
import { startPolling } from '../../../scripts/local/poller.ts';
import { loadUpdate } from '../../fixtures/updates.ts';
import { telegramError } from '../../helpers/fake-bot-api.ts';
import { useStack } from '../../helpers/stack-fixture.ts';
import { TEST_BOT_TOKEN } from '../../helpers/webhook.ts';

const stack = useStack();
const fake = stack.botApi;

async function until(check: () => boolean, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('npm start -- --poll', () => {
  it('deletes the webhook, records polled updates, advances the offset and answers outbound', async () => {
    const store = await stack.freshTable();
    fake.reset();
    const polled = [loadUpdate('group-message'), loadUpdate('start-command')];
    const batches = [polled];
    let failedOnce = false;
    fake.respond('getUpdates', () => {
      if (!failedOnce) {
        failedOnce = true;
        return telegramError(502, 'Bad Gateway');
      }
      return batches.shift() ?? [];
    });
    const botApi = createBotApi({ token: TEST_BOT_TOKEN, apiRoot: fake.url });
    const bot = createBot({ store, identity: { username: 'contacts_test_bot', id: 999 } });
    const poller = startPolling({
      botApi,
      processor: { store, botApi, bot, botId: 999 },
      timeoutSeconds: 0,
      maxBackoffMs: 20,
      allowedUpdates: ['message', 'chat_member'],
    });
    await until(() => fake.calls.filter((c) => c.method === 'getUpdates').length >= 4);
    await poller.stop();

    const methods = fake.calls.map((c) => c.method);
    expect(methods[0]).toBe('deleteWebhook');
    const offsets = fake.calls
      .filter((c) => c.method === 'getUpdates')
      .map((c) => c.payload.offset ?? 0);
    expect(offsets.slice(0, 3)).toEqual([0, 0, Number(polled[1]?.update_id) + 1]);
    expect(methods).toContain('sendMessage');
    const polls = fake.calls.filter((c) => c.method === 'getUpdates');
    expect(
      polls.every((c) => JSON.stringify(c.payload.allowed_updates) === '["message","chat_member"]'),
    ).toBe(true);
    // The group message and the private /start both count as Alice's messages.
    expect((await getContact(store, 1001))?.messageCount).toBe(2);
  });

  it('stops at once during a long poll instead of waiting it out', async () => {
    const store = await stack.freshTable();
    fake.reset();
    fake.respond('getUpdates', () => new Promise((resolve) => setTimeout(() => resolve([]), 5000)));
    const botApi = createBotApi({ token: TEST_BOT_TOKEN, apiRoot: fake.url });
    const poller = startPolling({
      botApi,
      processor: { store, botApi, bot: createBot({ store, identity: { username: 'b' } }) },
      timeoutSeconds: 25,
    });
    await until(() => fake.calls.some((c) => c.method === 'getUpdates'));
    const started = Date.now();
    await poller.stop();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stops when Telegram rejects the token', async () => {
    const store = await stack.freshTable();
    fake.reset();
    fake.respond('deleteWebhook', () => telegramError(401, 'Unauthorized'));
    const botApi = createBotApi({ token: TEST_BOT_TOKEN, apiRoot: fake.url });
    const poller = startPolling({
      botApi,
      processor: { store, botApi, bot: createBot({ store, identity: { username: 'b' } }) },
      maxBackoffMs: 20,
    });
    await until(() => fake.calls.length >= 1);
    await poller.stop();
    expect(fake.calls.map((c) => c.method)).toEqual(['deleteWebhook']);
  });

  it('says the webhook was deleted only once deleteWebhook succeeded', async () => {
    const store = await stack.freshTable();
    fake.reset();
    let failures = 2;
    fake.respond('deleteWebhook', () =>
      failures-- > 0 ? telegramError(502, 'Bad Gateway') : true,
    );
    fake.respond('getUpdates', () => []);
    const botApi = createBotApi({ token: TEST_BOT_TOKEN, apiRoot: fake.url });
    const said: number[] = [];
    const poller = startPolling({
      botApi,
      processor: { store, botApi, bot: createBot({ store, identity: { username: 'b' } }) },
      timeoutSeconds: 0,
      maxBackoffMs: 20,
      onWebhookDeleted: () => said.push(fake.calls.length),
    });
    await until(() => fake.calls.some((c) => c.method === 'getUpdates'));
    await poller.stop();
    const deletes = fake.calls.filter((c) => c.method === 'deleteWebhook').length;
    expect(deletes).toBe(3);
    expect(said).toEqual([3]);
  });
});
