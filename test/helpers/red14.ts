/**
 * Red team 14's rig: a client that runs a step before chosen store calls and dies after one,
 * Alice's LIFE item and contact.created events, and a broadcast cast on a fake clock.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { createDocumentClient, type StoreContext } from '../../lib/store/client.ts';
import { contactLifeKey } from '../../lib/store/keys.ts';
import type { FakeBotApi } from './fake-bot-api.ts';
import { faultError } from './faults.ts';
import { ALICE, type TestLookup } from './lookup.ts';
import { scan } from './recorder-rig.ts';

export const CHAT_A = -100200300;
export const CHAT_B = -100200301;

/**
 * A client that, before each call, awaits `before(command, input, index)`, and fails every
 * call from the first one after the call matched by `dieAfter` on (the process died).
 */
export function scriptedClient(
  endpoint: string,
  script: {
    before?: (command: string, input: string) => Promise<void> | void;
    dieAfter?: (command: string, input: string) => boolean;
  },
) {
  const client = createDocumentClient({ region: 'us-east-1', endpoint, maxAttempts: 1 });
  const calls: string[] = [];
  let dead = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const input = JSON.stringify(args.input);
      calls.push(`${command} ${input.slice(0, 120)}`);
      if (dead) throw faultError('server');
      await script.before?.(command, input);
      const out = await next(args);
      if (script.dieAfter?.(command, input)) dead = true;
      return out;
    },
    { step: 'initialize', name: 'script' },
  );
  return { client, calls };
}

export const isLifeWrite = (command: string, input: string) =>
  command === 'UpdateItemCommand' && input.includes(`"USER#${ALICE}"`) && input.includes('"LIFE"');
export const isCreatedWrite = (command: string, input: string) =>
  command === 'UpdateItemCommand' && input.includes('contact.created');

export const createdEvents = async (store: StoreContext) =>
  (await scan(store)).filter(
    (i) => String(i.sk).startsWith('OUTBOX#') && i.type === 'contact.created',
  );

export const life = async (store: StoreContext) =>
  (
    await store.client.send(
      new GetCommand({ TableName: store.tableName, Key: contactLifeKey(ALICE) }),
    )
  ).Item;

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
