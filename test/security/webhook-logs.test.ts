/**
 * Logs at DEBUG through everything the webhook meets: every fixture (own and shared phone
 * numbers, /me, /forget), refused requests, storage faults of every kind, and Telegram
 * failing outbound replies in every way (401, 403, 429, 5xx, unreachable, where errors
 * carry the request URL holding the token). Not one log line may hold the bot token, the
 * webhook secret or a phone number; every error answer is a bare problem+json.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logger } from '../../lib/logger.ts';
import { loadUpdate } from '../fixtures/updates.ts';
import { webhookEvent } from '../helpers/events.ts';
import { closedLoopbackUrl, telegramError } from '../helpers/fake-bot-api.ts';
import { FAULT_KINDS, faultyClient } from '../helpers/faults.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { useStack } from '../helpers/stack-fixture.ts';
import { TEST_BOT_TOKEN } from '../helpers/webhook.ts';
import { expectNothingSensitive, expectSafeProblem, PHONES, useLogCheck } from './sensitive.ts';

const FIXTURES = readdirSync(new URL('../fixtures/updates/', import.meta.url))
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length))
  .sort();

/** The order a user would go through them: share, look, then forget. */
const FLOW = [
  ...FIXTURES.filter((name) => !/forget/.test(name)),
  'forget-command',
  'callback-query-forget-confirm',
];

const logs = useLogCheck();
// After the capture's hooks: it starts before the stack and stops after it closes.
const stack = useStack();

async function webhookOn(botApiUrl: string, decide?: Parameters<typeof faultyClient>[1]) {
  const table = await stack.freshTable();
  const faulty = faultyClient(table.endpoint, decide);
  const store = { client: faulty.client, tableName: table.tableName };
  return stack.webhook({ store, botApiUrl });
}

describe('webhook logs', () => {
  it('are captured, DEBUG included, and a leak would be caught (self-check)', () => {
    const inner = captureLogs();
    logger.debug('probe', { phone: PHONES[0] });
    inner.stop();
    expect(inner.entries()).toMatchObject([{ level: 'DEBUG', message: 'probe' }]);
    expect(() => expectNothingSensitive(inner.text())).toThrow(/leaked/);
  });

  it('hold no secret or phone number through every fixture, at DEBUG', async () => {
    const webhook = await webhookOn(stack.botApi.url);
    for (const name of FLOW) {
      const response = await webhook(webhookEvent(loadUpdate(name)));
      expect(response.statusCode, name).toBe(200);
    }
    const handled = logs.entries().filter((e) => e.message === 'update handled');
    expect(handled.length).toBeGreaterThanOrEqual(FLOW.length);
    expect(stack.botApi.calls.map((c) => c.method)).toContain('editMessageText');
    expectNothingSensitive(logs.text());
  });

  it.each(FAULT_KINDS)(
    'hold no secret or phone number when the store fails (%s); the answer is a bare 500',
    async (kind) => {
      const webhook = await webhookOn(stack.botApi.url, (command) =>
        command === 'UpdateItemCommand' ? kind : undefined,
      );
      for (const name of ['contact-own', 'contact-other', 'group-message']) {
        expectSafeProblem(await webhook(webhookEvent(loadUpdate(name))), 500);
      }
      const rejected = logs.entries().filter((e) => e.message === 'update rejected');
      expect(rejected.at(-1)).toMatchObject({ level: 'ERROR', status: 500, error: 'StoreError' });
      expectNothingSensitive(logs.text());
    },
  );

  it.each([
    ['401', telegramError(401, 'Unauthorized')],
    ['403', telegramError(403, 'Forbidden: bot was blocked by the user')],
    ['429', telegramError(429, 'Too Many Requests: retry after 60', { retry_after: 60 })],
    ['500', telegramError(500, 'Internal Server Error')],
    ['a body that is not JSON', { status: 502, body: '<html>Bad Gateway</html>' }],
  ])('hold no token when Telegram answers an outbound reply with %s', async (_label, answer) => {
    stack.botApi.reset();
    stack.botApi.respond('editMessageText', () => answer);
    const webhook = await webhookOn(stack.botApi.url);
    const response = await webhook(webhookEvent(loadUpdate('callback-query-forget-confirm')));
    expect(response.statusCode).toBe(200);
    expect(logs.entries().at(-2)).toMatchObject({ message: 'bot reply dropped' });
    expectNothingSensitive(logs.text());
  });

  it('hold no token when Telegram cannot be reached (the error names the URL with the token)', async () => {
    const webhook = await webhookOn(await closedLoopbackUrl());
    const response = await webhook(webhookEvent(loadUpdate('callback-query-forget-confirm')));
    expect(response.statusCode).toBe(200);
    const dropped = logs.entries().filter((e) => e.message === 'bot reply dropped');
    expect(dropped.at(-1)).toMatchObject({ error: 'BotApiUnreachableError' });
    expect(logs.text()).not.toContain(TEST_BOT_TOKEN.split(':')[1]);
    expectNothingSensitive(logs.text());
  });

  it('answer refused and malformed requests with bare problems and log nothing sensitive', async () => {
    const webhook = await webhookOn(stack.botApi.url);
    const update = loadUpdate('contact-own');
    expectSafeProblem(await webhook(webhookEvent(update, { secret: 'nope' })), 401);
    expectSafeProblem(await webhook(webhookEvent(update, { secret: null })), 401);
    expectSafeProblem(await webhook(webhookEvent(update, { method: 'GET' })), 405);
    expectSafeProblem(await webhook(webhookEvent('{"update_id":1,"message":')), 400);
    expectSafeProblem(await webhook(webhookEvent({ ...update, update_id: -1 })), 400);
    expectSafeProblem(
      await webhook(webhookEvent(`${JSON.stringify(update)}${' '.repeat(2 ** 20)}`)),
      413,
    );
    expectNothingSensitive(logs.text());
  });
});
