import { describe, expect, it } from 'vitest';
import { createBotApi } from '../../../lib/telegram/bot-api.ts';
import { BotApiError } from '../../../lib/telegram/bot-api-errors.ts';
import { createBotIdentityResolver } from '../../../lib/telegram/bot-identity.ts';
import { closedLoopbackUrl, telegramError } from '../../helpers/fake-bot-api.ts';
import { useFakeBotApi } from '../../helpers/stack-fixture.ts';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_';

async function rejection(promise: Promise<unknown>): Promise<BotApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BotApiError);
  const apiError = err as BotApiError;
  expect(apiError.message).not.toContain(TOKEN);
  expect(String(apiError.stack)).not.toContain(TOKEN);
  expect(JSON.stringify(apiError)).not.toContain(TOKEN);
  expect(String((apiError.cause as Error | undefined)?.message)).not.toContain(TOKEN);
  return apiError;
}

describe('createBotApi', () => {
  const fake = useFakeBotApi({ resetEach: true });

  it('sends calls to apiRoot as POST /bot<token>/<method> with the JSON payload', async () => {
    const api = createBotApi({ token: TOKEN, apiRoot: fake.url });

    const me = await api.getMe();
    const sent = await api.sendMessage(42, 'hello', { reply_markup: { remove_keyboard: true } });
    const member = await api.getChatMember(-100123, 42);
    const answered = await api.call('answerCallbackQuery', { callback_query_id: 'q1' });

    expect(me.username).toBe('contacts_test_bot');
    expect(sent).toMatchObject({ chat: { id: 42 }, text: 'hello' });
    expect(member).toMatchObject({ status: 'member', user: { id: 42 } });
    expect(answered).toBe(true);
    expect(fake.calls).toEqual([
      { method: 'getMe', token: TOKEN, payload: {} },
      {
        method: 'sendMessage',
        token: TOKEN,
        payload: { chat_id: 42, text: 'hello', reply_markup: { remove_keyboard: true } },
      },
      { method: 'getChatMember', token: TOKEN, payload: { chat_id: -100123, user_id: 42 } },
      { method: 'answerCallbackQuery', token: TOKEN, payload: { callback_query_id: 'q1' } },
    ]);
  });

  it('covers the webhook management helpers', async () => {
    const api = createBotApi({ token: TOKEN, apiRoot: `${fake.url}/` });

    await expect(api.setWebhook('https://example.test/hook', { secret_token: 's' })).resolves.toBe(
      true,
    );
    await expect(api.getWebhookInfo()).resolves.toMatchObject({ url: '', pending_update_count: 0 });
    await expect(api.deleteWebhook({ drop_pending_updates: true })).resolves.toBe(true);
    await expect(api.getUpdates({ offset: 5, timeout: 0 })).resolves.toEqual([]);
    expect(fake.calls.map((c) => c.method)).toEqual([
      'setWebhook',
      'getWebhookInfo',
      'deleteWebhook',
      'getUpdates',
    ]);
    expect(fake.calls[0]?.payload).toEqual({ url: 'https://example.test/hook', secret_token: 's' });
  });

  it.each([
    [401, 'Unauthorized', 'unauthorized'],
    [403, 'Forbidden: bot was blocked by the user', 'forbidden'],
    [400, 'Bad Request: chat not found', 'bad_request'],
    [500, 'Internal Server Error', 'unreachable'],
  ])('maps a %i answer to its error kind', async (code, description, kind) => {
    fake.respond('sendMessage', () => telegramError(code, description));
    const api = createBotApi({ token: TOKEN, apiRoot: fake.url });

    const err = await rejection(api.sendMessage(1, 'x'));

    expect(err).toMatchObject({ kind, method: 'sendMessage', errorCode: code });
  });

  it('maps 429 to rate_limited with retryAfter', async () => {
    fake.respond('sendMessage', () =>
      telegramError(429, 'Too Many Requests: retry after 3', { retry_after: 3 }),
    );
    const api = createBotApi({ token: TOKEN, apiRoot: fake.url });

    const err = await rejection(api.call('sendMessage', { chat_id: 1, text: 'x' }));

    expect(err).toMatchObject({ kind: 'rate_limited', retryAfter: 3 });
  });

  it('maps a closed port to unreachable without leaking the token', async () => {
    const api = createBotApi({ token: TOKEN, apiRoot: await closedLoopbackUrl() });

    const err = await rejection(api.getMe());

    expect(err.kind).toBe('unreachable');
  });

  it('times out a slow answer as unreachable', async () => {
    fake.respond('getMe', () => new Promise((resolve) => setTimeout(() => resolve(true), 1000)));
    const api = createBotApi({ token: TOKEN, apiRoot: fake.url, timeoutMs: 50 });

    const err = await rejection(api.getMe());

    expect(err.kind).toBe('unreachable');
    expect(err.message).toContain('timed out');
  });

  it('fails as token_missing and makes no call when no token is set', async () => {
    const api = createBotApi({ apiRoot: fake.url });

    const err = await rejection(api.call('sendMessage', { chat_id: 1, text: 'x' }));

    expect(err.kind).toBe('token_missing');
    await expect(api.getMe()).rejects.toMatchObject({ kind: 'token_missing' });
    expect(api.hasToken).toBe(false);
    expect(fake.calls).toHaveLength(0);
  });

  it('reads the bot id from the token', () => {
    expect(createBotApi({ token: TOKEN, apiRoot: fake.url }).botId).toBe(123456789);
  });
});

describe('createBotIdentityResolver', () => {
  const fake = useFakeBotApi({ resetEach: true });

  it('uses the configured username without any call', async () => {
    const botApi = createBotApi({ token: TOKEN, apiRoot: fake.url });
    const resolve = createBotIdentityResolver({ username: '@my_bot', botApi });

    await expect(resolve()).resolves.toEqual({ id: 123456789, username: 'my_bot' });
    expect(fake.calls).toHaveLength(0);
  });

  it('calls getMe exactly once for concurrent callers', async () => {
    const botApi = createBotApi({ token: TOKEN, apiRoot: fake.url });
    const resolve = createBotIdentityResolver({ botApi });

    const identities = await Promise.all(Array.from({ length: 5 }, () => resolve()));
    await resolve();

    for (const identity of identities) {
      expect(identity).toEqual({
        id: 999,
        username: 'contacts_test_bot',
        firstName: 'Contacts Test',
      });
    }
    expect(fake.calls.filter((c) => c.method === 'getMe')).toHaveLength(1);
  });

  it('does not cache a failed getMe', async () => {
    fake.respond('getMe', () => telegramError(502, 'Bad Gateway'));
    const botApi = createBotApi({ token: TOKEN, apiRoot: fake.url });
    const resolve = createBotIdentityResolver({ botApi });

    await expect(resolve()).rejects.toMatchObject({ kind: 'unreachable' });
    fake.reset();
    await expect(resolve()).resolves.toMatchObject({ username: 'contacts_test_bot' });
    expect(fake.calls).toHaveLength(1);
  });
});
