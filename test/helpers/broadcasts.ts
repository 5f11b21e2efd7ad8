/**
 * Broadcast tests' cast and tools: people who wrote to the bot privately (so they can be
 * messaged), people who blocked it, the real broadcast sender on a test table talking to the
 * fake Bot API, and readers of what the fake received.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { WebhookHandler } from '../../functions/webhook.ts';
import {
  type BroadcastSenderDeps,
  createBroadcastSender,
} from '../../lib/messaging/broadcast-sender.ts';
import type { StoreContext } from '../../lib/store/client.ts';
import { DISPATCHER_GRANTS } from '../../lib/store/grants/dispatcher-grants.ts';
import { PROFILE, userPk } from '../../lib/store/keys.ts';
import { queryAll } from '../../lib/store/query.ts';
import { createBotApi } from '../../lib/telegram/bot-api.ts';
import { loadUpdate } from '../fixtures/updates.ts';
import type { FakeBotApi, FakeBotApiCall } from './fake-bot-api.ts';
import { grantedClient } from './granted-client.ts';
import { type Person, post, type TestLookup } from './lookup.ts';
import { TEST_BOT_TOKEN } from './webhook.ts';

let nextUpdateId = 5_000_000;

/** `person` writes `text` in their private chat with the bot at `date` (a /command too). */
export function privateMessage(person: Person, date = 1764000060, text = 'Hi bot') {
  const update = loadUpdate('private-message') as {
    update_id: number;
    message: {
      from: Record<string, unknown>;
      chat: Record<string, unknown>;
      date: number;
      text: string;
      entities?: unknown[];
    };
  };
  update.update_id = nextUpdateId++;
  update.message.from = { is_bot: false, ...person };
  update.message.chat = { id: person.id, first_name: person.first_name, type: 'private' };
  update.message.date = date;
  update.message.text = text;
  const command = /^\/\S+/.exec(text)?.[0];
  if (command)
    update.message.entities = [{ offset: 0, length: command.length, type: 'bot_command' }];
  return update;
}

/** `person` blocks the bot (`kicked`) or unblocks it (`member`) at `date`. */
export function privateBotStatus(person: Person, status: 'kicked' | 'member', date: number) {
  const update = loadUpdate('my-chat-member-kicked-private') as {
    update_id: number;
    my_chat_member: {
      chat: Record<string, unknown>;
      from: Record<string, unknown>;
      date: number;
      old_chat_member: { status: string };
      new_chat_member: { status: string };
    };
  };
  update.update_id = nextUpdateId++;
  const m = update.my_chat_member;
  m.chat = { id: person.id, first_name: person.first_name, type: 'private' };
  m.from = { is_bot: false, ...person };
  m.date = date;
  m.old_chat_member.status = status === 'kicked' ? 'member' : 'kicked';
  m.new_chat_member.status = status;
  return update;
}

export const person = (id: number): Person => ({ id, first_name: `P${id}` });

/** Each of `ids` writes to the bot privately (through the real webhook), 8 at a time. */
export async function seedPrivateChats(webhook: WebhookHandler, ids: readonly number[]) {
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++] as number;
      await post(webhook, privateMessage(person(id)));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/**
 * Many contacts who wrote to the bot privately, fast: `template` (a distinctive id, say
 * 424242) writes once through the real webhook, and its PROFILE items, with its id replaced,
 * become each of `ids`' (BatchWriteItem, 25 at a time): what 2,000 webhook calls would have
 * written, in seconds instead of minutes.
 */
export async function clonePrivateContacts(
  store: StoreContext,
  webhook: WebhookHandler,
  template: number,
  ids: readonly number[],
): Promise<void> {
  await post(webhook, privateMessage(person(template)));
  const items = await queryAll(store, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': userPk(template), ':p': PROFILE },
  });
  const json = JSON.stringify(items);
  const puts = ids.flatMap((id) =>
    (JSON.parse(json.replaceAll(String(template), String(id))) as Record<string, unknown>[]).map(
      (Item) => ({ PutRequest: { Item } }),
    ),
  );
  for (let i = 0; i < puts.length; i += 25 * 8) {
    await Promise.all(
      Array.from({ length: 8 }, async (_, j) => {
        let pending = puts.slice(i + j * 25, i + (j + 1) * 25);
        while (pending.length > 0) {
          const result = await store.client.send(
            new BatchWriteCommand({ RequestItems: { [store.tableName]: pending } }),
          );
          pending = (result.UnprocessedItems?.[store.tableName] ?? []) as typeof pending;
        }
      }),
    );
  }
}

/** The real broadcast sender on `store`, sending to the fake Bot API. */
export function testSender(
  store: StoreContext,
  botApi: FakeBotApi,
  options: Partial<BroadcastSenderDeps> & { timeoutMs?: number } = {},
) {
  const { timeoutMs, ...deps } = options;
  return createBroadcastSender({
    // Held to the dispatcher role's grants, as deployed.
    store: { ...store, client: grantedClient(store.client, DISPATCHER_GRANTS) },
    botApi: createBotApi({
      token: TEST_BOT_TOKEN,
      apiRoot: botApi.url,
      timeoutMs: timeoutMs ?? 2000,
    }),
    rate: 1000,
    ...deps,
  });
}

/**
 * Runs `sender` until nothing waits, each run a slice of 5 s as the dispatcher's sweeps are;
 * fails after 50 runs.
 */
export async function sendUntilIdle(sender: {
  run(budgetMs: number): Promise<{ pending: number }>;
}) {
  for (let i = 0; i < 50; i++) {
    const run = await sender.run(5_000);
    if (run.pending === 0) return;
  }
  throw new Error('broadcasts still pending after 50 runs');
}

/** The sendMessage calls the fake received. */
export const sends = (botApi: FakeBotApi): FakeBotApiCall[] =>
  botApi.calls.filter((call) => call.method === 'sendMessage');

/** The chat of each sendMessage call the fake received, in the order received. */
export const sentTo = (botApi: FakeBotApi): number[] =>
  sends(botApi).map((call) => Number(call.payload.chat_id));

/** How many messages each chat received. */
export function sendsPerChat(botApi: FakeBotApi): Map<number, number> {
  const counts = new Map<number, number>();
  for (const call of sends(botApi)) {
    const chat = Number(call.payload.chat_id);
    counts.set(chat, (counts.get(chat) ?? 0) + 1);
  }
  return counts;
}

/** The most of `times` (ms, any order) inside any window of `windowMs` (half-open). */
export function maxInWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/** POSTs a broadcast to `userIds` with `key`; its id. */
export async function postBroadcast(
  api: TestLookup,
  key: string,
  userIds: number[],
  text = 'Hello',
) {
  const created = await api.call({
    method: 'POST',
    path: '/v1/broadcasts',
    key,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, audience: { userIds } }),
  });
  expect(created.status, created.raw).toBe(202);
  return (created.body as { id: string }).id;
}

/** A shared fake clock, and the (clock, chat) of every sendMessage the fake received. */
export function clocked(botApi: FakeBotApi, rate: number) {
  const state = { clock: Date.now() };
  const starts: { at: number; chat: number }[] = [];
  botApi.respond('sendMessage', (payload) => {
    starts.push({ at: state.clock, chat: Number(payload.chat_id) });
    return { message_id: 1, date: 0, chat: { id: payload.chat_id, type: 'private' } };
  });
  const deps = {
    rate,
    now: () => state.clock,
    sleep: async (ms: number) => {
      state.clock += ms;
    },
  };
  return { state, starts, deps };
}

export const gapsPerChat = (starts: { at: number; chat: number }[]) => {
  const last = new Map<number, number>();
  let min = Number.POSITIVE_INFINITY;
  for (const s of [...starts].sort((a, b) => a.at - b.at)) {
    const prev = last.get(s.chat);
    if (prev !== undefined) min = Math.min(min, s.at - prev);
    last.set(s.chat, s.at);
  }
  return min;
};
