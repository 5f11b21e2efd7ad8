/**
 * The Idempotency-Key protocol of direct messages against a plain reference model, with the
 * lookup function dying after (or before) any store call of a request. Seeded fast-check
 * sequences of repeats of one request under one key; each repeat gets a Telegram answer (sent,
 * unreadable, 500, timeout, 429, blocked), may crash, and may come after the lease ran out.
 *
 * The model: a key is free, held (a crashed claim, 409 until its lease ends) or settled with
 * the first final answer (201, 409 blocked, 502). Checked after every repeat:
 * - at most one message may have reached Telegram under the key, and none after that;
 * - once a repeat got a final answer, every later one gets exactly it;
 * - 409 "in progress" only while a crashed claim's lease runs.
 * A dead function sends nothing: the fake Bot API ignores a call made after the crash.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createApiKey } from '../../lib/store/api-key-admin.ts';
import { LEASE_MS } from '../../lib/store/idempotency.ts';
import { fuzzParams, fuzzTimeout } from '../fuzz/fuzz-config.ts';
import { type FakeResponse, telegramError } from '../helpers/fake-bot-api.ts';
import { type FaultKind, faultyClient } from '../helpers/faults.ts';
import { ALICE, post } from '../helpers/lookup.ts';
import { privateText } from '../helpers/private-chat.ts';
import { nowSeconds } from '../helpers/recorder-rig.ts';
import { useStack } from '../helpers/stack-fixture.ts';

const stack = useStack();

type Telegram = 'sent' | 'unreadable' | '500' | 'timeout' | '429' | 'blocked';
/** Whether Telegram may have delivered the message when it answered so. */
const MAYBE_SENT: Record<Telegram, boolean> = {
  sent: true,
  unreadable: true,
  '500': true,
  timeout: true,
  '429': false,
  blocked: false,
};

interface Repeat {
  telegram: Telegram;
  /** The store call (0-based, in this request) after or before which the function dies. */
  crash?: { at: number; lands: boolean };
  /** The repeat comes after every lease ran out. */
  late: boolean;
}

const repeat = fc.record({
  telegram: fc.constantFrom<Telegram>('sent', 'unreadable', '500', 'timeout', '429', 'blocked'),
  crash: fc.option(fc.record({ at: fc.nat(6), lands: fc.boolean() }), { nil: undefined }),
  late: fc.boolean(),
});

function answerOf(telegram: Telegram, chatId: unknown): unknown {
  switch (telegram) {
    case 'sent':
      return { message_id: 7, date: nowSeconds(), chat: { id: chatId, type: 'private' } };
    case 'unreadable':
      return { status: 200, body: { ok: true } } satisfies FakeResponse;
    case '500':
      return telegramError(500, 'Internal Server Error');
    case '429':
      return telegramError(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
    case 'blocked':
      return telegramError(403, 'Forbidden: bot was blocked by the user');
    case 'timeout':
      return new Promise((resolve) => setTimeout(() => resolve(answerOf('sent', chatId)), 400));
  }
}

async function run(repeats: Repeat[]): Promise<void> {
  const { store, webhook } = await stack.handlers();
  await post(webhook, privateText('/start', nowSeconds() - 600));
  let clock = Date.now();
  let current: Repeat = { telegram: 'sent', late: false };
  let calls = 0;
  let dead = false;
  const faulty = faultyClient(store.endpoint, (): FaultKind | undefined => {
    const index = calls++;
    if (dead) return 'server';
    if (current.crash?.at !== index) return undefined;
    dead = true;
    return current.crash.lands ? 'lost-response' : 'server';
  });
  const lookup = await stack.lookup({
    store,
    client: faulty.client,
    now: () => clock,
    botTimeoutMs: 200,
  });
  const { key } = await createApiKey(store, { name: 'sender', scope: 'write' });

  let maybeDelivered = 0;
  let sendsAfterDelivery = 0;
  stack.botApi.respond('sendMessage', (payload) => {
    if (dead) return telegramError(500, 'the function is dead: never sent');
    if (maybeDelivered > 0) sendsAfterDelivery++;
    if (MAYBE_SENT[current.telegram]) maybeDelivered++;
    return answerOf(current.telegram, payload.chat_id);
  });

  let final: { status: number; body: unknown } | undefined;
  let heldSinceCrash = false;
  for (const [i, step] of repeats.entries()) {
    current = step;
    calls = 0;
    dead = false;
    if (step.late) {
      clock += LEASE_MS + 1000;
      heldSinceCrash = false;
    }
    const response = await lookup.call({
      method: 'POST',
      path: `/v1/contacts/${ALICE}/messages`,
      key,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k-model' },
      body: '{"text":"hi"}',
    });
    const where = `repeat ${i} of ${JSON.stringify(repeats)}`;
    expect(maybeDelivered, `${where}: more than one message may have been sent`).toBeLessThan(2);
    expect(sendsAfterDelivery, `${where}: sent again after a maybe-sent`).toBe(0);
    if (dead) {
      heldSinceCrash = true;
      continue; // no answer reaches the client
    }
    const answer = { status: response.status, body: response.body };
    if (final) {
      expect(answer, `${where}: a repeat answered otherwise`).toStrictEqual(final);
      continue;
    }
    if (
      response.status === 409 &&
      response.body.detail === 'a request with this key is in progress'
    ) {
      expect(heldSinceCrash, `${where}: in progress without a crashed claim in its lease`).toBe(
        true,
      );
      continue;
    }
    if (MAYBE_SENT[step.telegram] && maybeDelivered > 0 && response.status !== 201) {
      expect(response.body, `${where}: a maybe-sent answer not unknown`).toMatchObject({
        status: 502,
        outcome: 'unknown',
      });
    }
    if (response.status !== 503) final = answer;
  }
}

it(
  'sends at most once per key and answers every repeat as the first final answer, with crashes after any store call',
  async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(repeat, { minLength: 1, maxLength: 5 }), run),
      fuzzParams(25, 1, { shrink: false }),
    );
  },
  fuzzTimeout(240_000),
);
