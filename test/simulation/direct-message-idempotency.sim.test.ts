/**
 * The Idempotency-Key protocol of direct messages against a plain reference model, with the
 * lookup function dying after (or before) any store call of a request. Seeded fast-check
 * sequences of repeats of one request under one key; each repeat gets a Telegram answer (sent,
 * unreadable, 500, timeout, 429, blocked), may crash, may come after the lease ran out, and may
 * come after the recipient was erased and came back (/start again).
 *
 * The model: a key is free, held (a crashed claim, 409 until its lease ends), settled with
 * the first final answer (201, 409 blocked, 502) or erased (404 "erased"). Checked after every
 * repeat:
 * - at most one message may have reached Telegram under the key, and none after that, across
 *   any number of erasures and returns;
 * - once a repeat got a final answer, every later one gets exactly it, until an erasure: then
 *   every later one is 404 "erased";
 * - after an erasure of a key that was free or held, the first final answer is either
 *   "erased" (a held claim had landed) or a new request's, and every later one gets it;
 * - 409 "in progress" only while a crashed claim's lease runs.
 * A dead function sends nothing: the fake Bot API ignores a call made after the crash.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createApiKey } from '../../lib/access/api-key-admin.ts';
import { eraseUser } from '../../lib/directory/erasure/erasure.ts';
import { ERASED_KEY_DETAIL } from '../../lib/lookup/messages/messages-service.ts';
import { LEASE_MS } from '../../lib/messaging/store/idempotency.ts';
import { fuzzParams, fuzzTimeout } from '../fuzz/fuzz-config.ts';
import { privateMessage } from '../helpers/broadcasts.ts';
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
  /** Before the repeat, the recipient is erased and then opens the bot again. */
  erase: boolean;
}

const repeat = fc.record({
  telegram: fc.constantFrom<Telegram>('sent', 'unreadable', '500', 'timeout', '429', 'blocked'),
  crash: fc.option(fc.record({ at: fc.nat(6), lands: fc.boolean() }), { nil: undefined }),
  late: fc.boolean(),
  erase: fc.boolean(),
});

/** Every repeat of a key whose recipient was erased (the body's other members aside). */
const ERASED_ANSWER = {
  status: 404,
  body: expect.objectContaining({ status: 404, detail: ERASED_KEY_DETAIL }),
};

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
  let current: Repeat = { telegram: 'sent', late: false, erase: false };
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
  let erasedEver = false;
  let heldSinceCrash = false;
  for (const [i, step] of repeats.entries()) {
    current = step;
    calls = 0;
    dead = false;
    if (step.late) {
      clock += LEASE_MS + 1000;
      heldSinceCrash = false;
    }
    if (step.erase) {
      // On the lookup's clock, so that every record made so far predates the floor; she comes
      // back after it, and the clock moves past the floor's second.
      const at = Math.floor(clock / 1000);
      await eraseUser(store, ALICE, at);
      await post(webhook, privateMessage({ id: ALICE, first_name: 'Alice' }, at + 2, '/start'));
      clock += 3000;
      heldSinceCrash = false;
      erasedEver = true;
      // A settled key stays settled, as "erased"; a free or held one is decided by the next.
      if (final) final = ERASED_ANSWER;
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
    const erasedKey = response.status === 404 && response.body.detail === ERASED_KEY_DETAIL;
    expect(erasedKey && !erasedEver, `${where}: erased without an erasure`).toBe(false);
    if (MAYBE_SENT[step.telegram] && maybeDelivered > 0 && response.status !== 201 && !erasedKey) {
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
