/**
 * A 2,000-recipient broadcast sent by a dispatcher that crashes again and again: each sender
 * runs on a DynamoDB client that dies at a random call (the call fails, or lands and its
 * answer is lost, and every later call fails, as if the process had gone), and a new sender
 * (a new dispatcher, after the dead one's lease and claims ran out) carries on. Meanwhile some
 * recipients send /stop, some have blocked the bot (Telegram answers 403), and Telegram answers
 * a few 429s (retried) and 5xx (unknown: Telegram may have sent before failing).
 *
 * What must hold: no chat gets two messages; every recipient who could be messaged got exactly
 * one, except those whose send a crash interrupted (claimed, then no outcome recorded), which
 * are `unknown` and got at most one; the counts add up to the total.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/access/api-key-admin.ts';
import { createBroadcastSender } from '../../lib/messaging/broadcast-sender.ts';
import { type Recipient, readRecipients } from '../../lib/messaging/store/broadcast-recipients.ts';
import { broadcastKey } from '../../lib/store/service-keys.ts';
import { createBotApi } from '../../lib/telegram/bot-api.ts';
import { clonePrivateContacts, person, privateMessage } from '../helpers/broadcasts.ts';
import { telegramError } from '../helpers/fake-bot-api.ts';
import { faultyClient, seededRandom } from '../helpers/faults.ts';
import { post, type TestLookup } from '../helpers/lookup.ts';
import { useStack } from '../helpers/stack-fixture.ts';
import type { TestStore } from '../helpers/store.ts';
import { TEST_BOT_TOKEN } from '../helpers/webhook.ts';

const RECIPIENTS = 2000;
const FIRST = 7_100_000;
const ids = Array.from({ length: RECIPIENTS }, (_, i) => FIRST + i);
/** Send /stop after the broadcast is created. */
const STOPPERS = new Set(ids.filter((_, i) => i % 97 === 5));
/** Telegram answers 403: they blocked the bot after it last heard from them. */
const BLOCKERS = new Set(ids.filter((_, i) => i % 101 === 7));
/** Telegram answers 429 (retry after 1 s) to their first send. */
const LIMITED = new Set([ids[500] as number, ids[1500] as number]);
/** Telegram answers 502 to their first send: `unknown`, never sent again. */
const FLAKY = new Set(ids.filter((_, i) => i % 211 === 11));
const CRASHES = 6;
const CONCURRENCY = 8;

const stack = useStack();
let store: TestStore;
let api: TestLookup;
let broadcastId: string;
/** Messages Telegram accepted (answered 200), per chat. */
const delivered = new Map<number, number>();
const attempts = new Map<number, number>();

beforeAll(async () => {
  const handlers = await stack.handlers();
  ({ store, lookup: api } = handlers);
  await clonePrivateContacts(store, handlers.webhook, 424_242, ids);
  const writeKey = (await createApiKey(store, { name: 'crm', scope: 'write' })).key;
  const body = JSON.stringify({ text: 'Big news', audience: { userIds: ids } });
  const headers = { 'content-type': 'application/json' };

  const byWriter = await api.call({
    method: 'POST',
    path: '/v1/broadcasts',
    key: writeKey,
    headers,
    body,
  });
  expect(byWriter.status, byWriter.raw).toBe(403);
  expect(byWriter.body.detail).toContain('more than 1000 needs an admin key');
  const created = await api.call({
    method: 'POST',
    path: '/v1/broadcasts',
    key: api.adminKey,
    headers,
    body,
  });
  expect(created.status, created.raw).toBe(202);
  expect(created.body.total).toBe(RECIPIENTS);
  broadcastId = created.body.id;

  for (const id of STOPPERS)
    await post(handlers.webhook, privateMessage(person(id), 1764002000, '/stop'));
  stack.botApi.respond('sendMessage', (payload) => {
    const chat = Number(payload.chat_id);
    const tries = (attempts.get(chat) ?? 0) + 1;
    attempts.set(chat, tries);
    if (BLOCKERS.has(chat)) return telegramError(403, 'Forbidden: bot was blocked by the user');
    if (LIMITED.has(chat) && tries === 1) {
      return telegramError(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
    }
    if (FLAKY.has(chat) && tries === 1) return telegramError(502, 'Bad Gateway');
    delivered.set(chat, (delivered.get(chat) ?? 0) + 1);
    return { message_id: tries, date: 0, chat: { id: chat, type: 'private' }, text: payload.text };
  });
}, 120_000);

async function allRecipients(): Promise<Recipient[]> {
  const all: Recipient[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await readRecipients(store, broadcastId, {
      limit: 1000,
      ...(startKey ? { startKey } : {}),
    });
    all.push(...page.recipients);
    startKey = page.lastKey;
  } while (startKey);
  return all;
}

describe('a 2,000-recipient broadcast under dispatcher crashes', () => {
  it('sends no recipient twice, and one message to each whose send no crash interrupted', async () => {
    const random = seededRandom(1913);
    const botApi = createBotApi({
      token: TEST_BOT_TOKEN,
      apiRoot: stack.botApi.url,
      timeoutMs: 5000,
    });
    let offset = 0;
    let crashed = 0;
    for (let round = 0; round < 100; round++) {
      const crashAt =
        round < CRASHES ? 200 + Math.floor(random() * 1200) : Number.POSITIVE_INFINITY;
      let dead = false;
      const faulty = faultyClient(store.endpoint, (_command, index) => {
        if (dead) return 'server';
        if (index < crashAt) return undefined;
        dead = true;
        return random() < 0.5 ? 'lost-response' : 'server';
      });
      const sender = createBroadcastSender({
        store: { ...store, client: faulty.client },
        botApi,
        rate: 1000,
        concurrency: CONCURRENCY,
        // A clock whose waits (the pace, retry_after, retries' backoff) pass at once.
        now: () => Date.now() + offset,
        sleep: async (ms) => {
          offset += ms;
        },
        owner: `dispatcher-${round}`,
      });
      try {
        const run = await sender.run(600_000);
        if (run.pending === 0) break;
      } catch {
        crashed++;
      } finally {
        faulty.client.destroy();
      }
      // The next dispatcher starts after the dead one's lease and claims ran out.
      offset += 61_000;
    }
    expect(crashed).toBe(CRASHES);

    const recipients = await allRecipients();
    const byState: Partial<Record<Recipient['state'], Recipient[]>> = {};
    for (const r of recipients) {
      byState[r.state] = [...(byState[r.state] ?? []), r];
    }
    const broadcast = (
      await store.client.send(
        new GetCommand({ TableName: store.tableName, Key: broadcastKey(broadcastId) }),
      )
    ).Item;
    const unknown = byState.unknown ?? [];

    // No chat got two messages.
    expect(Math.max(...delivered.values())).toBe(1);
    // Every recipient has an outcome, and the stored counts are theirs.
    expect(recipients).toHaveLength(RECIPIENTS);
    expect(byState.queued ?? []).toHaveLength(0);
    expect(byState.sending ?? []).toHaveLength(0);
    expect(broadcast?.status).toBe('done');
    expect(broadcast?.counts).toEqual({
      sent: byState.sent?.length ?? 0,
      blocked: byState.blocked?.length ?? 0,
      failed: byState.failed?.length ?? 0,
      skipped: byState.skipped?.length ?? 0,
      unknown: unknown.length,
    });
    // Who opted out got nothing; who blocked the bot was refused by Telegram (and is blocked).
    for (const r of byState.skipped ?? []) expect(delivered.has(r.userId)).toBe(false);
    expect(new Set((byState.skipped ?? []).map((r) => r.userId))).toEqual(
      new Set([...STOPPERS].filter((id) => !unknown.some((u) => u.userId === id))),
    );
    for (const r of byState.blocked ?? []) expect(BLOCKERS.has(r.userId)).toBe(true);
    // Everyone else got exactly one message, unless a crash or a 502 interrupted their send.
    for (const r of byState.sent ?? []) expect(delivered.get(r.userId)).toBe(1);
    for (const r of unknown) expect(delivered.get(r.userId) ?? 0).toBeLessThanOrEqual(1);
    const interrupted = unknown.filter((r) => !FLAKY.has(r.userId));
    expect(byState.failed ?? []).toHaveLength(0);
    const reachable = ids.filter((id) => !STOPPERS.has(id) && !BLOCKERS.has(id));
    for (const id of reachable) {
      expect(recipients.find((r) => r.userId === id)?.state).toMatch(/^(sent|unknown)$/);
    }
    // A crash interrupts at most the sends in flight when it happens.
    expect(interrupted.length).toBeGreaterThan(0);
    expect(interrupted.length).toBeLessThanOrEqual(CRASHES * CONCURRENCY);
    // 429 was retried: those recipients got their message.
    for (const id of LIMITED) {
      const r = recipients.find((x) => x.userId === id);
      if (r?.state !== 'unknown' && !STOPPERS.has(id) && !BLOCKERS.has(id)) {
        expect(delivered.get(id)).toBe(1);
      }
    }
    // A 502 came after the send reached Telegram: unknown, never tried again.
    for (const id of FLAKY) {
      if (STOPPERS.has(id) || BLOCKERS.has(id)) continue;
      const r = recipients.find((x) => x.userId === id);
      if (attempts.get(id) === 1 && !delivered.has(id)) expect(r?.state).toBe('unknown');
      expect(attempts.get(id) ?? 0).toBeLessThanOrEqual(1);
    }
  }, 240_000);
});
