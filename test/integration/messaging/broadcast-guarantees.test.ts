/**
 * Red team for issue 13 (direct messages and broadcasts): interleavings, crashes and bad input
 * against the real lookup handler, the real broadcast sender, the embedded store and the fake
 * Bot API. Each test is an attack that the code must survive.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../functions/webhook.ts';
import { createApiKey } from '../../../lib/access/api-key-admin.ts';
import {
  person,
  privateMessage,
  seedPrivateChats,
  sends,
  sendsPerChat,
  testSender,
} from '../../helpers/broadcasts.ts';
import { telegramError } from '../../helpers/fake-bot-api.ts';
import { faultyClient } from '../../helpers/faults.ts';
import { captureLogs } from '../../helpers/log-capture.ts';
import { ALICE, type LookupResponse, post, type TestLookup } from '../../helpers/lookup.ts';
import { privateText } from '../../helpers/private-chat.ts';
import { nowSeconds } from '../../helpers/recorder-rig.ts';
import { useStack } from '../../helpers/stack-fixture.ts';
import type { TestStore } from '../../helpers/store.ts';

const JSON_TYPE = { 'content-type': 'application/json' };
const stack = useStack();
let store: TestStore;
let webhook: WebhookHandler;
let api: TestLookup;
let writeKey: string;

beforeEach(async () => {
  stack.botApi.reset();
  ({ store, webhook, lookup: api } = await stack.handlers());
  writeKey = (await createApiKey(store, { name: 'red', scope: 'write' })).key;
  await post(webhook, privateText('/start', nowSeconds() - 600));
});

function createBroadcast(body: unknown, key = writeKey): Promise<LookupResponse> {
  return api.call({
    method: 'POST',
    path: '/v1/broadcasts',
    key,
    headers: JSON_TYPE,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('at most once per recipient', () => {
  it('two senders whose leases overlap (a holder paused past its lease) send no one twice', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => 7100 + i);
    await seedPrivateChats(webhook, ids);
    const created = await createBroadcast({ text: 'overlap', audience: { userIds: ids } });
    expect(created.status, created.raw).toBe(202);
    // Each answer takes a while, so both senders have sends in flight at once.
    stack.botApi.respond('sendMessage', async (payload) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { message_id: 1, date: nowSeconds(), chat: { id: payload.chat_id, type: 'private' } };
    });
    const early = testSender(store, stack.botApi, { owner: 'early', rate: 200 });
    // The second one's clock is a minute ahead: it sees the first one's lease (and claims)
    // as run out, takes the lease over and expires the claims while the first still sends.
    const ahead = () => Date.now() + 60_000;
    const late = testSender(store, stack.botApi, { owner: 'late', rate: 200, now: ahead });
    await Promise.all([early.run(3000), late.run(3000)]);
    for (let i = 0; i < 10; i++) {
      const run = await late.run(3000);
      if (run.pending === 0) break;
    }

    for (const [chat, count] of sendsPerChat(stack.botApi)) {
      expect(count, `chat ${chat}`).toBe(1);
    }
    const status = await api.call({ path: `/v1/broadcasts/${created.body.id}` });
    expect(status.body.status).toBe('done');
    const { sent, unknown, failed, skipped, blocked } = status.body;
    expect(sent + unknown + failed + skipped + blocked).toBe(ids.length);
    // Every message Telegram got is counted as sent or unknown (never neither).
    expect(sends(stack.botApi).length).toBeLessThanOrEqual(sent + unknown);
    expect(sends(stack.botApi).length).toBeGreaterThanOrEqual(sent);
  });
});

describe('broadcast creation under store failures', () => {
  it('a retry with the same idempotencyKey after the broadcast was stored but not listed gets it sent', async () => {
    const ids = [7701, 7702];
    await seedPrivateChats(webhook, ids);
    // The create's PutItems: the idempotency key, the broadcast, then its pending marker.
    let puts = 0;
    const faulty = faultyClient(store.endpoint, (command) =>
      command === 'PutItemCommand' && ++puts === 3 ? 'server' : undefined,
    );
    const flaky = await stack.lookup({ store, client: faulty.client });
    const body = JSON.stringify({
      text: 'listed?',
      audience: { userIds: ids },
      idempotencyKey: 'bk-1',
    });
    const call = (client: TestLookup) =>
      client.call({
        method: 'POST',
        path: '/v1/broadcasts',
        key: writeKey,
        headers: JSON_TYPE,
        body,
      });
    const first = await call(flaky);
    expect(puts).toBeGreaterThanOrEqual(3);
    expect(first.status).toBeGreaterThanOrEqual(500);
    const again = await call(api);
    expect(again.status, again.raw).toBe(202);
    const sender = testSender(store, stack.botApi);
    for (let i = 0; i < 10 && (await sender.run(3000)).pending > 0; i++);
    expect([...sendsPerChat(stack.botApi).keys()].sort()).toEqual(ids);
    const status = await api.call({ path: `/v1/broadcasts/${again.body.id}` });
    expect(status.body).toMatchObject({ status: 'done', sent: 2 });
  });
});

describe('direct sends', () => {
  const send = (headers: Record<string, string>, body: unknown, client = api) =>
    client.call({
      method: 'POST',
      path: `/v1/contacts/${ALICE}/messages`,
      key: writeKey,
      headers: { ...JSON_TYPE, ...headers },
      body: JSON.stringify(body),
    });

  it('a claim of the key that landed with its answer lost still sends once, and a repeat replays it', async () => {
    let lose = true;
    const faulty = faultyClient(store.endpoint, (command) => {
      if (lose && command === 'PutItemCommand') {
        lose = false;
        return 'lost-response';
      }
      return undefined;
    });
    const flaky = await stack.lookup({ store, client: faulty.client });
    const headers = { 'idempotency-key': 'k-lost-claim' };
    const first = await send(headers, { text: 'hi' }, flaky);
    expect(lose).toBe(false);
    const again = await send(headers, { text: 'hi' });
    // Before the fix: the first was a 5xx and every repeat a 409 for 24 hours, nothing sent.
    expect(first.status, first.raw).toBe(201);
    expect(again.status, again.raw).toBe(201);
    expect(again.body).toStrictEqual(first.body);
    expect(sends(stack.botApi)).toHaveLength(1);
  });

  it('many concurrent requests under one key, some with another body: one send, the others 409 or 422', async () => {
    const headers = { 'idempotency-key': 'k-storm' };
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => send(headers, { text: i % 3 === 0 ? 'other' : 'hi' })),
    );
    expect(sends(stack.botApi)).toHaveLength(1);
    const sentText = sends(stack.botApi)[0]?.payload.text;
    for (const [i, a] of answers.entries()) {
      const text = i % 3 === 0 ? 'other' : 'hi';
      if (a.status === 201) expect(text).toBe(sentText);
      else if (text === sentText) expect([201, 409]).toContain(a.status);
      else expect(a.status).toBe(422);
    }
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThanOrEqual(1);
  });

  it('a different body under a finished key is 422 (header and body forms alike)', async () => {
    expect((await send({ 'idempotency-key': 'k-d' }, { text: 'one' })).status).toBe(201);
    expect((await send({}, { text: 'two', idempotencyKey: 'k-d' })).status).toBe(422);
    expect(
      (await send({ 'idempotency-key': 'k-d' }, { text: 'one', parseMode: 'HTML' })).status,
    ).toBe(422);
    expect(sends(stack.botApi)).toHaveLength(1);
  });
});

describe('opt-out and erasure', () => {
  it('an erased contact is not messaged by a broadcast created before the erasure', async () => {
    const ids = [7201, 7202, 7203];
    await seedPrivateChats(webhook, ids);
    const created = await createBroadcast({ text: 'before erasure', audience: { userIds: ids } });
    expect(created.body.total).toBe(3);
    const erased = await api.call({
      method: 'DELETE',
      path: '/v1/contacts/7202',
      key: api.adminKey,
    });
    expect(erased.status, erased.raw).toBeLessThan(300);
    const sender = testSender(store, stack.botApi);
    for (let i = 0; i < 10 && (await sender.run(3000)).pending > 0; i++);
    expect([...sendsPerChat(stack.botApi).keys()].sort()).toEqual([7201, 7203]);
    const status = await api.call({ path: `/v1/broadcasts/${created.body.id}` });
    expect(status.body).toMatchObject({ sent: 2, skipped: 1 });
  });

  it('an erasure or a /stop that lands while the recipient is being claimed is honoured', async () => {
    const ids = [7211, 7212, 7213];
    await seedPrivateChats(webhook, ids);
    const created = await createBroadcast({
      text: 'claimed, then erased',
      audience: { userIds: ids },
    });
    expect(created.body.total).toBe(3);
    // Right after a recipient's claim lands (between the pacer's slot and the request), 7212
    // is erased and 7213 sends /stop: both finish before their messages would go.
    const landed = new Set<string>();
    const client = {
      send: async (command: { input: Record<string, unknown> }) => {
        const out = await (store.client.send as (c: unknown) => Promise<unknown>)(command);
        const key = command.input.Key as Record<string, unknown> | undefined;
        const values = JSON.stringify(command.input.ExpressionAttributeValues ?? {});
        const sk = String(key?.sk ?? '');
        if (values.includes('"sending"') && sk.startsWith('R#') && !landed.has(sk)) {
          landed.add(sk);
          if (sk.endsWith('7212')) {
            const erased = await api.call({
              method: 'DELETE',
              path: '/v1/contacts/7212',
              key: api.adminKey,
            });
            expect(erased.status, erased.raw).toBe(204);
          }
          if (sk.endsWith('7213')) {
            await post(webhook, privateMessage(person(7213), nowSeconds() - 5, '/stop'));
          }
        }
        return out;
      },
    };
    const sender = testSender(
      { ...store, client: client as unknown as typeof store.client },
      stack.botApi,
    );
    for (let i = 0; i < 10 && (await sender.run(3000)).pending > 0; i++);
    expect(landed.size).toBe(3);
    expect([...sendsPerChat(stack.botApi).keys()]).toEqual([7211]);
    const status = await api.call({ path: `/v1/broadcasts/${created.body.id}` });
    expect(status.body).toMatchObject({ status: 'done', sent: 1, skipped: 2 });
  });
});

describe('bad input and leaks', () => {
  const SECRET = 'SECRET-TEXT-+15551234567';

  it('answers bad input to the new routes with 4xx problems that do not echo the text', async () => {
    const direct = (path: string, body: string, headers: Record<string, string> = {}) =>
      api.call({
        method: 'POST',
        path,
        key: writeKey,
        headers: { ...JSON_TYPE, ...headers },
        body,
      });
    const attempts: Promise<LookupResponse>[] = [
      direct(`/v1/contacts/${ALICE}/messages`, JSON.stringify({ text: SECRET.repeat(300) })),
      direct(`/v1/contacts/${ALICE}/messages`, JSON.stringify({ text: '' })),
      direct(
        `/v1/contacts/${ALICE}/messages`,
        JSON.stringify({ text: SECRET, parseMode: 'BBCode' }),
      ),
      direct(
        `/v1/contacts/${ALICE}/messages`,
        JSON.stringify({ text: SECRET, buttons: [[{ text: 'x', url: 'javascript:alert(1)' }]] }),
      ),
      direct(`/v1/contacts/${ALICE}/messages`, JSON.stringify({ text: SECRET, buttons: 'no' })),
      direct(`/v1/contacts/${ALICE}/messages`, `{"text":"${SECRET}"`),
      direct(`/v1/contacts/${ALICE}/messages`, 'null'),
      direct(`/v1/contacts/${ALICE}/messages`, '[]'),
      direct('/v1/contacts/abc/messages', JSON.stringify({ text: SECRET })),
      direct('/v1/contacts/99999999999999999999999/messages', JSON.stringify({ text: SECRET })),
      direct('/v1/contacts/-5/messages', JSON.stringify({ text: SECRET })),
      direct(`/v1/contacts/${ALICE}/messages`, JSON.stringify({ text: SECRET }), {
        'idempotency-key': 'x'.repeat(5000),
      }),
      direct(`/v1/contacts/${ALICE}/messages`, JSON.stringify({ text: SECRET, idempotencyKey: 5 })),
      direct(
        `/v1/contacts/${ALICE}/messages`,
        JSON.stringify({ text: SECRET, idempotencyKey: 'a' }),
        { 'idempotency-key': 'b' },
      ),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: {} })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: { tag: 'a', chatId: 1 } })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: { chatId: 'x' } })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: { tag: '../../' } })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: { userIds: [] } })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: { userIds: [1.5, -1] } })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: { userIds: 'all' } })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: { chatId: 2 ** 60 } })),
      direct('/v1/broadcasts/bc_zz/cancel', ''),
      direct('/v1/broadcasts/BROADCAST%23SENDER/cancel', ''),
      api.call({ path: '/v1/broadcasts/SENDER' }),
      api.call({ path: '/v1/broadcasts/..%2F..%2Fcontacts' }),
      api.call({ path: '/v1/broadcasts?limit=-1' }),
      api.call({ path: '/v1/broadcasts?cursor=%7B%7D' }),
      api.call({ path: '/v1/broadcasts?cursor=not-a-cursor' }),
    ];
    const answers = await Promise.all(attempts);
    for (const [i, a] of answers.entries()) {
      expect(a.status, `attempt ${i}: ${a.raw}`).toBeGreaterThanOrEqual(400);
      expect(a.status, `attempt ${i}: ${a.raw}`).toBeLessThan(500);
      expect(a.raw, `attempt ${i}`).not.toContain('SECRET');
      expect(a.raw, `attempt ${i}`).not.toContain('5551234567');
    }
    expect(sends(stack.botApi)).toEqual([]);
  });

  it('a refused broadcast send whose description quotes the text logs neither the text nor a phone', async () => {
    const ids = [7301, 7302];
    await seedPrivateChats(webhook, ids);
    stack.botApi.respond('sendMessage', (payload) =>
      telegramError(
        400,
        `Bad Request: can't parse entities: Unsupported start tag "${String(payload.text)}"`,
      ),
    );
    const logs = captureLogs();
    try {
      const created = await createBroadcast({
        text: `<x>${SECRET}`,
        parseMode: 'HTML',
        audience: { userIds: ids },
      });
      expect(created.status).toBe(202);
      const sender = testSender(store, stack.botApi);
      for (let i = 0; i < 10 && (await sender.run(3000)).pending > 0; i++);
      const status = await api.call({ path: `/v1/broadcasts/${created.body.id}` });
      expect(status.body).toMatchObject({ failed: 2, sent: 0 });
      expect(status.raw).not.toContain('SECRET');
    } finally {
      logs.stop();
    }
    expect(logs.text()).not.toContain('SECRET');
    expect(logs.text()).not.toContain('5551234567');
  });

  it('a write key cannot reach more than 1,000 recipients by repeating the ids', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => 8000 + i);
    const response = await createBroadcast({
      text: 'many',
      audience: { userIds: [...ids, ...ids] },
    });
    // None of them has a private chat: nobody is eligible, so no admin is needed and none is sent.
    expect([202, 400, 403]).toContain(response.status);
    if (response.status === 202) expect(response.body.total).toBe(0);
  });
});
