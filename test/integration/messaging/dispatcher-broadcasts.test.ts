/**
 * Broadcasts as deployments send them: through the local stack (`npm start`: its in-process
 * dispatcher loop, BROADCAST_RATE from the environment) in real time, and through the
 * dispatcher function's handler (a scheduled sweep sends, a stream invocation does not).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/dispatcher.ts';
import { createDispatcher } from '../../../lib/events/dispatcher.ts';
import { createBroadcastRunner } from '../../../lib/messaging/broadcast-runner.ts';
import { type LocalStack, startLocalStack } from '../../../scripts/local/stack.ts';
import {
  maxInWindow,
  person,
  privateMessage,
  seedPrivateChats,
  sends,
  testSender,
} from '../../helpers/broadcasts.ts';
import { WEBHOOK_SECRET } from '../../helpers/events.ts';
import { type FakeBotApi, sentMessage, startFakeBotApi } from '../../helpers/fake-bot-api.ts';
import { useStack } from '../../helpers/stack-fixture.ts';
import { TEST_RETENTION_DAYS } from '../../helpers/store.ts';
import { TEST_BOT_TOKEN } from '../../helpers/webhook.ts';

const DEV_API_KEY = 'dev-key-for-the-broadcast-test';
const RATE = 8;
const PEOPLE = Array.from({ length: 20 }, (_, i) => 3100 + i);

describe('npm start: broadcasts sent by the local dispatcher', () => {
  let stack: LocalStack;
  let telegram: FakeBotApi;
  const arrivals: { chat: number; at: number }[] = [];

  beforeAll(async () => {
    telegram = await startFakeBotApi();
    telegram.respond('sendMessage', (payload) => {
      arrivals.push({ chat: Number(payload.chat_id), at: performance.now() });
      return sentMessage(payload);
    });
    stack = await startLocalStack({
      env: {
        LOCAL_DB_PATH: 'memory',
        TABLE_NAME: 'local-broadcasts',
        TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
        TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
        TELEGRAM_BOT_USERNAME: 'contacts_test_bot',
        TELEGRAM_API_ROOT: telegram.url,
        DEV_API_KEY,
        RETENTION_DAYS: String(TEST_RETENTION_DAYS),
        BROADCAST_RATE: String(RATE),
      },
      port: 0,
    });
    for (const id of PEOPLE) {
      const posted = await fetch(`${stack.url}/telegram/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': WEBHOOK_SECRET,
        },
        body: JSON.stringify(privateMessage(person(id))),
      });
      expect(posted.status).toBe(200);
    }
  }, 60_000);
  afterAll(async () => {
    await stack.close();
    await telegram.close();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${DEV_API_KEY}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });

  it(`sends to everyone at most ${RATE} a second (BROADCAST_RATE), each chat at most once a second`, async () => {
    const created = await api('/v1/broadcasts', {
      method: 'POST',
      body: JSON.stringify({ text: 'Paced', audience: { userIds: PEOPLE } }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    // A second broadcast to the first five right after: their chats each wait a second.
    const again = await api('/v1/broadcasts', {
      method: 'POST',
      body: JSON.stringify({ text: 'Again', audience: { userIds: PEOPLE.slice(0, 5) } }),
    });
    const second = ((await again.json()) as { id: string }).id;

    let status: { status: string; sent: number } = { status: 'queued', sent: 0 };
    for (let i = 0; i < 400 && status.status !== 'done'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await (await api(`/v1/broadcasts/${second}`)).json()) as typeof status;
    }
    const first = (await (await api(`/v1/broadcasts/${id}`)).json()) as {
      status: string;
      sent: number;
    };

    expect(first).toMatchObject({ status: 'done', sent: PEOPLE.length });
    expect(status).toMatchObject({ status: 'done', sent: 5 });
    const times = arrivals.map((a) => a.at);
    expect(times).toHaveLength(PEOPLE.length + 5);
    // The pace as Telegram saw it: never more than RATE in any second. How close to RATE it
    // gets is a speed, measured by `npm run bench` (a loaded runner is slower), not here.
    expect(maxInWindow(times)).toBeLessThanOrEqual(RATE);
    for (const chat of PEOPLE.slice(0, 5)) {
      const mine = arrivals.filter((a) => a.chat === chat).map((a) => a.at);
      expect(mine).toHaveLength(2);
      expect(maxInWindow(mine)).toBe(1);
    }
  }, 120_000);
});

describe('the dispatcher function', () => {
  const test = useStack();

  it("sends broadcasts in its schedule's sweep, loading the sender only then", async () => {
    const { store, webhook, lookup } = await test.handlers();
    await seedPrivateChats(webhook, [3201, 3202]);
    const created = await lookup.call({
      method: 'POST',
      path: '/v1/broadcasts',
      key: lookup.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Scheduled', audience: { userIds: [3201, 3202] } }),
    });
    expect(created.status).toBe(202);
    let loads = 0;
    const dispatcher = createDispatcher({
      store,
      post: async () => {
        throw new Error('no subscription in this test');
      },
      broadcasts: createBroadcastRunner(store, async () => {
        loads++;
        return testSender(store, test.botApi);
      }),
    });
    const handler = createHandler(dispatcher, { wait: async () => {} });

    // The stream path's sweep (after a failed delivery) leaves broadcasts to the schedule.
    expect(await dispatcher.sweep(100, undefined, { broadcastMs: 0 })).not.toHaveProperty(
      'broadcasts',
    );
    expect(loads).toBe(0);
    await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' });

    expect(loads).toBe(1);
    expect(
      sends(test.botApi)
        .map((c) => Number(c.payload.chat_id))
        .sort(),
    ).toEqual([3201, 3202]);
    const read = await lookup.call({ path: `/v1/broadcasts/${created.body.id}` });
    expect(read.body).toMatchObject({ status: 'done', sent: 2 });
    // Nothing waits any more: the next sweep reads the index and loads nothing new.
    await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
    expect(sends(test.botApi)).toHaveLength(2);
  });
});
