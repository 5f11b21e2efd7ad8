/**
 * What a failing store costs the messaging and recording paths: a broadcast's recipient writes
 * stop starting batches once one failed (the broadcast is refused whole), and the recorder's
 * check of an admin's erasure names itself in the StoreError the webhook logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkActors } from '../../../lib/directory/record/actor-check.ts';
import { writeRecipients } from '../../../lib/messaging/store/broadcast-recipients.ts';
import { faultyClient } from '../../helpers/faults.ts';
import { startTestStore, type TestStore } from '../../helpers/store.ts';

let store: TestStore;
beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => {
  await store.close();
});

describe('a store that keeps failing', () => {
  it('costs a broadcast one BatchWriteItem per writer, not one per batch of recipients', async () => {
    const faulty = faultyClient(store.endpoint, (command) =>
      command === 'BatchWriteItemCommand' ? 'server' : undefined,
    );
    const userIds = Array.from({ length: 25 * 20 }, (_, i) => 1000 + i); // 20 batches
    await expect(
      writeRecipients({ ...store, client: faulty.client }, 'b1', userIds, 2e9, Date.now()),
    ).rejects.toThrow(/recipient writes/);
    // Four writers each fail on their first batch, and no batch starts after a failure.
    expect(faulty.calls.filter((c) => c === 'BatchWriteItemCommand')).toHaveLength(4);
  });

  it("names the recorder's actor check in the StoreError of its floor read", async () => {
    const faulty = faultyClient(store.endpoint, (command) =>
      command === 'GetItemCommand' ? 'throttle' : undefined,
    );
    const now = Math.floor(Date.now() / 1000);
    await expect(
      checkActors(
        { ...store, client: faulty.client },
        { actors: [{ actorId: 42, keys: [] }] } as never,
        { at: now } as never,
        now,
      ),
    ).rejects.toThrow('store actor check failed (ProvisionedThroughputExceededException)');
  });
});
