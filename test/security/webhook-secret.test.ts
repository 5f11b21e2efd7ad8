/**
 * Only Telegram gets in: the X-Telegram-Bot-Api-Secret-Token check, at the handler and
 * through the local HTTP server. A refused request records nothing and learns nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../functions/webhook.ts';
import { loadUpdate } from '../fixtures/updates.ts';
import { httpEvent, WEBHOOK_SECRET, webhookEvent } from '../helpers/events.ts';
import { useLocalStack } from '../helpers/local-stack.ts';
import { useStack } from '../helpers/stack-fixture.ts';
import type { TestStore } from '../helpers/store.ts';
import { tableSnapshot } from '../helpers/webhook.ts';
import {
  expectNothingSensitive,
  expectSafeProblem,
  SECURITY_ENV,
  useLogCheck,
} from './sensitive.ts';

let store: TestStore;
let webhook: WebhookHandler;

const logs = useLogCheck();
afterAll(() => {
  expect(logs.entries().length).toBeGreaterThan(0);
});
const fixture = useStack();
const stack = useLocalStack({ env: SECURITY_ENV });
beforeAll(async () => {
  store = await fixture.freshTable();
  webhook = await fixture.webhook({ store });
});

const update = loadUpdate('group-message');
const body = JSON.stringify(update);

/** The right secret with one character changed at `index` (same length). */
function sameLength(index: number): string {
  const chars = [...WEBHOOK_SECRET];
  chars[index] = chars[index] === 'A' ? 'B' : 'A';
  return chars.join('');
}

const WRONG: [string, string][] = [
  ['empty', ''],
  ['wrong', 'wrong-secret'],
  ['wrong of equal length, first character', sameLength(0)],
  ['wrong of equal length, last character', sameLength(WEBHOOK_SECRET.length - 1)],
  ['a prefix of the secret', WEBHOOK_SECRET.slice(0, -1)],
  ['the secret and more', `${WEBHOOK_SECRET}x`],
  ['the secret upper-cased', WEBHOOK_SECRET.toUpperCase()],
  ['the secret with a trailing space', `${WEBHOOK_SECRET} `],
  ['the secret twice', `${WEBHOOK_SECRET},${WEBHOOK_SECRET}`],
  ['the secret in another encoding', Buffer.from(WEBHOOK_SECRET).toString('base64')],
];

describe('webhook secret at the handler', () => {
  it('answers 401 and records nothing without the header', async () => {
    expectSafeProblem(await webhook(webhookEvent(update, { secret: null })), 401);
    expect(await tableSnapshot(store)).toEqual([]);
  });

  it.each(WRONG)('answers 401 and records nothing for %s', async (_label, secret) => {
    expectSafeProblem(await webhook(webhookEvent(update, { secret })), 401);
    expect(await tableSnapshot(store)).toEqual([]);
  });

  it('does not take the secret from anywhere but its header', async () => {
    const elsewhere = [
      httpEvent({
        method: 'POST',
        path: '/telegram/webhook',
        query: { secret_token: WEBHOOK_SECRET },
        body,
      }),
      httpEvent({
        method: 'POST',
        path: '/telegram/webhook',
        headers: { authorization: `Bearer ${WEBHOOK_SECRET}`, cookie: `secret=${WEBHOOK_SECRET}` },
        body,
      }),
      httpEvent({
        method: 'POST',
        path: '/telegram/webhook',
        headers: { 'x-telegram-bot-api-secret': WEBHOOK_SECRET },
        body,
      }),
    ];
    for (const event of elsewhere) expectSafeProblem(await webhook(event), 401);
    expect(await tableSnapshot(store)).toEqual([]);
  });

  it('checks the secret before reading the body: bad or huge bodies still get 401', async () => {
    for (const raw of ['{not json', '[]', 'x'.repeat(2 * 1024 * 1024)]) {
      expectSafeProblem(await webhook(webhookEvent(raw, { secret: 'wrong' })), 401);
    }
  });

  it.each([
    'x-telegram-bot-api-secret-token',
    'X-Telegram-Bot-Api-Secret-Token',
    'X-TELEGRAM-BOT-API-SECRET-TOKEN',
    'x-Telegram-bot-API-secret-TOKEN',
  ])('accepts the right secret whatever the header name case: %s', async (name) => {
    const event = httpEvent({
      method: 'POST',
      path: '/telegram/webhook',
      headers: { [name]: WEBHOOK_SECRET },
      body,
    });
    expect((await webhook(event)).statusCode).toBe(200);
  });

  it('answers 405 to other methods even with the right secret, before anything else', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']) {
      const response = await webhook(webhookEvent(update, { method }));
      expectSafeProblem(response, 405);
      expect(response.headers?.allow).toBe('POST');
    }
  });
});

describe('webhook secret through the local server', () => {
  const post = (headers: Record<string, string>) =>
    fetch(`${stack.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it.each([
    'x-telegram-bot-api-secret-token',
    'X-Telegram-Bot-Api-Secret-Token',
    'X-TELEGRAM-BOT-API-SECRET-TOKEN',
  ])('accepts %s over HTTP', async (name) => {
    expect((await post({ [name]: WEBHOOK_SECRET })).status).toBe(200);
  });

  // HTTP strips whitespace around a header value (RFC 9110 5.5): over the wire a trailing
  // space is no different secret, so that case is checked at the handler only.
  const overHttp = WRONG.filter(([label]) => !label.includes('trailing space'));

  it.each(overHttp)('answers 401 over HTTP for %s', async (_label, secret) => {
    const response = await post({ 'x-telegram-bot-api-secret-token': secret });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expectNothingSensitive(await response.text());
  });

  it('answers 401 when the header is sent twice (the values are joined, not trusted)', async () => {
    const headers = new Headers({ 'content-type': 'application/json' });
    headers.append('x-telegram-bot-api-secret-token', WEBHOOK_SECRET);
    headers.append('x-telegram-bot-api-secret-token', WEBHOOK_SECRET);
    const response = await fetch(`${stack.url}/telegram/webhook`, {
      method: 'POST',
      headers,
      body,
    });
    expect(response.status).toBe(401);
  });
});
