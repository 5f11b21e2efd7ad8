import { beforeEach, describe, expect, it } from 'vitest';
import { ERASED_KEY_DETAIL } from '../../../../lib/lookup/messages/messages-service.ts';
import { privateMessage, sends } from '../../../helpers/broadcasts.ts';
import { tracesOf } from '../../../helpers/erasure-scan.ts';
import { readIdempotencyRecord } from '../../../helpers/idempotency-records.ts';
import { eraseContact, post } from '../../../helpers/lookup.ts';
import { nowSeconds } from '../../../helpers/recorder-rig.ts';
import { useStack, useWriter } from '../../../helpers/stack-fixture.ts';

const stack = useStack();
const JSON_TYPE = { 'content-type': 'application/json' };

const ALICE_ID = 7_001_001;
const alice = { id: ALICE_ID, first_name: 'Alicia', last_name: 'Quartermain' };
const aliceTraces = { id: ALICE_ID, names: ['Alicia', 'Quartermain'], phones: [] };

const rig = useWriter(stack, 'sender', { lookup: { botTimeoutMs: 300 } });

beforeEach(async () => {
  await post(rig.webhook, privateMessage(alice, nowSeconds() - 600, '/start'));
});

const send = (key: string) =>
  rig.api.call({
    method: 'POST',
    path: `/v1/contacts/${ALICE_ID}/messages`,
    key: rig.writeKey,
    headers: { ...JSON_TYPE, 'idempotency-key': key },
    body: JSON.stringify({ text: 'Your order shipped' }),
  });

const erase = () => eraseContact(rig.api, ALICE_ID);

const comesBack = () => post(rig.webhook, privateMessage(alice, nowSeconds() + 5, '/start'));

const record = (key: string) => readIdempotencyRecord(rig.store, rig.writeKeyId, key);

const toHer = () => sends(stack.botApi).filter((c) => Number(c.payload.chat_id) === ALICE_ID);

function expectErased(answer: { status: number; body: Record<string, unknown>; raw: string }) {
  expect(answer.status, answer.raw).toBe(404);
  expect(answer.body.detail).toBe(ERASED_KEY_DETAIL);
  expect(answer.raw).not.toContain(String(ALICE_ID));
}

describe('a direct message’s key after its recipient’s erasure', () => {
  it('is not sent again when the client retries after she was erased and came back', async () => {
    const first = await send('order-42');
    expect(first.status, first.raw).toBe(201);
    await erase();
    // She opens the bot again (a new life); the client, which never saw the 201, retries.
    await comesBack();

    expectErased(await send('order-42'));
    expectErased(await send('order-42'));
    // One request, one key: Telegram got the message once.
    expect(toHer()).toHaveLength(1);
  });

  it('is not sent again after an unknown outcome, her erasure and her return', async () => {
    stack.botApi.respond(
      'sendMessage',
      () => new Promise((resolve) => setTimeout(() => resolve({ message_id: 1 }), 600)),
    );
    const first = await send('order-43');
    expect(first.status, first.raw).toBe(502);
    stack.botApi.reset();
    await erase();
    await comesBack();

    expectErased(await send('order-43'));
    expect(toHer()).toHaveLength(0);
  });

  it('is kept as a tombstone naming no one: state, dates and the hashed key alone', async () => {
    expect((await send('order-44')).status).toBe(201);
    const expiresAt = (await record('order-44'))?.expiresAt;
    await erase();

    const tombstone = await record('order-44');
    expect(Object.keys(tombstone ?? {}).sort()).toEqual([
      'createdAt',
      'expiresAt',
      'pk',
      'sk',
      'state',
    ]);
    expect(tombstone).toMatchObject({ state: 'erased', expiresAt });
    expect(await tracesOf(rig.store, aliceTraces)).toEqual([]);
  });

  it('answers erased to a repeat under the key for any request, without a new key’s record', async () => {
    expect((await send('order-45')).status).toBe(201);
    await erase();
    await comesBack();
    const other = await rig.api.call({
      method: 'POST',
      path: `/v1/contacts/${ALICE_ID}/messages`,
      key: rig.writeKey,
      headers: { ...JSON_TYPE, 'idempotency-key': 'order-45' },
      body: JSON.stringify({ text: 'Another text' }),
    });
    expectErased(other);
    // A new key is a new request: her new life may be messaged.
    expect((await send('order-46')).status).toBe(201);
    expect(toHer()).toHaveLength(2);
  });

  it('keeps nothing of her after an erasure that ran while the send was in flight', async () => {
    let reached!: () => void;
    const inFlight = new Promise<void>((resolve) => {
      reached = resolve;
    });
    stack.botApi.respond('sendMessage', async (payload) => {
      reached();
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { message_id: 7, date: nowSeconds(), chat: { id: payload.chat_id, type: 'private' } };
    });
    const sending = send('order-47');
    await inFlight;
    await erase();
    await sending;

    expect(await tracesOf(rig.store, aliceTraces)).toEqual([]);
    expectErased(await send('order-47'));
    expect(sends(stack.botApi)).toHaveLength(1);
  });
});
