/**
 * Log lines carry no names or phones: a person recorded through the real webhook with a name,
 * a username and a verified phone, shared by someone else, looked up by phone, sent a direct
 * message and a broadcast, her events delivered to a subscriber, then erased (the bot's
 * /forget, whose confirmation Telegram refuses with a description quoting her name, and the
 * API's DELETE). Every line logged meanwhile, at DEBUG, holds none of her names or her phone,
 * is a line the data map lists, and holds only the fields the map gives it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/dispatcher.ts';
import { createDispatcher } from '../../../lib/events/dispatcher.ts';
import { sendWebhook } from '../../../lib/events/send-webhook.ts';
import { logger } from '../../../lib/logger.ts';
import { createBroadcastRunner } from '../../../lib/messaging/broadcast-runner.ts';
import { LOG_LINES } from '../../../lib/privacy/data-map.ts';
import { loadUpdate } from '../../fixtures/updates.ts';
import { testSender } from '../../helpers/broadcasts.ts';
import { type EventReceiver, startEventReceiver } from '../../helpers/event-receiver.ts';
import { telegramError } from '../../helpers/fake-bot-api.ts';
import { captureLogs, type LogCapture } from '../../helpers/log-capture.ts';
import { eraseContact, post } from '../../helpers/lookup.ts';
import { useStack } from '../../helpers/stack-fixture.ts';

const ZELDA = 1001;
const BOB = 1002;
const NAMES = ['Zelda', 'Quixotemarsh', 'zq_marsh_77'];
const PHONES = ['15557654321', '+15557654321', '+1 555 765 4321'];
/** What Powertools adds to every line. */
const STANDARD = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  // The Lambda context (addContext): deployed, every line carries them.
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
]);

let receiver: EventReceiver;
let logs: LogCapture;
beforeAll(async () => {
  receiver = await startEventReceiver();
  logs = captureLogs();
});
afterAll(async () => {
  logs.stop();
  await receiver.close();
});
const stack = useStack();

let nextUpdate = 7_000_000;
/** A fixture as Zelda (or Bob) sends it now: her names, her phone, a fresh update id. */
function update(name: string, from: 'zelda' | 'bob' = 'zelda'): Record<string, unknown> {
  const text = JSON.stringify(loadUpdate(name))
    .replaceAll('Alice_Smith', 'zq_marsh_77')
    .replaceAll('Alice', 'Zelda')
    .replaceAll('Smith', 'Quixotemarsh')
    .replaceAll('15551234567', '15557654321')
    .replaceAll(/"date":\d+/g, `"date":${Math.floor(Date.now() / 1000) - 5}`);
  const parsed = JSON.parse(text) as Record<string, unknown>;
  parsed.update_id = nextUpdate++;
  if (from === 'bob') {
    const message = parsed.message as Record<string, unknown>;
    message.from = { id: BOB, is_bot: false, first_name: 'Bob' };
    message.chat = { id: BOB, first_name: 'Bob', type: 'private' };
  }
  return parsed;
}

describe('log lines of a person’s whole life', () => {
  it('hold none of her names or her phone, and only what the data map lists', async () => {
    const env = { EVENTS_ALLOW_LOOPBACK: 'true' };
    const { store, webhook, lookup } = await stack.handlers({ env });
    const json = { 'content-type': 'application/json' };
    const subscribed = await lookup.call({
      method: 'POST',
      path: '/v1/subscriptions',
      key: lookup.adminKey,
      headers: json,
      body: JSON.stringify({ url: receiver.url, events: ['*'], includePhone: true }),
    });
    expect(subscribed.status).toBe(201);
    const log = (message: string, fields: Record<string, unknown>) => logger.info(message, fields);
    const dispatch = createHandler(
      createDispatcher({
        store,
        post: (request) => sendWebhook({ ...request, allowLoopback: true }),
        log,
        broadcasts: createBroadcastRunner(store, async () =>
          testSender(store, stack.botApi, { log }),
        ),
      }),
    );
    const sweep = () => dispatch({ source: 'aws.events' });

    // Recorded: she writes to the bot, verifies her phone, asks /me; Bob shares her card.
    await post(webhook, update('private-message'), update('contact-own'), update('me-command'));
    const card = update('contact-other', 'bob');
    (card.message as { contact: unknown }).contact = {
      phone_number: '+1 555 765 4321',
      first_name: 'Zelda',
      last_name: 'Quixotemarsh',
      user_id: ZELDA,
    };
    await post(webhook, card);
    // Looked up by her phone (the query string is never logged), once malformed.
    expect(
      (await lookup.call({ path: '/v1/contacts', query: { phone: '+15557654321' } })).status,
    ).toBe(200);
    expect(
      (await lookup.call({ path: '/v1/contacts', query: { phone: '+1555765432x' } })).status,
    ).toBe(400);
    // A direct message and a broadcast to her; her events delivered.
    const dm = await lookup.call({
      method: 'POST',
      path: `/v1/contacts/${ZELDA}/messages`,
      key: lookup.adminKey,
      headers: { ...json, 'idempotency-key': 'dm-1' },
      body: JSON.stringify({ text: 'Hello Zelda Quixotemarsh' }),
    });
    expect(dm.status).toBe(201);
    const broadcast = await lookup.call({
      method: 'POST',
      path: '/v1/broadcasts',
      key: lookup.adminKey,
      headers: json,
      body: JSON.stringify({ text: 'News for Zelda', audience: { userIds: [ZELDA] } }),
    });
    expect(broadcast.status).toBe(202);
    await sweep();
    await sweep();
    expect(receiver.requests.some((r) => r.body.includes('Quixotemarsh'))).toBe(true);
    expect(
      stack.botApi.calls.filter((c) => c.method === 'sendMessage').length,
    ).toBeGreaterThanOrEqual(2);

    // Erased: /forget, its confirmation refused quoting her name; then the API's DELETE.
    stack.botApi.respond('editMessageText', () =>
      telegramError(400, 'Bad Request: message text "Zelda Quixotemarsh, +15557654321" is invalid'),
    );
    await post(webhook, update('forget-command'), update('callback-query-forget-confirm'));
    await eraseContact(lookup, ZELDA);
    await sweep();

    const entries = logs.entries();
    const messages = new Set(entries.map((e) => e.message));
    for (const seen of [
      'update handled',
      'lookup',
      'lookup failed',
      'audit',
      'delivery',
      'broadcast finished',
      'erase',
      'bot reply dropped',
      'sweep',
    ])
      expect(messages, seen).toContain(seen);
    const text = logs.text();
    for (const leaked of [...NAMES, ...PHONES, 'quixotemarsh'])
      expect(text.toLowerCase().includes(leaked.toLowerCase()), `leaked: ${leaked}`).toBe(false);
    for (const entry of entries) {
      const line = LOG_LINES.find((l) => l.message === entry.message);
      expect(line, String(entry.message)).toBeDefined();
      const extra = Object.keys(entry).filter((k) => !STANDARD.has(k) && !line?.fields.includes(k));
      expect(extra, String(entry.message)).toEqual([]);
    }
  }, 60_000);
});
