/**
 * A direct send Telegram may have carried out is `unknown` under its Idempotency-Key: 502 with
 * `outcome: "unknown"` on the call and on every repeat, and never sent again. And a key's
 * record becomes a tombstone naming no one with its recipient's erasure. Real lookup and rig.webhook handlers, the embedded
 * rig.store, the loopback fake Bot API.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { ERASED_KEY_DETAIL } from '../../../../lib/lookup/messages/messages-service.ts';
import { idempotencyItemKey, LEASE_MS } from '../../../../lib/messaging/store/idempotency.ts';
import { type FakeBotApiCall, telegramError } from '../../../helpers/fake-bot-api.ts';
import { failFirst, faultyClient } from '../../../helpers/faults.ts';
import { readIdempotencyRecord } from '../../../helpers/idempotency-records.ts';
import { ALICE, eraseContact, post, type TestLookup } from '../../../helpers/lookup.ts';
import { privateText } from '../../../helpers/private-chat.ts';
import { nowSeconds } from '../../../helpers/recorder-rig.ts';
import { useStack, useWriter } from '../../../helpers/stack-fixture.ts';

const stack = useStack();

const rig = useWriter(stack, 'sender', { lookup: { botTimeoutMs: 300 } });

beforeEach(async () => {
  await post(rig.webhook, privateText('/start', nowSeconds() - 600));
});

const sends = (): FakeBotApiCall[] => stack.botApi.calls.filter((c) => c.method === 'sendMessage');

const send = (lookup: TestLookup, key: string, text = 'hi') =>
  lookup.call({
    method: 'POST',
    path: `/v1/contacts/${ALICE}/messages`,
    key: rig.writeKey,
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ text }),
  });

const readRecord = (key: string) => readIdempotencyRecord(rig.store, rig.writeKeyId, key);

function expectUnknown(response: { status: number; body: Record<string, unknown> }) {
  expect(response.status).toBe(502);
  expect(response.body).toMatchObject({ status: 502, outcome: 'unknown' });
  expect(String(response.body.detail)).toMatch(/may have been delivered/);
}

const sentMessage = (p: Record<string, unknown>) => ({
  message_id: 41,
  chat: { id: p.chat_id, type: 'private' },
});

describe('a send that may have happened', () => {
  it.each([
    ['a 2xx without result', () => ({ status: 200, body: { ok: true } })],
    ['a 2xx with result null', () => ({ status: 200, body: { ok: true, result: null } })],
    [
      'a 2xx whose date is out of range',
      (p: Record<string, unknown>) => ({ ...sentMessage(p), date: 9e15 }),
    ],
    ['a 500', () => telegramError(500, 'Internal Server Error')],
    [
      'a timeout',
      async (p: Record<string, unknown>) => {
        await new Promise((resolve) => setTimeout(resolve, 600));
        return { ...sentMessage(p), date: nowSeconds() };
      },
    ],
  ])(
    'is unknown after %s, on the call and on every repeat, and sent once',
    async (_name, answer) => {
      stack.botApi.respond('sendMessage', answer);
      const first = await send(rig.api, 'k-maybe');
      expectUnknown(first);
      expect(sends()).toHaveLength(1);
      // Telegram would now answer well: a second send would be seen.
      stack.botApi.reset();
      for (let i = 0; i < 2; i++) {
        const again = await send(rig.api, 'k-maybe');
        expectUnknown(again);
        expect(again.body).toStrictEqual(first.body);
      }
      expect(sends()).toEqual([]);
      expect(await readRecord('k-maybe')).toMatchObject({ state: 'unknown' });
    },
  );

  it('is 409 while a crashed request holds its lease, then unknown, and never sent again', async () => {
    // The send went out; the record of its answer never lands (the function died).
    const faulty = faultyClient(rig.store.endpoint, failFirst('UpdateItemCommand', 'server'));
    const crashing = await stack.lookup({ store: rig.store, client: faulty.client });
    expect((await send(crashing, 'k-crash')).status).toBe(201);
    expect(await readRecord('k-crash')).toMatchObject({ state: 'pending' });

    const inLease = await send(rig.api, 'k-crash');
    expect(inLease.status).toBe(409);
    expect(inLease.body.detail).toBe('a request with this key is in progress');

    const later = await stack.lookup({ store: rig.store, now: () => Date.now() + LEASE_MS + 1000 });
    expectUnknown(await send(later, 'k-crash'));
    expectUnknown(await send(rig.api, 'k-crash'));
    expect(sends()).toHaveLength(1);
  });

  it('releases the key when Telegram surely sent nothing (429), as before', async () => {
    stack.botApi.respond('sendMessage', () =>
      telegramError(429, 'Too Many Requests: retry after 3', { retry_after: 3 }),
    );
    expect((await send(rig.api, 'k-429')).status).toBe(503);
    stack.botApi.reset();
    expect((await send(rig.api, 'k-429')).status).toBe(201);
  });
});

describe('an idempotency record and its recipient’s erasure', () => {
  const erase = () => eraseContact(rig.api, ALICE);

  it.each([
    ['a sent message', () => undefined, 201],
    [
      'a block',
      () =>
        stack.botApi.respond('sendMessage', () =>
          telegramError(403, 'Forbidden: bot was blocked by the user'),
        ),
      409,
    ],
  ])(
    'is made a tombstone naming no one by the erasure (%s): every repeat is 404 erased',
    async (_n, script, status) => {
      script();
      expect((await send(rig.api, 'k-erased')).status).toBe(status);
      const record = await readRecord('k-erased');
      expect(record).toMatchObject({ gsi2pk: `REF#${ALICE}` });
      await erase();

      const tombstone = await readRecord('k-erased');
      expect(tombstone).toMatchObject({ state: 'erased', expiresAt: record?.expiresAt });
      expect(tombstone).not.toHaveProperty('gsi2pk');
      expect(JSON.stringify(tombstone)).not.toContain(String(ALICE));
      const again = await send(rig.api, 'k-erased');
      expect(again.status).toBe(404);
      expect(again.body.detail).toBe(ERASED_KEY_DETAIL);
      expect(sends()).toHaveLength(1);
    },
  );

  it('is made a tombstone when met after an erasure that missed it (written while it ran)', async () => {
    expect((await send(rig.api, 'k-missed')).status).toBe(201);
    // As if the index had not shown the record to the erasure yet.
    const key = idempotencyItemKey(rig.writeKeyId, 'k-missed');
    await rig.store.client.send(
      new UpdateCommand({
        TableName: rig.store.tableName,
        Key: key,
        UpdateExpression: 'REMOVE gsi2pk',
      }),
    );
    await erase();
    expect(await readRecord('k-missed')).toMatchObject({ state: 'done' });

    const again = await send(rig.api, 'k-missed');
    expect(again.status).toBe(404);
    expect(again.body.detail).toBe(ERASED_KEY_DETAIL);
    const after = await readRecord('k-missed');
    expect(after).toMatchObject({ state: 'erased' });
    expect(JSON.stringify(after)).not.toContain('chatId');
    expect(sends()).toHaveLength(1);
  });
});
