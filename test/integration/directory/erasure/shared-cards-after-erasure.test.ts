/**
 * A contact card someone else shared of a person who is then erased: its `contact.shared`
 * event (in the sharer's partition) never goes out after the erasure, whether it names the
 * person by id or by their verified phone number alone, and whether it had not gone out yet
 * or its first attempt failed before the erasure. Real webhook, lookup API and dispatcher.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { scanTable } from '../../../helpers/erasure-scan.ts';
import { useEventReceiver } from '../../../helpers/event-receiver.ts';
import { contactCard, type EventRig, eventRig } from '../../../helpers/event-rig.ts';
import { post } from '../../../helpers/lookup.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const stack = useStack();
const ALICE = { id: 4100001, first_name: 'Alicia', last_name: 'Wonderly' };
const BOB = { id: 4100002, first_name: 'Bobby' };
const PHONE = '+15557654321';

const receiver = useEventReceiver();

const t0 = () => Math.floor(Date.now() / 1000) - 600;

/**
 * A rig where Bob shared Alice's card and its delivery failed (the receiver answers 503);
 * `failed`: the requests the receiver got meanwhile.
 */
async function failedShare() {
  const r = await eventRig(stack, receiver);
  receiver.answer = () => 503;
  await aliceSharedByBob(r);
  await r.drain();
  return { r, failed: receiver.requests.length };
}

/** Alice verifies her phone; Bob shares a card of her (by number alone unless `byId`). */
async function aliceSharedByBob(r: EventRig, byId = false) {
  const t = t0();
  await post(
    r.webhook,
    contactCard(ALICE, { phone_number: PHONE, first_name: 'Alicia', user_id: ALICE.id }, t, 51),
    contactCard(
      BOB,
      {
        phone_number: '+1 555 765 4321',
        first_name: 'Alicia',
        last_name: 'Wonderly',
        ...(byId ? { user_id: ALICE.id } : {}),
      },
      t + 60,
      52,
    ),
  );
}

/** Whether a delivered event holds anything of Alice. */
const aboutAlice = (r: EventRig) =>
  r
    .received()
    .filter((e) => e.type !== 'contact.erased')
    .filter((e) => /5557654321|Alicia|Wonderly|4100001/.test(JSON.stringify(e.data)));

describe('a contact card of a person erased since', () => {
  it.each([
    ['her phone number alone', false],
    ['her user id', true],
  ])('naming %s is not delivered after the erasure', async (_, byId) => {
    const r = await eventRig(stack, receiver);
    await aliceSharedByBob(r, byId);
    await r.erase(ALICE.id);
    await r.drain();
    expect(aboutAlice(r)).toEqual([]);
    expect(r.received().map((e) => e.type)).toContain('contact.erased');
  });

  it('is not delivered by a retry after the erasure when the first attempt failed', async () => {
    const { r, failed } = await failedShare();
    expect(r.received().map((e) => e.type)).toContain('contact.shared');
    await r.erase(ALICE.id);
    receiver.answer = () => 200;
    r.clock.ms += 3600_000;
    await r.drain();
    expect(aboutAlice({ ...r, received: () => r.received().slice(failed) })).toEqual([]);
  });

  it('is not delivered, and is deleted, when the erasure did not find it', async () => {
    const { r, failed } = await failedShare();
    // The event as it was before the erasure: written while the erasure ran, or not yet in
    // the index it queried.
    const shared = (await scanTable(r.store)).find(
      (item) => item.type === 'contact.shared' && String(item.sk).startsWith('OUTBOX#'),
    );
    const key = { pk: String(shared?.pk), sk: String(shared?.sk) };
    const get = () =>
      r.store.client.send(new GetCommand({ TableName: r.store.tableName, Key: key }));
    const { Item: before } = await get();
    expect(before?.pk).toBe(`USER#${BOB.id}`);
    await r.erase(ALICE.id);
    await r.store.client.send(new PutCommand({ TableName: r.store.tableName, Item: before }));
    receiver.answer = () => 200;
    r.clock.ms += 3600_000;
    await r.drain();
    expect(aboutAlice({ ...r, received: () => r.received().slice(failed) })).toEqual([]);
    expect((await get()).Item).toBeUndefined();
  });
});
