/**
 * What one erasure costs: a person with 10 membership events (5 groups joined and left, each
 * with its outbox event), a verified phone, 3 cards of her shared by others and 1 broadcast to
 * her still pending, then `DELETE /v1/contacts/{id}` through the real lookup handler, whose
 * DynamoDB client counts every request by command. The erasure touches her partition and what
 * references her (one Query per reference kind), never a scan.
 */
import { loadUpdate } from '../../test/fixtures/updates.ts';
import { webhookEvent } from '../../test/helpers/events.ts';
import { startFakeBotApi } from '../../test/helpers/fake-bot-api.ts';
import { createTestLookup } from '../../test/helpers/lookup.ts';
import { chatMemberUpdate } from '../../test/helpers/member-updates.ts';
import {
  countByCommand,
  criticalPath,
  isWrite,
  recordingClient,
} from '../../test/helpers/request-log.ts';
import { startTestStore } from '../../test/helpers/store.ts';
import { createTestWebhook } from '../../test/helpers/webhook.ts';

const ALICE = { id: 1001, first_name: 'Alice', last_name: 'Smith', username: 'Alice_Smith' };
const SHARERS = [2001, 2002, 2003];
const GROUPS = 5;

export interface ErasureCost {
  events: number;
  sharedCards: number;
  broadcastsPending: number;
  /** DynamoDB requests of the erasure by command (`Query: 4`, ...). */
  byCommand: Record<string, number>;
  requests: number;
  reads: number;
  writes: number;
  /** Writes whose condition failed (they still cost capacity). */
  conditionalFailures: number;
  /** Sequential round trips (requests sent together count once). */
  roundTrips: number;
  /** Scans: must be 0. */
  scans: number;
  ms: number;
}

export async function measureErasure(): Promise<ErasureCost> {
  const base = await startTestStore();
  const botApi = await startFakeBotApi();
  try {
    const store = await base.freshTable();
    const webhook = await createTestWebhook({ store, botApiUrl: botApi.url });
    const recording = recordingClient(store.endpoint);
    const lookup = await createTestLookup({
      store,
      botApiUrl: botApi.url,
      client: recording.client,
    });
    const post = async (update: unknown) => {
      const answer = await webhook(webhookEvent(update));
      if (answer.statusCode !== 200) throw new Error(`webhook answered ${answer.statusCode}`);
    };
    const at = Math.floor(Date.now() / 1000) - 3600;
    // She opens the bot and verifies her phone.
    for (const name of ['start-command', 'contact-own']) {
      const update = loadUpdate(name) as { message: { date: number } };
      update.message.date = at;
      await post(update);
    }
    // 10 membership events: she joins and leaves 5 groups.
    for (let g = 0; g < GROUPS; g++) {
      const chat = { id: -1009900 - g, type: 'supergroup' as const, title: `Bench ${g}` };
      const change = (from: 'left' | 'member', to: 'left' | 'member', date: number) =>
        chatMemberUpdate({ chat, actor: ALICE, member: ALICE, from, to, date });
      await post(change('left', 'member', at + 10 + g));
      await post(change('member', 'left', at + 100 + g));
    }
    // 3 people share her card.
    for (const [i, sharer] of SHARERS.entries()) {
      const update = loadUpdate('contact-other') as {
        update_id: number;
        message: Record<string, unknown>;
      };
      update.update_id = 900_000 + i;
      const who = { id: sharer, is_bot: false, first_name: `Sharer${i}` };
      update.message.from = who;
      update.message.chat = { id: sharer, first_name: who.first_name, type: 'private' };
      update.message.date = at + 200 + i;
      update.message.contact = {
        phone_number: '+15551234567',
        first_name: 'Alice',
        last_name: 'Smith',
        user_id: ALICE.id,
      };
      await post(update);
    }
    // 1 broadcast to her, not sent yet (no dispatcher runs).
    const queued = await lookup.call({
      method: 'POST',
      path: '/v1/broadcasts',
      key: lookup.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'News', audience: { userIds: [ALICE.id] } }),
    });
    if (queued.status !== 202) throw new Error(`broadcast answered ${queued.status}`);

    recording.log.reset();
    const started = performance.now();
    const erased = await lookup.call({
      method: 'DELETE',
      path: `/v1/contacts/${ALICE.id}`,
      key: lookup.adminKey,
    });
    const ms = performance.now() - started;
    if (erased.status !== 204) throw new Error(`erasure answered ${erased.status}`);
    // The API key's own lookup (authentication) is not the erasure's.
    const records = recording.log.records.filter(
      (r) => !r.keys.some((k) => k.pk.startsWith('APIKEY#')),
    );
    const writes = records.filter(isWrite);
    const byCommand: Record<string, number> = {};
    for (const [command, n] of Object.entries(countByCommand(records))) {
      byCommand[command.replace(/Command$/, '')] = n;
    }
    return {
      events: GROUPS * 2,
      sharedCards: SHARERS.length,
      broadcastsPending: 1,
      byCommand,
      requests: records.length,
      reads: records.length - writes.length,
      writes: writes.length,
      conditionalFailures: writes.filter((r) => r.error === 'ConditionalCheckFailedException')
        .length,
      roundTrips: criticalPath(records),
      scans: byCommand.Scan ?? 0,
      ms,
    };
  } finally {
    await botApi.close();
    await base.close();
  }
}
