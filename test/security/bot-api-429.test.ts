/**
 * Telegram's flood control on an outbound reply: the /forget confirmation answers twice (the
 * answerCallbackQuery rides in the webhook response, the editMessageText goes out). A 429 on
 * the outbound call is retried once when its retry_after fits the function's time budget,
 * else dropped with a warning; either way the update itself is recorded and acknowledged.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../functions/webhook.ts';
import { getContact } from '../../lib/directory/read/profiles.ts';
import { loadUpdate } from '../fixtures/updates.ts';
import { webhookEvent } from '../helpers/events.ts';
import { telegramError } from '../helpers/fake-bot-api.ts';
import { captureLogs, type LogCapture } from '../helpers/log-capture.ts';
import { useFreshWebhook, useStack } from '../helpers/stack-fixture.ts';
import type { TestStore } from '../helpers/store.ts';

const ALICE = 1001;

const stack = useStack();
let store: TestStore;
let webhook: WebhookHandler;
let logs: LogCapture;
useFreshWebhook(stack, (rig) => ({ store, webhook } = rig));

beforeEach(async () => {
  expect((await webhook(webhookEvent(loadUpdate('group-message')))).statusCode).toBe(200);
  logs = captureLogs();
});
afterEach(() => logs.stop());

const floodControl = (retryAfter: number) =>
  telegramError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });

async function confirmForget() {
  const started = performance.now();
  const response = await webhook(webhookEvent(loadUpdate('callback-query-forget-confirm')));
  const body = response.body ? JSON.parse(response.body) : undefined;
  return { status: response.statusCode, body, ms: performance.now() - started };
}

/** Confirms /forget, expects 200 and `edits` editMessageText calls so far; returns the answer. */
async function forgetWithEdits(edits: number) {
  const result = await confirmForget();
  expect(result.status).toBe(200);
  expect(editCalls()).toHaveLength(edits);
  return result;
}

const editCalls = () => stack.botApi.calls.filter((call) => call.method === 'editMessageText');
const dropWarnings = () =>
  logs.entries().filter((e) => e.level === 'WARN' && e.message === 'bot reply dropped');

describe('Bot API 429 on an outbound reply', () => {
  it('retries once after a retry_after that fits the budget, then delivers the reply', async () => {
    let refused = 0;
    stack.botApi.respond('editMessageText', () => (refused++ === 0 ? floodControl(1) : true));
    const result = await forgetWithEdits(2);
    expect(result.body.method).toBe('answerCallbackQuery');
    expect(result.ms).toBeGreaterThanOrEqual(950);
    expect(dropWarnings()).toEqual([]);
    expect(await getContact(store, ALICE)).toBeNull();
  });

  it('drops the reply with a warning when Telegram refuses the retry too; the update is not lost', async () => {
    stack.botApi.respond('editMessageText', () => floodControl(1));
    const result = await forgetWithEdits(2);
    expect(result.ms).toBeLessThan(3000);
    expect(dropWarnings()).toHaveLength(1);
    expect(await getContact(store, ALICE)).toBeNull();
    // A redelivery runs the bot again (recorder.ts: a confirmed /forget must erase even if
    // its first attempt died after recording): it erases again and answers again, once retried.
    await forgetWithEdits(4);
    expect(await getContact(store, ALICE)).toBeNull();
  }, 8_000);

  it('drops the reply at once when retry_after exceeds the budget', async () => {
    stack.botApi.respond('editMessageText', () => floodControl(30));
    const result = await forgetWithEdits(1);
    expect(result.ms).toBeLessThan(1000);
    expect(dropWarnings()).toMatchObject([
      { method: 'editMessageText', error: 'BotApiRateLimitError' },
    ]);
    expect(await getContact(store, ALICE)).toBeNull();
  });
});
