/**
 * `POST /v1/contacts/{userId}/messages` through the real lookup handler, with the contacts
 * recorded by the real rig.webhook handler and Telegram played by the loopback fake Bot API.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { STOP_TEXT } from '../../../../lib/bot/messages.ts';
import { webhookEvent } from '../../../helpers/events.ts';
import { type FakeBotApiCall, telegramError } from '../../../helpers/fake-bot-api.ts';
import { failFirst, faultyClient } from '../../../helpers/faults.ts';
import { captureLogs } from '../../../helpers/log-capture.ts';
import { ALICE, BOB, eraseContact, groupMessage, post } from '../../../helpers/lookup.ts';
import { privateBotStatus, privateText } from '../../../helpers/private-chat.ts';
import { aliceLeftovers, nowSeconds } from '../../../helpers/recorder-rig.ts';
import { useStack, useWriter } from '../../../helpers/stack-fixture.ts';

const stack = useStack();

const rig = useWriter(stack, 'sender');

beforeEach(async () => {
  const t = nowSeconds() - 600;
  // Alice opened a private chat with the bot; Bob is only in the group.
  await post(
    rig.webhook,
    privateText('/start', t),
    groupMessage({ id: BOB, first_name: 'Bob' }, { date: t }),
  );
});

const sends = (): FakeBotApiCall[] => stack.botApi.calls.filter((c) => c.method === 'sendMessage');

function send(
  userId: number,
  body: unknown,
  options: { key?: string | null; headers?: Record<string, string> } = {},
) {
  return rig.api.call({
    method: 'POST',
    path: `/v1/contacts/${userId}/messages`,
    key: options.key === undefined ? rig.writeKey : options.key,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST /v1/contacts/{userId}/messages', () => {
  it('sends the text with its parse mode, silence and URL buttons, and answers 201', async () => {
    const buttons = [
      [{ text: 'Open', url: 'https://example.com/offer?id=1' }],
      [
        { text: 'Bot', url: 'tg://resolve?domain=contacts_test_bot' },
        { text: 'Docs', url: 'https://example.com/docs' },
      ],
    ];
    const response = await send(ALICE, {
      text: '<b>Hello</b> Alice',
      parseMode: 'HTML',
      disableNotification: true,
      buttons,
    });

    expect(response.status).toBe(201);
    expect(response.body).toStrictEqual({
      messageId: expect.any(Number),
      chatId: ALICE,
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
    });
    expect(sends().map((c) => c.payload)).toStrictEqual([
      {
        chat_id: ALICE,
        text: '<b>Hello</b> Alice',
        parse_mode: 'HTML',
        disable_notification: true,
        reply_markup: { inline_keyboard: buttons },
      },
    ]);
  });

  it('sends plain text without parse_mode, notification flag or keyboard', async () => {
    const response = await send(ALICE, { text: 'plain', parseMode: null, buttons: [] });
    expect(response.status).toBe(201);
    expect(sends().map((c) => c.payload)).toStrictEqual([{ chat_id: ALICE, text: 'plain' }]);
  });

  it('answers 404 for a contact never seen and for an erased one, sending nothing', async () => {
    const unknown = await send(424242, { text: 'hi' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toBe('no contact with id 424242');
    await eraseContact(rig.api, ALICE);
    expect((await send(ALICE, { text: 'hi' })).status).toBe(404);
    expect(sends()).toEqual([]);
  });

  it('answers 409 "has not started the bot" for a contact without a private chat', async () => {
    const response = await send(BOB, { text: 'hi' });
    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body.detail).toBe(`contact ${BOB} has not started the bot`);
    expect(sends()).toEqual([]);
  });

  it('answers 409 "has blocked the bot" after my_chat_member kicked, and sends after an unblock', async () => {
    const t = nowSeconds() - 300;
    await post(rig.webhook, privateBotStatus('kicked', t));
    const blocked = await send(ALICE, { text: 'hi' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.detail).toBe(`contact ${ALICE} has blocked the bot`);
    expect(sends()).toEqual([]);

    await post(rig.webhook, privateBotStatus('member', t + 10));
    expect((await send(ALICE, { text: 'hi' })).status).toBe(201);
  });

  it('records a 403 "bot was blocked by the user" so the contact shows botBlocked, until erased', async () => {
    stack.botApi.respond('sendMessage', () =>
      telegramError(403, 'Forbidden: bot was blocked by the user'),
    );
    const before = await rig.api.call({ path: `/v1/contacts/${ALICE}` });
    expect(before.body.botBlocked).toBeUndefined();

    const refused = await send(ALICE, { text: 'hi' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe(`contact ${ALICE} has blocked the bot`);
    const after = await rig.api.call({ path: `/v1/contacts/${ALICE}` });
    expect(after.body.botBlocked).toBe(true);

    // Known blocked now: the next send is refused without asking Telegram.
    expect((await send(ALICE, { text: 'again' })).status).toBe(409);
    expect(sends()).toHaveLength(1);

    // Writing to the bot again shows the block is over.
    await post(rig.webhook, privateText('back again', nowSeconds()));
    expect((await rig.api.call({ path: `/v1/contacts/${ALICE}` })).body.botBlocked).toBe(false);

    await recordBlockAndErase();
  });

  async function recordBlockAndErase() {
    await send(ALICE, { text: 'blocked again' });
    await eraseContact(rig.api, ALICE);
    expect(await aliceLeftovers(rig.store)).toEqual([]);
  }

  it('answers 409 "has not started the bot" when Telegram says it cannot initiate the chat', async () => {
    stack.botApi.respond('sendMessage', () =>
      telegramError(403, "Forbidden: bot can't initiate conversation with a user"),
    );
    const response = await send(ALICE, { text: 'hi' });
    expect(response.status).toBe(409);
    expect(response.body.detail).toBe(`contact ${ALICE} has not started the bot`);
  });

  it("answers 503 with Retry-After on Telegram's flood control, and the key may be used again", async () => {
    stack.botApi.respond('sendMessage', () =>
      telegramError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }),
    );
    const headers = { 'idempotency-key': 'flood-1' };
    const limited = await send(ALICE, { text: 'hi' }, { headers });
    expect(limited.status).toBe(503);
    expect(limited.headers['retry-after']).toBe('7');
    expect(limited.body.detail).toMatch(/slow down/);

    stack.botApi.reset();
    const retried = await send(ALICE, { text: 'hi' }, { headers });
    expect(retried.status).toBe(201);
    expect(sends()).toHaveLength(1);
  });

  it('answers 502 for other Telegram errors without echoing Telegram’s description', async () => {
    stack.botApi.respond('sendMessage', () =>
      telegramError(400, 'Bad Request: can\'t parse entities: Unsupported start tag "secret"'),
    );
    const response = await send(ALICE, { text: '<secret>x', parseMode: 'HTML' });
    expect(response.status).toBe(502);
    expect(response.body.detail).toMatch(/not valid in its parseMode/);
    expect(response.raw).not.toContain('secret');

    stack.botApi.respond('sendMessage', () => telegramError(500, 'Internal Server Error'));
    const down = await send(ALICE, { text: 'hi' });
    expect(down.status).toBe(502);
    expect(down.body.detail).toMatch(/may have been delivered/);
  });

  it('answers 503 when no bot token is configured', async () => {
    const noToken = await stack.lookup({ store: rig.store, token: null });
    const response = await noToken.call({
      method: 'POST',
      path: `/v1/contacts/${ALICE}/messages`,
      key: rig.writeKey,
      headers: { 'content-type': 'application/json' },
      body: '{"text":"hi"}',
    });
    expect(response.status).toBe(503);
    expect(response.body.detail).toMatch(/TELEGRAM_BOT_TOKEN/);
  });

  it('needs the write scope: a read key is 403, no key 401', async () => {
    expect((await send(ALICE, { text: 'hi' }, { key: rig.api.readKey })).status).toBe(403);
    expect((await send(ALICE, { text: 'hi' }, { key: null })).status).toBe(401);
    expect((await send(ALICE, { text: 'hi' }, { key: rig.api.adminKey })).status).toBe(201);
    expect(sends()).toHaveLength(1);
  });

  it.each([
    ['an empty text', { text: '' }, /text must not be empty/],
    ['white space only', { text: ' \n ' }, /only white space/],
    ['a text over 4096 characters', { text: 'x'.repeat(4097) }, /at most 4096/],
    ['an unknown parse mode', { text: 'hi', parseMode: 'Markdown' }, /parseMode/],
    ['an http button', { text: 'hi', buttons: [[{ text: 'b', url: 'http://x.com' }]] }, /https/],
    [
      'a javascript button',
      { text: 'hi', buttons: [[{ text: 'b', url: 'javascript:1' }]] },
      /https/,
    ],
    ['an empty row', { text: 'hi', buttons: [[]] }, /row/],
    ['a flat button list', { text: 'hi', buttons: [{ text: 'b', url: 'https://x.com' }] }, /rows/],
    ['an unknown member', { text: 'hi', chatId: 5 }, /unknown member "chatId"/],
    [
      'a non-boolean disableNotification',
      { text: 'hi', disableNotification: 'yes' },
      /true or false/,
    ],
  ])('answers 400 for %s, sending nothing', async (_name, body, detail) => {
    const response = await send(ALICE, body);
    expect(response.status).toBe(400);
    expect(response.body.detail).toMatch(detail);
    expect(sends()).toEqual([]);
  });

  it('answers 400 for a body that is not JSON and 415 for another content type', async () => {
    expect((await send(ALICE, '{"text":')).status).toBe(400);
    const typed = await send(ALICE, '{"text":"hi"}', { headers: { 'content-type': 'text/plain' } });
    expect(typed.status).toBe(415);
  });

  it('reaches a contact who opted out of broadcasts with /stop; /stop and /start flip broadcastOptOut', async () => {
    const stop = await rig.webhook(webhookEvent(privateText('/stop', nowSeconds() - 60)));
    expect(stop.statusCode).toBe(200);
    expect(JSON.parse(stop.body ?? '{}')).toMatchObject({
      method: 'sendMessage',
      chat_id: ALICE,
      text: STOP_TEXT,
    });
    expect((await rig.api.call({ path: `/v1/contacts/${ALICE}` })).body.broadcastOptOut).toBe(true);

    expect((await send(ALICE, { text: 'direct' })).status).toBe(201);

    const start = await rig.webhook(webhookEvent(privateText('/start', nowSeconds() - 30)));
    expect(JSON.parse(start.body ?? '{}')).toMatchObject({ method: 'sendMessage', chat_id: ALICE });
    expect((await rig.api.call({ path: `/v1/contacts/${ALICE}` })).body.broadcastOptOut).toBe(
      false,
    );
  });
});

describe('Idempotency-Key', () => {
  it('answers a repeat with the first answer and sends once (header)', async () => {
    const headers = { 'idempotency-key': 'order-42' };
    const first = await send(ALICE, { text: 'once' }, { headers });
    const again = await send(ALICE, { text: 'once' }, { headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toStrictEqual(first.body);
    expect(sends()).toHaveLength(1);
  });

  it('takes the key from the body too, and a quoted header equals the bare body key', async () => {
    const first = await send(ALICE, { text: 'once', idempotencyKey: 'k-7' });
    const quoted = await send(ALICE, { text: 'once' }, { headers: { 'idempotency-key': '"k-7"' } });
    const both = await send(
      ALICE,
      { text: 'once', idempotencyKey: 'k-7' },
      { headers: { 'idempotency-key': 'k-7' } },
    );
    expect([first.status, quoted.status, both.status]).toEqual([201, 201, 201]);
    expect(quoted.body).toStrictEqual(first.body);
    expect(both.body).toStrictEqual(first.body);
    expect(sends()).toHaveLength(1);
  });

  it('answers 400 when the header and the body name different keys', async () => {
    const response = await send(
      ALICE,
      { text: 'x', idempotencyKey: 'a' },
      { headers: { 'idempotency-key': 'b' } },
    );
    expect(response.status).toBe(400);
    expect(response.body.detail).toMatch(/differ/);
    expect(sends()).toEqual([]);
  });

  it('answers 422 for the same key with another text or another recipient', async () => {
    const headers = { 'idempotency-key': 'k-422' };
    expect((await send(ALICE, { text: 'one' }, { headers })).status).toBe(201);
    const other = await send(ALICE, { text: 'two' }, { headers });
    expect(other.status).toBe(422);
    expect(other.body.detail).toMatch(/different request/);
    const silent = await send(ALICE, { text: 'one', disableNotification: true }, { headers });
    expect(silent.status).toBe(422);
    const elsewhere = await send(BOB, { text: 'one' }, { headers });
    expect(elsewhere.status).toBe(422);
    expect(sends()).toHaveLength(1);
  });

  it('replays a stored refusal the same way (a 403 block is one answer, not two sends)', async () => {
    stack.botApi.respond('sendMessage', () =>
      telegramError(403, 'Forbidden: bot was blocked by the user'),
    );
    const headers = { 'idempotency-key': 'k-blocked' };
    const first = await send(ALICE, { text: 'hi' }, { headers });
    stack.botApi.reset();
    await post(rig.webhook, privateBotStatus('member', nowSeconds()));
    const again = await send(ALICE, { text: 'hi' }, { headers });
    expect(first.status).toBe(409);
    expect(again.status).toBe(409);
    expect(again.body).toStrictEqual(first.body);
    expect(sends()).toEqual([]);
  });

  it('keeps keys per API key: another key with the same Idempotency-Key sends again', async () => {
    const headers = { 'idempotency-key': 'shared-name' };
    expect((await send(ALICE, { text: 'hi' }, { headers })).status).toBe(201);
    const other = await send(ALICE, { text: 'hi' }, { headers, key: rig.api.adminKey });
    expect(other.status).toBe(201);
    expect(sends()).toHaveLength(2);
  });

  it('frees a key refused before sending (409 not started), so it can be used once the contact starts the bot', async () => {
    const headers = { 'idempotency-key': 'k-bob' };
    expect((await send(BOB, { text: 'hi' }, { headers })).status).toBe(409);
    const bobStart = privateText('/start', nowSeconds()) as unknown as {
      message: { from: Record<string, unknown>; chat: Record<string, unknown> };
    };
    bobStart.message.from = { id: BOB, is_bot: false, first_name: 'Bob' };
    bobStart.message.chat = { id: BOB, type: 'private', first_name: 'Bob' };
    await post(rig.webhook, bobStart);
    expect((await send(BOB, { text: 'hi' }, { headers })).status).toBe(201);
    expect(sends()).toHaveLength(1);
  });

  it('sends at most once when requests with one key arrive together: the others are 409 in progress', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    stack.botApi.respond('sendMessage', async (p) => {
      calls++;
      await held;
      return { message_id: 77, date: nowSeconds(), chat: { id: p.chat_id, type: 'private' } };
    });
    const headers = { 'idempotency-key': 'burst' };
    const pending = Array.from({ length: 6 }, () => send(ALICE, { text: 'burst' }, { headers }));
    // Let every request reach its claim before Telegram answers the one that won.
    await new Promise((resolve) => setTimeout(resolve, 500));
    release();
    const answers = await Promise.all(pending);

    expect(calls).toBe(1);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const others = answers.filter((a) => a.status !== 201);
    expect(others).toHaveLength(5);
    for (const other of others) {
      expect(other.status).toBe(409);
      expect(other.body.detail).toBe('a request with this key is in progress');
    }
    const after = await send(ALICE, { text: 'burst' }, { headers });
    expect(after.status).toBe(201);
    expect(after.body.messageId).toBe(77);
    expect(calls).toBe(1);
  });

  it('keeps a 502 after a timeout-like failure: the repeat does not send again', async () => {
    stack.botApi.respond('sendMessage', () => telegramError(502, 'Bad Gateway'));
    const headers = { 'idempotency-key': 'k-502' };
    const first = await send(ALICE, { text: 'hi' }, { headers });
    stack.botApi.reset();
    const again = await send(ALICE, { text: 'hi' }, { headers });
    expect(first.status).toBe(502);
    expect(again.status).toBe(502);
    expect(again.body).toStrictEqual(first.body);
    expect(sends()).toEqual([]);
  });

  it('leaves the key "in progress" when the answer could not be stored after the send (at most once)', async () => {
    const faulty = faultyClient(rig.store.endpoint, failFirst('UpdateItemCommand', 'server'));
    const crashing = await stack.lookup({ store: rig.store, client: faulty.client });
    const headers = { 'idempotency-key': 'k-crash' };
    const call = () =>
      crashing.call({
        method: 'POST',
        path: `/v1/contacts/${ALICE}/messages`,
        key: rig.writeKey,
        headers: { 'content-type': 'application/json', ...headers },
        body: '{"text":"hi"}',
      });
    const first = await call();
    expect(faulty.injected.server).toBe(1);
    expect(first.status).toBe(201);
    const again = await call();
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe('a request with this key is in progress');
    expect(sends()).toHaveLength(1);
  });

  it('ignores a record older than 24 hours', async () => {
    const headers = { 'idempotency-key': 'k-old' };
    expect((await send(ALICE, { text: 'hi' }, { headers })).status).toBe(201);
    const { ScanCommand, UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { Items = [] } = await rig.store.client.send(
      new ScanCommand({ TableName: rig.store.tableName }),
    );
    const record = Items.find((i) => String(i.pk).startsWith('IDEMPOTENCY#'));
    expect(record).toMatchObject({ state: 'done', sk: 'IDEMPOTENCY' });
    expect(String(record?.pk)).not.toContain('k-old');
    expect(Number(record?.expiresAt) - Number(record?.createdAt)).toBe(24 * 3600);
    await rig.store.client.send(
      new UpdateCommand({
        TableName: rig.store.tableName,
        Key: { pk: record?.pk, sk: record?.sk },
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': nowSeconds() - 1 },
      }),
    );
    expect((await send(ALICE, { text: 'hi' }, { headers })).status).toBe(201);
    expect(sends()).toHaveLength(2);
  });
});

describe('privacy of sends', () => {
  it('never logs the text, and logs one audit line per send with key id, route and recipient count', async () => {
    const secret = 'Secret-Text-9f2c';
    const logs = captureLogs();
    try {
      expect((await send(ALICE, { text: `${secret} one` })).status).toBe(201);
      stack.botApi.respond('sendMessage', () =>
        telegramError(400, `Bad Request: can't parse entities: ${secret}`),
      );
      expect((await send(ALICE, { text: `${secret} two`, parseMode: 'HTML' })).status).toBe(502);
      expect((await send(ALICE, { text: `${secret}`, chatId: 1 })).status).toBe(400);
    } finally {
      logs.stop();
    }
    expect(logs.text()).not.toContain(secret);
    const audits = logs.entries().filter((e) => e.audit === 'message.send');
    expect(audits).toHaveLength(2);
    for (const audit of audits) {
      expect(audit).toMatchObject({
        route: 'POST /v1/contacts/{userId}/messages',
        recipients: 1,
        keyId: expect.any(String),
      });
    }
    expect(audits.map((a) => a.status)).toEqual([201, 502]);
  });
});
