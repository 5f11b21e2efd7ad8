/**
 * Subscriber event latency, locally: the local stack (in-memory store, its in-process
 * dispatcher), a receiver on 127.0.0.1, one subscription to every event. Each step posts one
 * membership change (a chat_member join) to the webhook and measures from the webhook's 200
 * to the receiver's receipt of that member's `member.joined`, one change at a time. Also counts
 * the dispatcher's DynamoDB requests per delivered event (an SDK middleware on the client).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeBotApi } from '../../test/helpers/fake-bot-api.ts';
import { chatMemberUpdate } from '../../test/helpers/member-updates.ts';
import { recordRequests } from '../../test/helpers/request-log.ts';
import { TEST_BOT_TOKEN } from '../../test/helpers/webhook.ts';
import { startLocalStack } from '../local/stack.ts';
import { percentile } from './stats.ts';

const CHAT = { id: -1009900, type: 'supergroup' as const, title: 'Bench' };

export interface EventLatencyReport {
  events: number;
  p50Ms: number;
  p90Ms: number;
  maxMs: number;
  /** DynamoDB requests per delivered event: webhook writes excluded, dispatcher and polling included. */
  dynamoRequestsPerEvent: number;
}

export async function measureEventLatency(options: {
  events: number;
}): Promise<EventLatencyReport> {
  const arrivals = new Map<number, number>();
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const at = performance.now();
      const event = JSON.parse(body) as { type: string; data: { userId?: number } };
      if (event.type === 'member.joined' && event.data.userId !== undefined) {
        arrivals.set(event.data.userId, at);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  const botApi = await startFakeBotApi();
  const stack = await startLocalStack({
    env: {
      ...process.env,
      LOCAL_DB_PATH: 'memory',
      TABLE_NAME: 'telegram-contacts-bench-events',
      TELEGRAM_API_ROOT: botApi.url,
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_BOT_USERNAME: 'contacts_test_bot',
      EVENTS_ALLOW_LOOPBACK: 'true',
      RETENTION_DAYS: '36500',
    },
    port: 0,
  });
  try {
    const created = await fetch(`${stack.url}/v1/subscriptions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${stack.devApiKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ url: receiverUrl, events: ['member.joined'] }),
    });
    if (created.status !== 201) throw new Error(`subscription: ${created.status}`);
    const log = recordRequests(stack.store.client);
    const latencies: number[] = [];
    let webhookRequests = 0;
    for (let i = 0; i < options.events; i++) {
      const userId = 880_000 + i;
      const person = { id: userId, first_name: `P${i}` };
      const update = {
        ...chatMemberUpdate({
          chat: CHAT,
          actor: person,
          member: person,
          from: 'left',
          to: 'member',
          date: Math.floor(Date.now() / 1000),
        }),
        update_id: 700_000 + i,
      };
      const before = log.records.length;
      const response = await fetch(`${stack.url}/telegram/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': stack.webhookSecret,
        },
        body: JSON.stringify(update),
      });
      const answered = performance.now();
      if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
      webhookRequests += log.records.length - before;
      const deadline = answered + 10_000;
      while (!arrivals.has(userId) && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const arrived = arrivals.get(userId);
      if (arrived === undefined) throw new Error(`member.joined of ${userId} never arrived`);
      latencies.push(arrived - answered);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      events: options.events,
      p50Ms: percentile(sorted, 50),
      p90Ms: percentile(sorted, 90),
      maxMs: sorted.at(-1) ?? 0,
      dynamoRequestsPerEvent: (log.records.length - webhookRequests) / options.events,
    };
  } finally {
    await stack.close();
    await botApi.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}
