/**
 * Broadcast throughput against the configured rate, and the DynamoDB requests per recipient.
 * The store runs in a child process (as for the member export), the fake Bot API and the
 * handlers in this one. `recipients` contacts who wrote to the bot privately (one through the
 * real webhook, the rest cloned from its items); one broadcast to all of them created through
 * the real lookup handler, then sent by the dispatcher's broadcast sender in one run (what a
 * scheduled invocation does for up to 50 s), paced at `rate` (BROADCAST_RATE) in real time.
 * Pace figures are taken where Telegram would see them: the fake Bot API's arrivals.
 */
import { createBroadcastSender } from '../../lib/messaging/broadcast-sender.ts';
import { createDocumentClient, type StoreContext } from '../../lib/store/client.ts';
import { ensureTable } from '../../lib/store/table-setup.ts';
import { createBotApi } from '../../lib/telegram/bot-api.ts';
import { clonePrivateContacts, maxInWindow } from '../../test/helpers/broadcasts.ts';
import { startFakeBotApi } from '../../test/helpers/fake-bot-api.ts';
import { createTestLookup } from '../../test/helpers/lookup.ts';
import { countByCommand, recordRequests } from '../../test/helpers/request-log.ts';
import { createTestWebhook, TEST_BOT_TOKEN } from '../../test/helpers/webhook.ts';
import { storeProcess } from './handler-cpu.ts';

export interface BroadcastReport {
  recipients: number;
  /** BROADCAST_RATE of the run. */
  rate: number;
  sent: number;
  /** From the first message's arrival to the last's. */
  seconds: number;
  perSecond: number;
  /** The most arrivals in any 1 s window, and in any chat's. */
  maxInAnySecond: number;
  maxPerChatInAnySecond: number;
  /** POST /v1/broadcasts: its wall time and DynamoDB requests per recipient. */
  createMs: number;
  createRequestsPerRecipient: number;
  /** The sender's DynamoDB requests per recipient, and by command. */
  sendRequestsPerRecipient: number;
  sendByCommand: Record<string, number>;
}

const FIRST = 6_000_000;

export async function measureBroadcast(options: {
  recipients: number;
  rate: number;
}): Promise<BroadcastReport> {
  const telegram = await startFakeBotApi();
  const arrivals: { chat: number; at: number }[] = [];
  telegram.respond('sendMessage', (payload) => {
    arrivals.push({ chat: Number(payload.chat_id), at: performance.now() });
    return {
      message_id: 1,
      date: 0,
      chat: { id: payload.chat_id, type: 'private' },
      text: payload.text,
    };
  });
  const child = await storeProcess();
  const client = createDocumentClient({ region: 'us-east-1', endpoint: child.endpoint });
  const store: StoreContext = { client, tableName: 'bench-broadcasts', retentionDays: 36_500 };
  try {
    await ensureTable(client, store.tableName);
    const webhook = await createTestWebhook({ store, botApiUrl: telegram.url });
    const lookup = await createTestLookup({ store, botApiUrl: telegram.url });
    const ids = Array.from({ length: options.recipients }, (_, i) => FIRST + i);
    await clonePrivateContacts(store, webhook, 5_999_999, ids);

    const log = recordRequests(client);
    const started = performance.now();
    const created = await lookup.call({
      method: 'POST',
      path: '/v1/broadcasts',
      key: lookup.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Bench', audience: { userIds: ids } }),
    });
    const createMs = performance.now() - started;
    if (created.status !== 202) throw new Error(`broadcast: ${created.status} ${created.raw}`);
    // The key lookup of the call is not the broadcast's.
    const createRequests = log.records.filter(
      (r) => !r.keys.some((k) => k.pk.startsWith('APIKEY#')),
    ).length;

    log.reset();
    const sender = createBroadcastSender({
      store,
      botApi: createBotApi({ token: TEST_BOT_TOKEN, apiRoot: telegram.url }),
      rate: options.rate,
    });
    const run = await sender.run(10 * 60_000);
    const sendRequests = log.records.length;
    const times = arrivals.map((a) => a.at);
    const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
    const byChat = new Map<number, number[]>();
    for (const a of arrivals) byChat.set(a.chat, [...(byChat.get(a.chat) ?? []), a.at]);
    return {
      recipients: options.recipients,
      rate: options.rate,
      sent: run.sent,
      seconds,
      perSecond: (times.length - 1) / seconds,
      maxInAnySecond: maxInWindow(times),
      maxPerChatInAnySecond: Math.max(...[...byChat.values()].map((t) => maxInWindow(t))),
      createMs,
      createRequestsPerRecipient: createRequests / options.recipients,
      sendRequestsPerRecipient: sendRequests / options.recipients,
      sendByCommand: countByCommand(log.records),
    };
  } finally {
    client.destroy();
    const exited = new Promise((resolve) => child.child.once('exit', resolve));
    child.child.kill('SIGTERM');
    await exited;
    await telegram.close();
  }
}
