/**
 * Broadcasts' guarantees under interleavings, crashes and hostile input, against the real
 * lookup handler, the real broadcast sender, the embedded store and the fake Bot API: no
 * recipient messaged twice (even by two senders whose leases overlap), a create retried after
 * a half-stored attempt still sent, an erasure or a /stop honoured up to the last moment, a
 * refused send's description kept out of the logs, and the recipient cap.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  person,
  privateMessage,
  seedPrivateChats,
  sends,
  sendsPerChat,
  testSender,
} from '../../helpers/broadcasts.ts';
import { telegramError } from '../../helpers/fake-bot-api.ts';
import { faultyClient, scriptedClient } from '../../helpers/faults.ts';
import { captureLogs } from '../../helpers/log-capture.ts';
import { post, postJson, type TestLookup } from '../../helpers/lookup.ts';
import { privateText } from '../../helpers/private-chat.ts';
import { nowSeconds } from '../../helpers/recorder-rig.ts';
import { useStack, type WriterHandlers } from '../../helpers/stack-fixture.ts';

const stack = useStack();
let rig: WriterHandlers;

beforeEach(async () => {
  rig = await stack.writer('red');
  await post(rig.webhook, privateText('/start', nowSeconds() - 600));
});

const createBroadcast = (body: unknown, key = rig.writeKey) =>
  postJson(rig.lookup, '/v1/broadcasts', body, { key });

describe('at most once per recipient', () => {
  it('two senders whose leases overlap (a holder paused past its lease) send no one twice', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => 7100 + i);
    await seedPrivateChats(rig.webhook, ids);
    const created = await createBroadcast({ text: 'overlap', audience: { userIds: ids } });
    expect(created.status, created.raw).toBe(202);
    // Each answer takes a while, so both senders have sends in flight at once.
    stack.botApi.respond('sendMessage', async (payload) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { message_id: 1, date: nowSeconds(), chat: { id: payload.chat_id, type: 'private' } };
    });
    const early = testSender(rig.store, stack.botApi, { owner: 'early', rate: 200 });
    // The second one's clock is a minute ahead: it sees the first one's lease (and claims)
    // as run out, takes the lease over and expires the claims while the first still sends.
    const ahead = () => Date.now() + 60_000;
    const late = testSender(rig.store, stack.botApi, { owner: 'late', rate: 200, now: ahead });
    await Promise.all([early.run(3000), late.run(3000)]);
    for (let i = 0; i < 10; i++) {
      const run = await late.run(3000);
      if (run.pending === 0) break;
    }

    for (const [chat, count] of sendsPerChat(stack.botApi)) {
      expect(count, `chat ${chat}`).toBe(1);
    }
    const status = await rig.lookup.call({ path: `/v1/broadcasts/${created.body.id}` });
    expect(status.body.status).toBe('done');
    const { sent, unknown, failed, skipped, blocked } = status.body;
    expect(sent + unknown + failed + skipped + blocked).toBe(ids.length);
    // Every message Telegram got is counted as sent or unknown (never neither).
    expect(sends(stack.botApi).length).toBeLessThanOrEqual(sent + unknown);
    expect(sends(stack.botApi).length).toBeGreaterThanOrEqual(sent);
  });
});

describe('broadcast creation under rig.store failures', () => {
  it('a retry with the same idempotencyKey after the broadcast was stored but not listed gets it sent', async () => {
    const ids = [7701, 7702];
    await seedPrivateChats(rig.webhook, ids);
    // The create's PutItems: the idempotency key, the broadcast, then its pending marker.
    let puts = 0;
    const faulty = faultyClient(rig.store.endpoint, (command) =>
      command === 'PutItemCommand' && ++puts === 3 ? 'server' : undefined,
    );
    const flaky = await stack.lookup({ store: rig.store, client: faulty.client });
    const body = JSON.stringify({
      text: 'listed?',
      audience: { userIds: ids },
      idempotencyKey: 'bk-1',
    });
    const call = (client: TestLookup) =>
      postJson(client, '/v1/broadcasts', body, { key: rig.writeKey });
    const first = await call(flaky);
    expect(puts).toBeGreaterThanOrEqual(3);
    expect(first.status).toBeGreaterThanOrEqual(500);
    const again = await call(rig.lookup);
    expect(again.status, again.raw).toBe(202);
    const sender = testSender(rig.store, stack.botApi);
    for (let i = 0; i < 10 && (await sender.run(3000)).pending > 0; i++);
    expect([...sendsPerChat(stack.botApi).keys()].sort()).toEqual(ids);
    const status = await rig.lookup.call({ path: `/v1/broadcasts/${again.body.id}` });
    expect(status.body).toMatchObject({ status: 'done', sent: 2 });
  });
});

describe('opt-out and erasure', () => {
  it('an erased contact is not messaged by a broadcast created before the erasure', async () => {
    const ids = [7201, 7202, 7203];
    await seedPrivateChats(rig.webhook, ids);
    const created = await createBroadcast({ text: 'before erasure', audience: { userIds: ids } });
    expect(created.body.total).toBe(3);
    const erased = await rig.lookup.call({
      method: 'DELETE',
      path: '/v1/contacts/7202',
      key: rig.lookup.adminKey,
    });
    expect(erased.status, erased.raw).toBeLessThan(300);
    const sender = testSender(rig.store, stack.botApi);
    for (let i = 0; i < 10 && (await sender.run(3000)).pending > 0; i++);
    expect([...sendsPerChat(stack.botApi).keys()].sort()).toEqual([7201, 7203]);
    const status = await rig.lookup.call({ path: `/v1/broadcasts/${created.body.id}` });
    expect(status.body).toMatchObject({ sent: 2, skipped: 1 });
  });

  it('an erasure or a /stop that lands while the recipient is being claimed is honoured', async () => {
    const ids = [7211, 7212, 7213];
    await seedPrivateChats(rig.webhook, ids);
    const created = await createBroadcast({
      text: 'claimed, then erased',
      audience: { userIds: ids },
    });
    expect(created.body.total).toBe(3);
    // Right after a recipient's claim lands (between the pacer's slot and the request), 7212
    // is erased and 7213 sends /stop: both finish before their messages would go.
    const landed = new Set<string>();
    const claims = scriptedClient(rig.store.endpoint, {
      after: async (_command, input) => {
        const sk = /"sk":(?:\{"S":)?"(R#[^"]+)"/.exec(input)?.[1] ?? '';
        if (input.includes('"sending"') && sk !== '' && !landed.has(sk)) {
          landed.add(sk);
          if (sk.endsWith('7212')) {
            const erased = await rig.lookup.call({
              method: 'DELETE',
              path: '/v1/contacts/7212',
              key: rig.lookup.adminKey,
            });
            expect(erased.status, erased.raw).toBe(204);
          }
          if (sk.endsWith('7213')) {
            await post(rig.webhook, privateMessage(person(7213), nowSeconds() - 5, '/stop'));
          }
        }
      },
    });
    const sender = testSender({ ...rig.store, client: claims.client }, stack.botApi);
    for (let i = 0; i < 10 && (await sender.run(3000)).pending > 0; i++);
    expect(landed.size).toBe(3);
    expect([...sendsPerChat(stack.botApi).keys()]).toEqual([7211]);
    const status = await rig.lookup.call({ path: `/v1/broadcasts/${created.body.id}` });
    expect(status.body).toMatchObject({ status: 'done', sent: 1, skipped: 2 });
  });
});

describe('leaks and limits', () => {
  const SECRET = 'SECRET-TEXT-+15551234567';

  it('a refused broadcast send whose description quotes the text logs neither the text nor a phone', async () => {
    const ids = [7301, 7302];
    await seedPrivateChats(rig.webhook, ids);
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
      const sender = testSender(rig.store, stack.botApi);
      for (let i = 0; i < 10 && (await sender.run(3000)).pending > 0; i++);
      const status = await rig.lookup.call({ path: `/v1/broadcasts/${created.body.id}` });
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
