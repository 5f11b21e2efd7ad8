/**
 * Work per update: the real webhook handler (one warm instance) against the
 * embedded store and the loopback fake Bot API, each update measured on its own: DynamoDB
 * requests by command, sequential round trips on the critical path, capacity units from item
 * sizes, and outbound Bot API calls. The budget tests assert on the same figures.
 */

import { loadUpdate } from '../../test/fixtures/updates.ts';
import { webhookEvent } from '../../test/helpers/events.ts';
import { startFakeBotApi } from '../../test/helpers/fake-bot-api.ts';
import { captureLogs } from '../../test/helpers/log-capture.ts';
import {
  countByCommand,
  criticalPath,
  isWrite,
  type RequestRecord,
  recordingClient,
} from '../../test/helpers/request-log.ts';
import { startTestStore } from '../../test/helpers/store.ts';
import { createTestWebhook } from '../../test/helpers/webhook.ts';
import { type Capacity, capacityOf, snapshot } from './capacity.ts';

export interface UpdateWork extends Capacity {
  name: string;
  /** DynamoDB requests by command (`GetItem: 1`, ...). */
  byCommand: Record<string, number>;
  requests: number;
  reads: number;
  writes: number;
  /** Writes whose condition failed (they still cost capacity). */
  conditionalFailures: number;
  roundTrips: number;
  /** Outbound calls the fake Bot API received. */
  botApiCalls: number;
  /** The Bot API method answered in the webhook response body, if any. */
  webhookReply?: string;
  /** Bytes the function logged (Powertools JSON lines). */
  logBytes: number;
}

export interface UpdateWorkReport {
  updates: UpdateWork[];
  /** Means over `steadyMessages` ordinary messages of one known user. */
  steady: UpdateWork & { messages: number; maxRoundTrips: number; maxWrites: number };
}

export const SCENARIOS = {
  newUser: 'first message from a new user',
  ordinary: 'ordinary group message, known user',
  firstOfDay: "known user's first message of the day",
  duplicate: 'duplicate delivery',
  start: '/start (private)',
  ownContact: 'shared contact (own)',
  chatMember: 'chat_member change',
} as const;

type Update = Record<string, unknown> & { update_id: number };

function summarize(name: string, records: RequestRecord[], capacity: Capacity): UpdateWork {
  const writes = records.filter(isWrite);
  const byCommand: Record<string, number> = {};
  for (const [command, n] of Object.entries(countByCommand(records))) {
    byCommand[command.replace(/Command$/, '')] = n;
  }
  return {
    name,
    byCommand,
    requests: records.length,
    reads: records.length - writes.length,
    writes: writes.length,
    conditionalFailures: writes.filter((r) => r.error === 'ConditionalCheckFailedException').length,
    roundTrips: criticalPath(records),
    botApiCalls: 0,
    logBytes: 0,
    ...capacity,
  };
}

/**
 * Messages are dated a second apart from the start of today (UTC), as in production: all on
 * one day, so that only the scenario meant to be a member's first message of the day is one.
 */
const BASE_DATE = (() => {
  const now = Math.floor(Date.now() / 1000);
  return now - (now % 86_400) + 1;
})();

/** A group message from Alice (the fixtures' user 1001) with its own update and message id. */
function aliceMessage(n: number): Update {
  const update = loadUpdate('group-message') as Update & { message: Record<string, unknown> };
  update.update_id = 20_000 + n;
  update.message.message_id = 5_000 + n;
  update.message.date = BASE_DATE + n;
  return update;
}

/**
 * Bob (1002) writes in the group (or, `inPrivate`, to the bot), exactly as the chat_member
 * fixture names him.
 */
function bobMessage(updateId: number, date: number, inPrivate = false): Update {
  const update = loadUpdate('group-message') as Update & { message: Record<string, unknown> };
  const member = loadUpdate('chat-member-restricted') as {
    chat_member: { new_chat_member: { user: { id: number; first_name: string } } };
  };
  const bob = member.chat_member.new_chat_member.user;
  update.update_id = updateId;
  update.message.from = bob;
  update.message.date = date;
  if (inPrivate) update.message.chat = { id: bob.id, type: 'private', first_name: bob.first_name };
  return update;
}

export async function measureUpdateWork(
  options: { steadyMessages?: number } = {},
): Promise<UpdateWorkReport> {
  const steadyMessages = options.steadyMessages ?? 64;
  const store = await startTestStore();
  const botApi = await startFakeBotApi();
  const { client, log } = recordingClient(store.endpoint);
  try {
    const webhook = await createTestWebhook({
      store: { client, tableName: store.tableName },
      botApiUrl: botApi.url,
    });
    const measure = async (name: string, update: Update): Promise<UpdateWork> => {
      const before = await snapshot(store);
      log.reset();
      botApi.reset();
      const logs = captureLogs();
      const response = await webhook(webhookEvent(update)).finally(() => logs.stop());
      if (response.statusCode !== 200) throw new Error(`${name}: ${response.statusCode}`);
      const records = [...log.records];
      const work = summarize(name, records, capacityOf(records, before, await snapshot(store)));
      work.botApiCalls = botApi.calls.length;
      work.logBytes = Buffer.byteLength(logs.text());
      const reply = response.body ? (JSON.parse(response.body) as { method?: string }) : {};
      if (reply.method) work.webhookReply = reply.method;
      return work;
    };

    // The instance is warm: the group and Bob are known (he wrote there yesterday, and to
    // the bot today).
    await measure('warm-up', bobMessage(9_001, BASE_DATE - 86_400));
    await measure('warm-up', bobMessage(9_002, BASE_DATE, true));
    const updates = [
      await measure(SCENARIOS.newUser, aliceMessage(0)),
      await measure(SCENARIOS.ordinary, aliceMessage(1)),
      await measure(SCENARIOS.duplicate, aliceMessage(1)),
      // The group's queue: an update id after Alice's.
      await measure(SCENARIOS.firstOfDay, bobMessage(20_002, BASE_DATE + 3)),
      await measure(SCENARIOS.start, loadUpdate('start-command') as Update),
      await measure(SCENARIOS.ownContact, loadUpdate('contact-own') as Update),
      await measure(SCENARIOS.chatMember, loadUpdate('chat-member-restricted') as Update),
    ];

    const steady: UpdateWork[] = [];
    for (let n = 0; n < steadyMessages; n++) {
      steady.push(await measure(SCENARIOS.ordinary, aliceMessage(100 + n)));
    }
    return { updates, steady: averageOf(steady) };
  } finally {
    client.destroy();
    await botApi.close();
    await store.close();
  }
}

function averageOf(works: UpdateWork[]): UpdateWorkReport['steady'] {
  const mean = (pick: (w: UpdateWork) => number) =>
    works.reduce((sum, w) => sum + pick(w), 0) / Math.max(1, works.length);
  const byCommand: Record<string, number> = {};
  for (const work of works) {
    for (const [command, n] of Object.entries(work.byCommand)) {
      byCommand[command] = (byCommand[command] ?? 0) + n / works.length;
    }
  }
  return {
    name: `${SCENARIOS.ordinary} (mean of ${works.length})`,
    byCommand,
    requests: mean((w) => w.requests),
    reads: mean((w) => w.reads),
    writes: mean((w) => w.writes),
    conditionalFailures: mean((w) => w.conditionalFailures),
    roundTrips: mean((w) => w.roundTrips),
    botApiCalls: mean((w) => w.botApiCalls),
    logBytes: mean((w) => w.logBytes),
    wcu: mean((w) => w.wcu),
    indexWcu: mean((w) => w.indexWcu),
    rcu: mean((w) => w.rcu),
    messages: works.length,
    maxRoundTrips: Math.max(...works.map((w) => w.roundTrips)),
    maxWrites: Math.max(...works.map((w) => w.writes)),
  };
}
