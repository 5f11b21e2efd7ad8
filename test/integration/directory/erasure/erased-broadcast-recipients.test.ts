/**
 * A recipient erased after a broadcast was created is never sent it, even after she opens the
 * bot again, and nothing of hers stays with the broadcast: the erasure deletes her recipient
 * (its person reference), the sender refuses and deletes one the erasure missed (her floor is
 * after the broadcast's creation), and the sender lease keeps no chat ids. The real lookup
 * creates the broadcasts, the real sender sends them to the fake Bot API, and a whole-table
 * scan (erasure-scan.ts) looks for her afterwards.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { eraseUser } from '../../../../lib/directory/erasure/erasure.ts';
import {
  readRecipients,
  writeRecipients,
} from '../../../../lib/messaging/store/broadcast-recipients.ts';
import {
  expiryOf,
  getBroadcast,
  newBroadcastId,
  putBroadcast,
} from '../../../../lib/messaging/store/broadcasts.ts';
import { readEligibility } from '../../../../lib/messaging/store/messaging-eligibility.ts';
import {
  person,
  privateMessage,
  sendUntilIdle,
  sentTo,
  testSender,
} from '../../../helpers/broadcasts.ts';
import { tracesOf } from '../../../helpers/erasure-scan.ts';
import { postJson } from '../../../helpers/lookup.ts';
import { nowSeconds, record } from '../../../helpers/recorder-rig.ts';
import { useStack, useWriter } from '../../../helpers/stack-fixture.ts';

const ERIN = 7_310_001;
const OLIVER = 7_310_002;
const erin = { id: ERIN, names: [`P${ERIN}`] };

const stack = useStack();
let t0: number;

const rig = useWriter(stack, 'crm');

beforeEach(async () => {
  t0 = nowSeconds() - 600;
  for (const id of [ERIN, OLIVER]) await record(rig.store, privateMessage(person(id), t0), t0);
});

async function createBroadcast(userIds: number[]): Promise<{ id: string; total: number }> {
  const body = { text: 'Sale', audience: { userIds } };
  const response = await postJson(rig.api, '/v1/broadcasts', body, { key: rig.writeKey });
  expect(response.status, response.raw).toBe(202);
  return response.body;
}

const sendAll = (sender = testSender(rig.store, stack.botApi)) => sendUntilIdle(sender);

/** She opens the bot again (`/start`), `at` (epoch seconds). */
const comesBack = (at: number) => record(rig.store, privateMessage(person(ERIN), at, '/start'), at);

async function countsOf(id: string) {
  const { body } = await rig.api.call({ path: `/v1/broadcasts/${id}` });
  return body;
}

describe('a broadcast created before an erasure', () => {
  it('never reaches her, even after she opens the bot again', async () => {
    const { id } = await createBroadcast([ERIN, OLIVER]);
    const now = nowSeconds();
    await eraseUser(rig.store, ERIN, now + 1);
    await comesBack(now + 3);
    expect((await readEligibility(rig.store, ERIN)).known).toBe(true);

    await sendAll();

    expect(sentTo(stack.botApi)).toEqual([OLIVER]);
    expect(await countsOf(id)).toMatchObject({ status: 'done', total: 2, sent: 1, skipped: 1 });
  });

  it('keeps no recipient of hers once she is erased', async () => {
    await createBroadcast([ERIN, OLIVER]);
    await eraseUser(rig.store, ERIN, nowSeconds() + 1);

    expect(await tracesOf(rig.store, erin)).toEqual([]);
  });

  it('keeps nothing of her after she was sent it (her recipient, the sender lease)', async () => {
    const { id } = await createBroadcast([ERIN, OLIVER]);
    await sendAll();
    expect(sentTo(stack.botApi).sort()).toEqual([ERIN, OLIVER]);

    await eraseUser(rig.store, ERIN, nowSeconds() + 1);

    expect(await tracesOf(rig.store, erin)).toEqual([]);
    // Finished before her erasure: its counts are the broadcast's own, and stay.
    expect(await countsOf(id)).toMatchObject({ total: 2, sent: 2, skipped: 0 });
  });
});

describe('an erasure racing a broadcast', () => {
  it('refuses and deletes a recipient written after the erasure looked (creation in progress)', async () => {
    const createdAt = Date.now();
    const id = newBroadcastId();
    // Her eligibility was read before the erasure; her recipient lands after it.
    await eraseUser(rig.store, ERIN, nowSeconds() + 1);
    await writeRecipients(rig.store, id, [ERIN, OLIVER], expiryOf(createdAt), createdAt);
    await putBroadcast(rig.store, {
      id,
      status: 'queued',
      total: 2,
      message: { text: 'Sale', parseMode: null, disableNotification: false, buttons: [] },
      audience: { kind: 'users', count: 2 },
      keyId: 'k',
      createdAt,
    });
    await comesBack(nowSeconds() + 3);

    await sendAll();

    expect(sentTo(stack.botApi)).toEqual([OLIVER]);
    // She came back: her own partition holds her new life; nothing else holds her.
    const elsewhere = (await tracesOf(rig.store, erin)).filter((t) => t.pk !== `USER#${ERIN}`);
    expect(elsewhere).toEqual([]);
    expect((await getBroadcast(rig.store, id, true))?.counts).toEqual({
      sent: 1,
      failed: 0,
      blocked: 0,
      skipped: 1,
      unknown: 0,
    });
  });

  it('sends nothing to one erased while claimed, and the claimer records the rest cleanly', async () => {
    const { id } = await createBroadcast([ERIN, OLIVER]);
    // The erasure lands between her claim and the read before the request.
    const sender = testSender(rig.store, stack.botApi, {
      eligibility: async (ctx, userId) => {
        if (userId === ERIN) await eraseUser(rig.store, ERIN, nowSeconds() + 1); // the lookup erases, not the sender
        return readEligibility(ctx, userId);
      },
    });

    await sendAll(sender);

    expect(sentTo(stack.botApi)).toEqual([OLIVER]);
    expect(await tracesOf(rig.store, erin)).toEqual([]);
    expect(await countsOf(id)).toMatchObject({ status: 'done', total: 2, sent: 1, skipped: 1 });
  });

  it('sends once to one erased during her request, keeps nothing of her, and counts her skipped', async () => {
    const { id } = await createBroadcast([ERIN, OLIVER]);
    // The erasure lands after the read, while her message is on its way: it goes (what
    // finishes during a request cannot stop it), and its record finds her recipient gone.
    const sender = testSender(rig.store, stack.botApi, {
      eligibility: async (ctx, userId) => {
        const eligibility = await readEligibility(ctx, userId);
        if (userId === ERIN) await eraseUser(rig.store, ERIN, nowSeconds() + 1); // the lookup erases, not the sender
        return eligibility;
      },
    });

    await sendAll(sender);

    expect(sentTo(stack.botApi).sort()).toEqual([ERIN, OLIVER]);
    expect(await tracesOf(rig.store, erin)).toEqual([]);
    const { recipients } = await readRecipients(rig.store, id, { limit: 10 });
    expect(recipients.map((r) => r.userId)).toEqual([OLIVER]);
    expect(await countsOf(id)).toMatchObject({ status: 'done', total: 2, sent: 1, skipped: 1 });
  });
});
