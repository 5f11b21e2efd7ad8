/**
 * A username or phone change moves its index entry. Found by the fault-injection run: when the
 * delete of the old entry failed, or the profile write landed but its answer was lost, the
 * redelivery no longer knew the old value and the old entry stayed forever.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseUser } from '../../lib/store/erasure.ts';
import { phoneKey, usernameKey } from '../../lib/store/keys.ts';
import { createProfileCache } from '../../lib/store/profile-cache.ts';
import { webhookEvent } from '../helpers/events.ts';
import { type FakeBotApi, startFakeBotApi } from '../helpers/fake-bot-api.ts';
import { type FaultKind, faultyClient } from '../helpers/faults.ts';
import { startTestStore, type TestStore } from '../helpers/store.ts';
import { createTestWebhook, tableSnapshot } from '../helpers/webhook.ts';

const ALICE = 1001;
const CHAT = -100200300;

let root: TestStore;
let botApi: FakeBotApi;
beforeAll(async () => {
  root = await startTestStore();
  botApi = await startFakeBotApi();
});
afterAll(async () => {
  await botApi.close();
  await root.close();
});

const from = (username: string) => ({ id: ALICE, is_bot: false, first_name: 'Alice', username });
const groupMessage = (updateId: number, username: string) => ({
  update_id: updateId,
  message: {
    message_id: updateId,
    date: 1_764_000_000 + updateId,
    chat: { id: CHAT, type: 'supergroup', title: 'G' },
    from: from(username),
    text: 'hi',
  },
});
const ownContact = (updateId: number, phone: string) => ({
  update_id: updateId,
  message: {
    message_id: updateId,
    date: 1_764_000_000 + updateId,
    chat: { id: ALICE, type: 'private', first_name: 'Alice' },
    from: from('alice_new'),
    contact: { phone_number: phone, first_name: 'Alice', user_id: ALICE },
  },
});

/** Delivers `updates` in order, each until 200; `fault` fails the first call that matches. */
async function deliver(
  updates: unknown[],
  fault?: { command: string; kind: FaultKind; after: number },
) {
  const table = await root.freshTable();
  let seen = 0;
  let fired = false;
  const faulty = faultyClient(table.endpoint, (command) => {
    if (!fault || fired || command !== fault.command) return undefined;
    if (seen++ < fault.after) return undefined;
    fired = true;
    return fault.kind;
  });
  const store = {
    client: faulty.client,
    tableName: table.tableName,
    cache: createProfileCache({ ttlMs: 60_000, maxEntries: 100 }),
  };
  const webhook = await createTestWebhook({ store, botApiUrl: botApi.url });
  for (const update of updates) {
    let status = 0;
    for (let attempt = 0; status !== 200; attempt++) {
      if (attempt > 3) throw new Error('update never accepted');
      status = (await webhook(webhookEvent(update))).statusCode ?? 0;
    }
  }
  expect(fired || !fault).toBe(true);
  faulty.client.destroy();
  return { table, snapshot: await tableSnapshot(table) };
}

const keyOf = (item: { pk?: unknown; sk?: unknown }) => `${item.pk}|${item.sk}`;

describe('index entries follow username and phone changes despite faults', () => {
  const renames = [groupMessage(1, 'alice_old'), groupMessage(2, 'alice_new')];
  const rephones = [ownContact(1, '+15551234567'), ownContact(2, '+15557654321')];

  it.each([
    ['the delete of the old username entry fails', renames, 'DeleteItemCommand', 'server', 0],
    [
      'the rename write lands but its answer is lost',
      renames,
      'UpdateItemCommand',
      'lost-response',
      5,
    ],
    ['the delete of the old phone entry fails', rephones, 'DeleteItemCommand', 'throttle', 0],
  ] as const)('leaves no stale entry when %s', async (_label, updates, command, kind, after) => {
    const clean = await deliver([...updates]);
    const faulted = await deliver([...updates], { command, kind, after });
    expect(faulted.snapshot.map(keyOf)).toEqual(clean.snapshot.map(keyOf));
    expect(faulted.snapshot).toEqual(clean.snapshot);
    const keys = faulted.snapshot.map(keyOf);
    expect(keys).not.toContain(keyOf(usernameKey('alice_old', ALICE)));
    expect(keys).not.toContain(keyOf(phoneKey('+15551234567', ALICE)));
  });

  it('erases the entry of an unfinished move (DELETE /v1/contacts/{id} after a failed rename)', async () => {
    // Every delete of a single item fails: the rename is recorded, its move does not finish.
    const table = await root.freshTable();
    const faulty = faultyClient(table.endpoint, (command) =>
      command === 'DeleteItemCommand' ? 'server' : undefined,
    );
    const store = { client: faulty.client, tableName: table.tableName, cache: table.cache };
    const webhook = await createTestWebhook({ store, botApiUrl: botApi.url });
    expect((await webhook(webhookEvent(renames[0]))).statusCode).toBe(200);
    expect((await webhook(webhookEvent(renames[1]))).statusCode).toBe(500);
    faulty.client.destroy();
    expect((await tableSnapshot(table)).map(keyOf)).toContain(
      keyOf(usernameKey('alice_old', ALICE)),
    );

    expect(await eraseUser(table, ALICE)).toBe(true);
    const left = (await tableSnapshot(table)).map(keyOf);
    expect(left.filter((key) => key.includes(`USER#${ALICE}`))).toEqual([]);
  });
});
