/**
 * Red team of issue 12 (real-time events): interleavings and sequences that try to break the
 * outbox's exactly-once events and the dispatcher's at-least-once deliveries. Real store
 * (dynalite), real dispatcher, a recording `post` instead of the network; an interleaving is
 * pinned by holding one store call (recorder-rig.ts `gatedClient`).
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../lib/events/dispatcher.ts';
import { resumeDeliveries, stopSubscription } from '../../../lib/events/store/deliveries.ts';
import { enqueuePing } from '../../../lib/events/store/outbox.ts';
import { createSubscription, updateSubscription } from '../../../lib/events/store/subscriptions.ts';
import type { StoreContext } from '../../../lib/store/client.ts';
import { faultyClient } from '../../helpers/faults.ts';
import { ALICE, DAY0, groupMessage, post } from '../../helpers/lookup.ts';
import { gatedClient, message, record } from '../../helpers/recorder-rig.ts';
import { useStack } from '../../helpers/stack-fixture.ts';

const stack = useStack();

async function scanAll(store: StoreContext) {
  const { Items = [] } = await store.client.send(new ScanCommand({ TableName: store.tableName }));
  return Items;
}

/** A dispatcher on `store` whose posts always succeed and are recorded. */
function recordingDispatcher(store: StoreContext, now: () => number) {
  const posts: { url: string; headers: Record<string, string>; body: string }[] = [];
  const dispatcher = createDispatcher({
    store,
    post: async (request) => {
      posts.push(request);
      return { ok: true, httpStatus: 200 };
    },
    now,
    random: () => 0.5,
  });
  return { dispatcher, posts };
}

async function drain(dispatcher: ReturnType<typeof createDispatcher>) {
  for (let i = 0; i < 10; i++) {
    const { events, deliveries } = await dispatcher.sweep();
    if (events === 0 && deliveries === 0) return;
  }
}

/** A failing subscription and a gated view of the same table. */
async function failingSubscription() {
  const store = await stack.freshTable();
  const sub = await createSubscription(store, {
    url: 'https://receiver.example.com/hook',
    events: ['*'],
    description: '',
    includePhone: false,
  });
  const nowS = Math.floor(Date.now() / 1000);
  await stopSubscription(store, sub.id, 'failing', 'every delivery failed for 24 h', nowS);
  const gate = gatedClient(store.endpoint);
  const gated: StoreContext = { client: gate.client, tableName: store.tableName };
  /** What PATCH {"status":"active"} does (subscriptions-service.ts patchSubscription). */
  const reEnable = async () => {
    await updateSubscription(store, sub.id, { status: 'active' });
    await resumeDeliveries(store, sub.id, Math.floor(Date.now() / 1000));
  };
  return { store, gated, gate, sub, reEnable };
}

describe('a subscription re-enabled while the dispatcher parks its delivery', () => {
  it('fan-out: the delivery created parked after the re-enable resumed is still delivered', async () => {
    const { store, gated, gate, sub, reEnable } = await failingSubscription();
    await enqueuePing(store, sub.id);
    // The fan-out has read the subscription as failing; hold its parked delivery's Put.
    const held = gate.hold(
      (command, input) => command === 'PutItemCommand' && input.includes('"DELIVERY#'),
    );
    const { dispatcher, posts } = recordingDispatcher(gated, Date.now);
    const sweeping = dispatcher.sweep();
    await held.reached;
    await reEnable(); // PATCH: active, then resume the parked ones (none yet)
    held.release();
    await sweeping;
    await drain(dispatcher);
    expect(posts).toHaveLength(1);
  });

  it('attempt: a delivery parked after the re-enable resumed is still delivered', async () => {
    const { store, gated, gate, sub, reEnable } = await failingSubscription();
    // Created while the subscription was active (pending, due), then it became failing.
    await updateSubscription(store, sub.id, { status: 'active' });
    const { dispatcher: first } = recordingDispatcher(store, Date.now);
    await enqueuePing(store, sub.id);
    const pending = (await scanAll(store)).find((i) => String(i.sk).startsWith('OUTBOX#'));
    await first.fanOut({ pk: String(pending?.pk), sk: String(pending?.sk) });
    await stopSubscription(store, sub.id, 'failing', 'x', Math.floor(Date.now() / 1000));
    // The attempt has read the subscription as failing; hold its park.
    const held = gate.hold(
      (command, input) =>
        command === 'UpdateItemCommand' && input.includes('"DELIVERY#') && input.includes('parked'),
    );
    const { dispatcher, posts } = recordingDispatcher(gated, Date.now);
    const sweeping = dispatcher.sweep();
    await held.reached;
    await reEnable();
    held.release();
    await sweeping;
    await drain(dispatcher);
    expect(posts).toHaveLength(1);
  });
});

describe('contact.created across a month boundary', () => {
  const NOV = Date.UTC(2025, 10, 30, 23, 59) / 1000;
  const DEC = Date.UTC(2025, 11, 1, 0, 1) / 1000;
  const received = DEC + 10;
  const CHAT_A = -100200300;
  const CHAT_B = -100200301;

  const created = async (store: StoreContext) =>
    (await scanAll(store)).filter(
      (i) => String(i.sk).startsWith('OUTBOX#') && i.type === 'contact.created',
    );

  it('without a crash: one contact.created whatever the order', async () => {
    for (const order of [
      [CHAT_A, CHAT_B],
      [CHAT_B, CHAT_A],
    ]) {
      const store = await stack.freshTable();
      let id = 500;
      for (const chat of order) {
        const update = message(chat as number, chat === CHAT_A ? NOV : DEC);
        update.update_id = id++;
        await record(store, update, received);
      }
      expect(await created(store)).toHaveLength(1);
    }
  });

  it('a crash after the first month write, the next month recorded, then the redelivery: one contact.created', async () => {
    const store = await stack.freshTable();
    const november = message(CHAT_A, NOV);
    november.update_id = 700;
    const december = message(CHAT_B, DEC);
    december.update_id = 701;
    // November's first attempt: the round's three writes land, then the process dies (every
    // later call fails), before anything decides contact.created.
    const dying = faultyClient(store.endpoint, (_command, index) =>
      index >= 3 ? 'server' : undefined,
    );
    await expect(record({ ...store, client: dying.client }, november, received)).rejects.toThrow();
    expect(dying.calls.slice(0, 3)).toEqual(Array(3).fill('UpdateItemCommand'));
    // Another chat's queue records December's update; then Telegram redelivers November's.
    await record(store, december, received);
    await record(store, november, received + 5);
    const events = await created(store);
    expect(events).toHaveLength(1);
    // The creator is the update that first claimed the contact: December's, here.
    expect(events[0]?.at).toBe(DEC);
    // A redelivery of either changes nothing.
    await record(store, december, received + 9);
    await record(store, november, received + 9);
    expect(await created(store)).toHaveLength(1);
  });
});

describe('an erasure during the first attempt', () => {
  it('an erasure between the fan-out and the first attempt: the erased contact is not delivered', async () => {
    const { store, webhook, lookup } = await stack.handlers();
    const created = await lookup.call({
      method: 'POST',
      path: '/v1/subscriptions',
      key: lookup.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://receiver.example.com/hook', events: ['*'] }),
    });
    expect(created.status).toBe(201);
    await post(webhook, groupMessage({ id: ALICE, first_name: 'Alice' }, { date: DAY0 }));
    const { Items = [] } = await store.client.send(new ScanCommand({ TableName: store.tableName }));
    const event = Items.find((i) => i.type === 'contact.created');
    expect(event).toBeDefined();
    const gate = gatedClient(store.endpoint);
    const gated: StoreContext = { client: gate.client, tableName: store.tableName };
    const posts: string[] = [];
    const dispatcher = createDispatcher({
      store: gated,
      post: async (r) => {
        posts.push(r.body);
        return { ok: true, httpStatus: 200 };
      },
    });
    // The first attempt's claim, right after the fan-out read the event and found no erasure.
    const held = gate.hold(
      (command, input) =>
        command === 'UpdateItemCommand' && input.includes('"DELIVERY#') && input.includes('lease'),
    );
    const dispatching = dispatcher.dispatchEvents([
      { pk: String(event?.pk), sk: String(event?.sk) },
    ]);
    await held.reached;
    const erased = await lookup.call({
      method: 'DELETE',
      path: `/v1/contacts/${ALICE}`,
      key: lookup.adminKey,
    });
    expect(erased.status).toBe(204);
    held.release();
    await dispatching;
    expect(posts.filter((b) => b.includes('contact.created'))).toEqual([]);
  });
});
