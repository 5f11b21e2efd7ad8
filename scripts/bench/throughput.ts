/**
 * Warm throughput, all in this process against the in-memory embedded store (dynalite):
 * ordinary group messages through the real webhook handler (warm instance), one chat per
 * worker as Telegram keeps one update per chat in flight,
 * beside raw UpdateItem requests on the same store and a bare telegraf handler doing one
 * UpdateItem per message (the baseline entry), each for the same time at the same concurrency.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { UserFromGetMe } from 'telegraf/types';
import { webhookEvent } from '../../test/helpers/events.ts';
import { FAKE_BOT_USER, startFakeBotApi } from '../../test/helpers/fake-bot-api.ts';
import { startTestStore } from '../../test/helpers/store.ts';
import { createTestWebhook } from '../../test/helpers/webhook.ts';
import { createBaselineHandler } from '../build/baseline-entry.ts';
import { groupUpdate, type MessagePool } from './workload.ts';

export interface Rate {
  operations: number;
  seconds: number;
  perSecond: number;
}

export interface ThroughputReport {
  concurrency: number;
  webhook: Rate;
  rawUpdateItem: Rate;
  bareTelegraf: Rate;
}

/** Runs `op` from `concurrency` workers until `seconds` have passed; `op` gets its worker's index. */
async function runFor(
  seconds: number,
  concurrency: number,
  op: (i: number, worker: number) => Promise<void>,
): Promise<Rate> {
  let next = 0;
  let done = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async (index: number) => {
    while (performance.now() < deadline) {
      await op(next++, index);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, index) => worker(index)));
  const elapsed = (performance.now() - started) / 1000;
  return { operations: done, seconds: elapsed, perSecond: done / elapsed };
}

const ok = (status: number | undefined) => {
  if (status !== 200) throw new Error(`handler answered ${status}`);
};

export async function measureThroughput(options: {
  seconds: number;
  warmupSeconds: number;
  concurrency: number;
  pool: MessagePool;
}): Promise<ThroughputReport> {
  const { seconds, warmupSeconds, concurrency, pool } = options;
  const store = await startTestStore();
  const botApi = await startFakeBotApi();
  let updateId = 1_000_000;
  try {
    const webhookTable = await store.freshTable();
    const webhook = await createTestWebhook({ store: webhookTable, botApiUrl: botApi.url });
    // As Telegram delivers: each worker is one chat's queue (one update in flight per chat),
    // messages dated now.
    const event = (i: number, worker: number) =>
      webhookEvent(
        groupUpdate(pool, i, updateId++, 0, {
          chat: worker,
          date: Math.floor(Date.now() / 1000),
        }),
      );
    const viaWebhook = async (i: number, worker: number) =>
      ok((await webhook(event(i, worker))).statusCode);
    await runFor(warmupSeconds, concurrency, viaWebhook);
    const webhookRate = await runFor(seconds, concurrency, viaWebhook);

    const rawTable = await store.freshTable();
    const raw = async (i: number) => {
      await store.client.send(
        new UpdateCommand({
          TableName: rawTable.tableName,
          Key: { pk: `USER#${pool.userIds[i % pool.userIds.length]}`, sk: 'PROFILE' },
          UpdateExpression: 'ADD messageCount :one',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    };
    await runFor(warmupSeconds, concurrency, raw);
    const rawRate = await runFor(seconds, concurrency, raw);

    const bareTable = await store.freshTable();
    const bare = createBaselineHandler({
      client: store.client,
      tableName: bareTable.tableName,
      botInfo: { ...FAKE_BOT_USER, can_join_groups: true } as UserFromGetMe,
    });
    const viaBare = async (i: number, worker: number) =>
      ok((await bare(event(i, worker))).statusCode);
    await runFor(warmupSeconds, concurrency, viaBare);
    const bareRate = await runFor(seconds, concurrency, viaBare);

    return { concurrency, webhook: webhookRate, rawUpdateItem: rawRate, bareTelegraf: bareRate };
  } finally {
    await botApi.close();
    await store.close();
  }
}
