/**
 * Broadcasts end to end on the embedded store: the real lookup handler creates them, the real
 * sender (the dispatcher's) sends them to the fake Bot API, and the lookup reads the outcome.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../lib/store/client.ts';
import {
  person,
  privateBotStatus,
  privateMessage,
  seedPrivateChats,
  sends,
  sendUntilIdle,
  sentTo,
  testSender,
} from '../../helpers/broadcasts.ts';
import { sentMessage, telegramError } from '../../helpers/fake-bot-api.ts';
import { captureLogs } from '../../helpers/log-capture.ts';
import {
  eraseContact,
  GROUP,
  groupMessage,
  type LookupResponse,
  post,
  postJson,
  tagContacts,
} from '../../helpers/lookup.ts';
import { recordRequests } from '../../helpers/request-log.ts';
import { useStack, useWriter } from '../../helpers/stack-fixture.ts';

const A = 2001;
const B = 2002;
const C = 2003;
/** Seen only in a group: no private chat with the bot. */
const GROUP_ONLY = 2004;
/** Wrote privately, then blocked the bot. */
const BLOCKER = 2005;
const NEVER_SEEN = 2006;

const stack = useStack();

const rig = useWriter(stack, 'crm');

beforeEach(async () => {
  await seedPrivateChats(rig.webhook, [A, B, C, BLOCKER]);
  await post(
    rig.webhook,
    groupMessage(person(GROUP_ONLY)),
    privateBotStatus(person(BLOCKER), 'kicked', 1764000500),
  );
});

const create = (body: unknown, key = rig.writeKey): Promise<LookupResponse> =>
  postJson(rig.api, '/v1/broadcasts', body, { key });

const read = (id: string) => rig.api.call({ path: `/v1/broadcasts/${id}` });
const cancel = (id: string, key = rig.writeKey) =>
  rig.api.call({ method: 'POST', path: `/v1/broadcasts/${id}/cancel`, key });

async function created(body: Record<string, unknown>): Promise<{ id: string; total: number }> {
  const response = await create({ text: 'Hello', ...body });
  expect(response.status, response.raw).toBe(202);
  return response.body;
}

const sendAll = (sender = testSender(rig.store, stack.botApi)) => sendUntilIdle(sender);

/** A broadcast's counters other than `sent`, none yet. */
const NO_OUTCOMES = { failed: 0, blocked: 0, skipped: 0, unknown: 0 };

describe('POST /v1/broadcasts', () => {
  it('answers 202 with the recipients who can be messaged, and sends each one message', async () => {
    const response = await create({
      text: '<b>Sale</b> today',
      parseMode: 'HTML',
      disableNotification: true,
      buttons: [[{ text: 'Shop', url: 'https://shop.example.com/sale' }]],
      audience: { userIds: [A, B, C, GROUP_ONLY, BLOCKER, NEVER_SEEN, A] },
    });

    expect(response.status, response.raw).toBe(202);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^bc_[0-9a-f]{20}$/),
      status: 'queued',
      total: 3,
    });
    const before = await read(response.body.id);
    expect(before.body).toMatchObject({ status: 'queued', total: 3, sent: 0, ...NO_OUTCOMES });
    expect(before.body.startedAt).toBeUndefined();

    await sendAll();

    const calls = sends(stack.botApi);
    expect(calls.map((c) => Number(c.payload.chat_id)).sort()).toEqual([A, B, C]);
    expect(calls[0]?.payload).toMatchObject({
      text: '<b>Sale</b> today',
      parse_mode: 'HTML',
      disable_notification: true,
      reply_markup: { inline_keyboard: [[{ text: 'Shop', url: 'https://shop.example.com/sale' }]] },
    });
    const after = await read(response.body.id);
    expect(after.body).toMatchObject({ status: 'done', total: 3, sent: 3, ...NO_OUTCOMES });
    expect(Date.parse(after.body.finishedAt)).toBeGreaterThanOrEqual(
      Date.parse(after.body.startedAt),
    );
  });

  it('sends plain text without parse_mode, sound or keyboard when none is asked for', async () => {
    await created({ text: 'plain *text*', audience: { userIds: [A] } });
    await sendAll();

    const payload = sends(stack.botApi)[0]?.payload ?? {};
    expect(payload.text).toBe('plain *text*');
    expect(payload).not.toHaveProperty('parse_mode');
    expect(payload).not.toHaveProperty('disable_notification');
    expect(payload).not.toHaveProperty('reply_markup');
  });

  it('reaches a tag: contacts whose notes hold it', async () => {
    await tagContacts(rig.api, [A, C, GROUP_ONLY], ['vip'], rig.writeKey);

    const { total } = await created({ audience: { tag: 'VIP' } });
    await sendAll();

    expect(total).toBe(2);
    expect(sentTo(stack.botApi).sort()).toEqual([A, C]);
  });

  it("reaches a chat's current members only", async () => {
    await post(
      rig.webhook,
      groupMessage(person(A)),
      groupMessage(person(B)),
      groupMessage(person(C)),
    );
    const left = (await import('../../fixtures/updates.ts')).loadUpdate('left-chat-member') as {
      update_id: number;
      message: { chat: { id: number }; from: unknown; left_chat_member: unknown; date: number };
    };
    left.update_id = 7_000_001;
    left.message.chat.id = GROUP;
    left.message.from = { is_bot: false, ...person(C) };
    left.message.left_chat_member = { is_bot: false, ...person(C) };
    left.message.date = 1764000900;
    await post(rig.webhook, left);

    const { total } = await created({ audience: { chatId: GROUP } });
    await sendAll();

    expect(total).toBe(2);
    expect(sentTo(stack.botApi).sort()).toEqual([A, B]);
  });

  it('is done at once when nobody in the audience can be messaged', async () => {
    const response = await create({ text: 'x', audience: { userIds: [GROUP_ONLY, NEVER_SEEN] } });

    expect(response.status, response.raw).toBe(202);
    expect(response.body).toMatchObject({ status: 'done', total: 0 });
    await sendAll();
    expect(sends(stack.botApi)).toHaveLength(0);
  });

  it('answers 404 for a chat never seen', async () => {
    const response = await create({ text: 'x', audience: { chatId: -100999 } });
    expect(response.status, response.raw).toBe(404);
  });

  it.each(
    (
      [
        [{ audience: { userIds: [A] } }, 'text must be a string'],
        [{ text: '', audience: { userIds: [A] } }, 'text must not be empty'],
        [
          { text: 'x'.repeat(4097), audience: { userIds: [A] } },
          'text must be at most 4096 characters',
        ],
        [{ text: 'x' }, 'audience'],
        [{ text: 'x', audience: {} }, 'exactly one of tag, chatId and userIds'],
        [
          { text: 'x', audience: { tag: 'vip', chatId: GROUP } },
          'exactly one of tag, chatId and userIds',
        ],
        [{ text: 'x', audience: { userIds: [] } }, 'userIds must not be empty'],
        [{ text: 'x', audience: { userIds: [1.5] } }, 'userIds must be integers'],
        [{ text: 'x', audience: { group: 1 } }, 'unknown member "group"'],
        [
          { text: 'x', parseMode: 'Markdown', audience: { userIds: [A] } },
          'parseMode must be "HTML", "MarkdownV2" or null',
        ],
        [
          {
            text: 'x',
            buttons: [[{ text: 'Go', url: 'javascript:alert(1)' }]],
            audience: { userIds: [A] },
          },
          'a button url must be an https:// or tg:// URL',
        ],
        [
          { text: 'x', buttons: [[]], audience: { userIds: [A] } },
          'a row of buttons must not be empty',
        ],
        [
          { text: 'x', idempotencyKey: '', audience: { userIds: [A] } },
          'the idempotency key must not be empty',
        ],
        [{ text: 'x', audience: { userIds: [A] }, at: 'now' }, 'unknown member "at"'],
      ] as [unknown, string][]
    ).map(([body, detail]) => ({ body, detail })),
  )('answers 400: $detail', async ({ body, detail }) => {
    const response = await create(body);
    expect(response.status, response.raw).toBe(400);
    expect(response.body.detail).toContain(detail);
  });

  it('answers 415 for a body that is not application/json', async () => {
    const response = await rig.api.call({
      method: 'POST',
      path: '/v1/broadcasts',
      key: rig.writeKey,
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ text: 'x', audience: { userIds: [A] } }),
    });
    expect(response.status).toBe(415);
  });

  it('needs a write key: a read key is 403 and nothing is created', async () => {
    const response = await create({ text: 'x', audience: { userIds: [A] } }, rig.api.readKey);

    expect(response.status).toBe(403);
    const list = await rig.api.call({ path: '/v1/broadcasts' });
    expect(list.body.items).toEqual([]);
  });

  it('logs who created it and for how many, never the text', async () => {
    const logs = captureLogs();
    try {
      await created({ text: 'secret launch code 1234', audience: { userIds: [A, B] } });
    } finally {
      logs.stop();
    }
    const line = logs.entries().find((e) => e.audit === 'broadcast.create');
    expect(line).toMatchObject({
      message: 'audit',
      keyId: expect.any(String),
      route: 'POST /v1/broadcasts',
      recipients: 2,
      audience: 'users',
    });
    expect(logs.text()).not.toContain('secret launch code');
  });
});

describe('idempotencyKey', () => {
  it('answers the same broadcast for the same request and sends it once', async () => {
    const body = { text: 'once', audience: { userIds: [A, B] }, idempotencyKey: 'order-42' };
    const first = await create(body);
    const again = await create(body);

    expect(again.status, again.raw).toBe(202);
    expect(again.body).toEqual(first.body);
    await sendAll();
    const replay = await create(body);
    expect(replay.body).toEqual({ ...first.body, status: 'done' });
    expect(sends(stack.botApi)).toHaveLength(2);
    expect((await rig.api.call({ path: '/v1/broadcasts' })).body.items).toHaveLength(1);
  });

  it('takes the key from the Idempotency-Key header too, and refuses a header and body that differ', async () => {
    const body = JSON.stringify({ text: 'once', audience: { userIds: [A] } });
    const send = (headers: Record<string, string>, text = body) =>
      postJson(rig.api, '/v1/broadcasts', text, { key: rig.writeKey, headers });

    const first = await send({ 'idempotency-key': '"campaign-7"' });
    const again = await send({ 'idempotency-key': 'campaign-7' });
    const conflicting = await send(
      { 'idempotency-key': 'campaign-7' },
      JSON.stringify({ text: 'once', audience: { userIds: [A] }, idempotencyKey: 'other' }),
    );

    expect(first.status, first.raw).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(conflicting.status).toBe(400);
    expect(conflicting.body.detail).toContain('differ');
  });

  it('answers 422 for another body under the same key, and the same key of another API key is its own', async () => {
    await created({ audience: { userIds: [A] }, idempotencyKey: 'k1' });

    const other = await create({
      text: 'different',
      audience: { userIds: [A] },
      idempotencyKey: 'k1',
    });
    expect(other.status, other.raw).toBe(422);
    const byAdmin = await create(
      { text: 'different', audience: { userIds: [A] }, idempotencyKey: 'k1' },
      rig.api.adminKey,
    );
    expect(byAdmin.status, byAdmin.raw).toBe(202);
  });
});

describe('GET /v1/broadcasts', () => {
  it('lists broadcasts newest first, in pages', async () => {
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      ids.push((await created({ text, audience: { userIds: [A] } })).id);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    const first = await rig.api.call({ path: '/v1/broadcasts', query: { limit: '2' } });
    const second = await rig.api.call({
      path: '/v1/broadcasts',
      query: { limit: '2', cursor: first.body.nextCursor },
    });

    expect(first.body.items.map((b: { id: string }) => b.id)).toEqual([ids[2], ids[1]]);
    expect(second.body.items.map((b: { id: string }) => b.id)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeUndefined();
    expect(first.body.items[0]).toMatchObject({ status: 'queued', total: 1, sent: 0 });
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await read('bc_0123456789abcdef0123')).status).toBe(404);
    expect((await read('nope')).status).toBe(400);
  });
});

describe('POST /v1/broadcasts/{id}/cancel', () => {
  it('stops a queued broadcast: nothing is sent, every recipient is skipped', async () => {
    const { id } = await created({ audience: { userIds: [A, B, C] } });

    const cancelled = await cancel(id);
    await sendAll();

    expect(cancelled.status, cancelled.raw).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', total: 3, skipped: 3, sent: 0 });
    expect(sends(stack.botApi)).toHaveLength(0);
    expect((await read(id)).body).toMatchObject({ status: 'cancelled', skipped: 3, sent: 0 });
    expect((await cancel(id)).status).toBe(200);
  });

  it('stops a broadcast while it sends: what was sent stays sent, the rest is skipped', async () => {
    const recipients = [A, B, C];
    const { id } = await created({ audience: { userIds: recipients } });
    let cancelled: Promise<LookupResponse> | undefined;
    stack.botApi.respond('sendMessage', async (payload) => {
      cancelled ??= cancel(id);
      await cancelled;
      return sentMessage(payload);
    });

    // One at a time, and the broadcast read again before each send.
    await sendAll(testSender(rig.store, stack.botApi, { concurrency: 1, rate: 1 }));

    expect((await cancelled)?.status).toBe(200);
    expect(sends(stack.botApi)).toHaveLength(1);
    expect((await read(id)).body).toMatchObject({ status: 'cancelled', sent: 1, skipped: 2 });
  });

  it('answers 409 once a broadcast is done, 404 for an unknown one, and needs a write key', async () => {
    const { id } = await created({ audience: { userIds: [A] } });
    expect((await cancel(id, rig.api.readKey)).status).toBe(403);
    await sendAll();

    expect((await cancel(id)).status).toBe(409);
    expect((await cancel('bc_0123456789abcdef0123')).status).toBe(404);
  });
});

describe('sending', () => {
  it('records a 403 as blocked and a 400 as failed, and sends the others', async () => {
    stack.botApi.respond('sendMessage', (payload) => {
      if (payload.chat_id === A)
        return telegramError(403, 'Forbidden: bot was blocked by the user');
      if (payload.chat_id === B) return telegramError(400, 'Bad Request: chat not found');
      return sentMessage(payload);
    });
    const { id } = await created({ audience: { userIds: [A, B, C] } });

    await sendAll();

    expect((await read(id)).body).toMatchObject({ status: 'done', sent: 1, blocked: 1, failed: 1 });
    expect(sends(stack.botApi)).toHaveLength(3);
    // The 403 is recorded on the contact, so the next broadcast leaves A out.
    expect((await rig.api.call({ path: `/v1/contacts/${A}` })).body.botBlocked).toBe(true);
    expect((await created({ audience: { userIds: [A, B, C] } })).total).toBe(2);
  });

  it('waits retry_after on 429 and then sends that recipient once', async () => {
    let limited = 0;
    const times: { chat: number; at: number; ok: boolean }[] = [];
    stack.botApi.respond('sendMessage', (payload) => {
      const chat = Number(payload.chat_id);
      if (chat === B && limited++ === 0) {
        times.push({ chat, at: Date.now(), ok: false });
        return telegramError(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
      }
      times.push({ chat, at: Date.now(), ok: true });
      return sentMessage(payload);
    });
    const { id } = await created({ audience: { userIds: [A, B, C] } });

    await sendAll(testSender(rig.store, stack.botApi, { concurrency: 1 }));

    expect((await read(id)).body).toMatchObject({ status: 'done', sent: 3 });
    const refusal = times.find((t) => !t.ok) as { at: number };
    const after = times.filter((t) => t.at > refusal.at);
    expect(after.length).toBeGreaterThan(0);
    // Nothing at all went out during the pause Telegram asked for.
    for (const t of after) expect(t.at - refusal.at).toBeGreaterThanOrEqual(990);
    expect(times.filter((t) => t.chat === B && t.ok)).toHaveLength(1);
  });

  it('sends in a short run (a local slice) as many messages as its slots allow, not one', async () => {
    const people = Array.from({ length: 30 }, (_, i) => 2100 + i);
    await seedPrivateChats(rig.webhook, people);
    await created({ audience: { userIds: people } });

    // 4 a second: a 1 s run holds 4 slots, which 4 of its 8 workers take at once; the others
    // find none left, which ends the run, but not the messages already paced (the run ended
    // at once, before any of them went, when that was done by moving its deadline). Fewer
    // than 4 only when the rig.store is slow before the first slot (a loaded machine).
    const run = await testSender(rig.store, stack.botApi, { rate: 4 }).run(1000);

    expect(run.sent).toBeGreaterThanOrEqual(2);
    expect(run.sent).toBeLessThanOrEqual(4);
    expect(sends(stack.botApi)).toHaveLength(run.sent);
  });

  it('ends a run at once when retry_after outlasts it, and the next run sends after the pause', async () => {
    let limited = false;
    stack.botApi.respond('sendMessage', (payload) => {
      if (!limited) {
        limited = true;
        return telegramError(429, 'Too Many Requests: retry after 30', { retry_after: 30 });
      }
      return sentMessage(payload);
    });
    const { id } = await created({ audience: { userIds: [A, B, C] } });
    const client = createDocumentClient({
      region: 'us-east-1',
      endpoint: rig.store.endpoint,
      maxAttempts: 1,
    });
    const log = recordRequests(client);
    let clock = Date.now();
    const sender = testSender({ ...rig.store, client }, stack.botApi, {
      concurrency: 1,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });

    const first = await sender.run(5_000);

    expect(first.sent).toBe(0);
    expect(sends(stack.botApi)).toHaveLength(1);
    // Not a busy loop over the recipients until the budget ran out.
    expect(log.records.length).toBeLessThan(25);
    expect((await read(id)).body).toMatchObject({ status: 'sending', sent: 0 });

    clock += 30_000;
    await sendAll(sender);
    expect((await read(id)).body).toMatchObject({ status: 'done', sent: 3 });
    expect(sends(stack.botApi)).toHaveLength(4);
    client.destroy();
  });

  it('counts a 5xx answer as unknown and never sends it again (it may have been sent)', async () => {
    const tries = new Map<number, number>();
    stack.botApi.respond('sendMessage', (payload) => {
      const chat = Number(payload.chat_id);
      tries.set(chat, (tries.get(chat) ?? 0) + 1);
      if (chat === A) return telegramError(502, 'Bad Gateway');
      if (chat === B && tries.get(chat) === 1) return telegramError(500, 'Internal Server Error');
      return sentMessage(payload);
    });
    const { id } = await created({ audience: { userIds: [A, B, C] } });
    let clock = Date.now();
    // A fake clock: a retry's backoff would pass at once (there must be none).
    const sender = testSender(rig.store, stack.botApi, {
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });

    await sendAll(sender);

    expect((await read(id)).body).toMatchObject({ status: 'done', sent: 1, unknown: 2 });
    expect(Object.fromEntries(tries)).toEqual({ [A]: 1, [B]: 1, [C]: 1 });
  });

  it('counts a send that timed out as unknown and never sends it again', async () => {
    stack.botApi.respond('sendMessage', async (payload) => {
      if (payload.chat_id === A) await new Promise((resolve) => setTimeout(resolve, 700));
      return sentMessage(payload);
    });
    const { id } = await created({ audience: { userIds: [A, B] } });

    await sendAll(testSender(rig.store, stack.botApi, { timeoutMs: 300 }));

    expect((await read(id)).body).toMatchObject({ status: 'done', sent: 1, unknown: 1 });
    expect(sends(stack.botApi).filter((c) => c.payload.chat_id === A)).toHaveLength(1);
  });

  it('checks each recipient again before sending: one who blocked the bot meanwhile is not sent to', async () => {
    const { id } = await created({ audience: { userIds: [A, B] } });
    await post(rig.webhook, privateBotStatus(person(B), 'kicked', 1764001000));

    await sendAll();

    expect(sends(stack.botApi).map((c) => c.payload.chat_id)).toEqual([A]);
    expect((await read(id)).body).toMatchObject({ status: 'done', sent: 1, blocked: 1 });
  });

  it('honours a /stop sent while the broadcast waits: that recipient is skipped', async () => {
    const { id } = await created({ audience: { userIds: [A, B, C] } });
    await post(rig.webhook, privateMessage(person(B), 1764001000, '/stop'));

    await sendAll();

    expect(sentTo(stack.botApi).sort()).toEqual([A, C]);
    expect((await read(id)).body).toMatchObject({ status: 'done', sent: 2, skipped: 1 });
    // /start undoes it: the next broadcast reaches B again.
    await post(rig.webhook, privateMessage(person(B), 1764001100, '/start'));
    await created({ text: 'again', audience: { userIds: [B] } });
    await sendAll();
    expect(sends(stack.botApi).filter((c) => c.payload.chat_id === B)).toHaveLength(1);
  });

  it('leaves out of a new broadcast a contact who sent /stop', async () => {
    await post(rig.webhook, privateMessage(person(A), 1764001000, '/stop'));

    const { total } = await created({ audience: { userIds: [A, B] } });

    expect(total).toBe(1);
  });

  it('skips a recipient erased meanwhile', async () => {
    const { id } = await created({ audience: { userIds: [A, B] } });
    await eraseContact(rig.api, A);

    await sendAll();

    expect(sends(stack.botApi).map((c) => c.payload.chat_id)).toEqual([B]);
    expect((await read(id)).body).toMatchObject({ status: 'done', sent: 1, skipped: 1 });
  });

  it('sends nothing without a bot token: the broadcast waits, said once; a cancel takes it off the list', async () => {
    const { id } = await created({ audience: { userIds: [A] } });
    const { createBroadcastSender } = await import('../../../lib/messaging/broadcast-sender.ts');
    const { createBotApi } = await import('../../../lib/telegram/bot-api.ts');
    const { listPendingBroadcasts } = await import(
      '../../../lib/messaging/store/broadcast-progress.ts'
    );
    const lines: string[] = [];
    const sender = createBroadcastSender({
      store: rig.store,
      botApi: createBotApi({ apiRoot: stack.botApi.url }),
      rate: 30,
      log: (message) => lines.push(message),
    });

    const run = await sender.run(1000);
    await sender.run(1000);
    await sender.run(1000);

    expect(run).toMatchObject({ pending: 1, sent: 0 });
    expect(stack.botApi.calls).toHaveLength(0);
    expect((await read(id)).body.status).toBe('queued');
    expect(lines).toEqual(['broadcasts wait: no bot token configured']);

    expect((await cancel(id)).status).toBe(200);
    expect(await sender.run(1000)).toMatchObject({ pending: 1, finished: 1, sent: 0 });

    expect(await listPendingBroadcasts(rig.store)).toEqual([]);
    expect((await read(id)).body).toMatchObject({ status: 'cancelled', skipped: 1, sent: 0 });
    expect(stack.botApi.calls).toHaveLength(0);
  });

  it('answers 503 at once when no bot token is configured, and stores nothing', async () => {
    const noToken = await stack.lookup({ store: rig.store, token: null });
    const body = { text: 'Hello', audience: { userIds: [A] } };
    const response = await postJson(noToken, '/v1/broadcasts', body, { key: noToken.adminKey });

    expect(response.status, response.raw).toBe(503);
    expect(response.body.detail).toMatch(/TELEGRAM_BOT_TOKEN/);
    expect((await rig.api.call({ path: '/v1/broadcasts' })).body.items).toEqual([]);
  });

  it('sends broadcasts oldest first, and a new message to the same person waits a second', async () => {
    const times: { text: string; at: number }[] = [];
    stack.botApi.respond('sendMessage', (payload) => {
      times.push({ text: String(payload.text), at: Date.now() });
      return sentMessage(payload);
    });
    await created({ text: 'first', audience: { userIds: [A] } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await created({ text: 'second', audience: { userIds: [A] } });

    await sendAll();

    expect(times.map((t) => t.text)).toEqual(['first', 'second']);
    expect((times[1]?.at ?? 0) - (times[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });
});
