/**
 * `POST /v1/contacts/{userId}/messages` under one idempotency key: a claim whose answer was
 * lost still sends once and a repeat replays it, a storm of concurrent requests sends once,
 * and a different body under a finished key is 422.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { sends } from '../../../helpers/broadcasts.ts';
import { failFirst, faultyClient } from '../../../helpers/faults.ts';
import { ALICE, post, postJson } from '../../../helpers/lookup.ts';
import { privateText } from '../../../helpers/private-chat.ts';
import { nowSeconds } from '../../../helpers/recorder-rig.ts';
import { useStack, useWriter } from '../../../helpers/stack-fixture.ts';

const stack = useStack();
const rig = useWriter(stack, 'red');
beforeEach(() => post(rig.webhook, privateText('/start', nowSeconds() - 600)));

describe('direct sends', () => {
  const send = (headers: Record<string, string>, body: unknown, client = rig.api) =>
    postJson(client, `/v1/contacts/${ALICE}/messages`, body, { key: rig.writeKey, headers });

  it('a claim of the key that landed with its answer lost still sends once, and a repeat replays it', async () => {
    const faulty = faultyClient(rig.store.endpoint, failFirst('PutItemCommand', 'lost-response'));
    const flaky = await stack.lookup({ store: rig.store, client: faulty.client });
    const headers = { 'idempotency-key': 'k-lost-claim' };
    const first = await send(headers, { text: 'hi' }, flaky);
    expect(faulty.injected['lost-response']).toBe(1);
    const again = await send(headers, { text: 'hi' });
    // Without the replay the first would be a 5xx and every repeat a 409 for 24 hours.
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
