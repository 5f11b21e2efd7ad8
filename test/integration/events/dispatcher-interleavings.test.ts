/**
 * The dispatcher's at-least-once deliveries under interleavings: a delivery parked while its
 * subscription is re-enabled is still delivered, and an erasure between the fan-out and the
 * first attempt keeps the erased contact from being delivered. Real store (dynalite), real
 * dispatcher, a recording `post` instead of the network; an interleaving is pinned by holding
 * one store call (recorder-rig.ts `gatedClient`).
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../lib/events/dispatcher.ts';
import { resumeDeliveries } from '../../../lib/events/store/deliveries.ts';
import { enqueuePing } from '../../../lib/events/store/outbox.ts';
import { stopSubscription } from '../../../lib/events/store/subscription-health.ts';
import { createSubscription, updateSubscription } from '../../../lib/events/store/subscriptions.ts';
import type { StoreContext } from '../../../lib/store/client.ts';
import { ALICE, DAY0, eraseContact, groupMessage, post } from '../../helpers/lookup.ts';
import { gatedClient } from '../../helpers/recorder-rig.ts';
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
    await eraseContact(lookup, ALICE);
    held.release();
    await dispatching;
    expect(posts.filter((b) => b.includes('contact.created'))).toEqual([]);
  });
});
