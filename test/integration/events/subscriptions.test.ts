/**
 * lib/events/store/subscriptions.ts (and its lists and health marks) on the embedded store, as the dispatcher uses it: every active
 * subscription with its secret, health marks, and what deleting leaves behind.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { markSubscription } from '../../../lib/events/store/subscription-health.ts';
import {
  countSubscriptions,
  listActiveSubscriptions,
  listSubscriptions,
} from '../../../lib/events/store/subscription-lists.ts';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  getSubscriptionWithSecret,
  type NewSubscription,
  updateSubscription,
} from '../../../lib/events/store/subscriptions.ts';
import { deliveryKey, subscriptionKey } from '../../../lib/store/service-keys.ts';
import { useStack } from '../../helpers/stack-fixture.ts';
import type { TestStore } from '../../helpers/store.ts';

const stack = useStack();
let store: TestStore;

beforeEach(async () => {
  store = await stack.freshTable();
});

const NEW: NewSubscription = {
  url: 'https://hooks.example.com/in',
  events: ['member.joined'],
  description: '',
  includePhone: false,
};

/** A clock that says `iso` (milliseconds). */
const at = (iso: string) => () => Date.parse(iso);

async function itemOf(id: string) {
  const { Item } = await store.client.send(
    new GetCommand({ TableName: store.tableName, Key: subscriptionKey(id) }),
  );
  return Item;
}

describe('createSubscription', () => {
  it('makes a new id and secret each time', async () => {
    const a = await createSubscription(store, NEW);
    const b = await createSubscription(store, NEW);
    expect(a.id).toMatch(/^sub_[0-9a-f]{20}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.secret).toMatch(/^whsec_/);
    expect(a.secret).not.toBe(b.secret);
    expect(await countSubscriptions(store)).toBe(2);
  });
});

describe('getSubscription and getSubscriptionWithSecret', () => {
  it('keeps the secret out of getSubscription, and gives it to the dispatcher', async () => {
    const made = await createSubscription(store, NEW);
    const plain = await getSubscription(store, made.id);
    expect(plain).not.toHaveProperty('secret');
    const { secret, ...rest } = made;
    expect(plain).toEqual(rest);
    expect(await getSubscriptionWithSecret(store, made.id)).toEqual(made);
  });

  it('answers null for an unknown or malformed id without reading another key', async () => {
    expect(await getSubscription(store, 'sub_0123456789abcdef0123')).toBeNull();
    expect(await getSubscriptionWithSecret(store, 'x#SUB')).toBeNull();
  });
});

describe('listSubscriptions', () => {
  it('pages newest first by creation time', async () => {
    const ids: string[] = [];
    for (const day of ['01', '03', '02']) {
      ids.push((await createSubscription(store, NEW, at(`2026-03-${day}T00:00:00Z`))).id);
    }
    const first = await listSubscriptions(store, { limit: 2 });
    expect(first.items.map((s) => s.id)).toEqual([ids[1], ids[2]]);
    expect(first.items[0]).not.toHaveProperty('secret');
    const second = await listSubscriptions(store, {
      limit: 2,
      ...(first.lastKey ? { startKey: first.lastKey } : {}),
    });
    expect(second.items.map((s) => s.id)).toEqual([ids[0]]);
  });
});

describe('listActiveSubscriptions', () => {
  it('gives every active subscription with its secret, oldest first, and none other', async () => {
    const old = await createSubscription(store, NEW, at('2026-03-01T00:00:00Z'));
    const failing = await createSubscription(store, NEW, at('2026-03-02T00:00:00Z'));
    const disabled = await createSubscription(store, NEW, at('2026-03-03T00:00:00Z'));
    const young = await createSubscription(
      store,
      { ...NEW, events: ['*'], includePhone: true },
      at('2026-03-04T00:00:00Z'),
    );
    await markSubscription(store, failing.id, {
      status: 'failing',
      statusReason: 'failing for 24 h',
    });
    await markSubscription(store, disabled.id, { status: 'disabled', statusReason: '410 Gone' });
    expect(await listActiveSubscriptions(store)).toEqual([old, young]);
  });

  it('is empty without subscriptions, and after the last one is deleted', async () => {
    expect(await listActiveSubscriptions(store)).toEqual([]);
    const made = await createSubscription(store, NEW);
    expect(await listActiveSubscriptions(store)).toEqual([made]);
    await deleteSubscription(store, made.id);
    expect(await listActiveSubscriptions(store)).toEqual([]);
  });
});

describe('markSubscription', () => {
  it('keeps the first failingSince, removes it with null, and the reason goes with the status', async () => {
    const made = await createSubscription(store, NEW);
    await markSubscription(store, made.id, { status: 'active', failingSince: 1_000 });
    const again = await markSubscription(store, made.id, { status: 'active', failingSince: 2_000 });
    expect(again).toMatchObject({ status: 'active', failingSince: 1_000 });
    const failing = await markSubscription(store, made.id, {
      status: 'failing',
      statusReason: 'failing for 24 h',
    });
    expect(failing).toMatchObject({
      status: 'failing',
      statusReason: 'failing for 24 h',
      failingSince: 1_000,
    });
    const healthy = await markSubscription(store, made.id, {
      status: 'active',
      failingSince: null,
    });
    expect(healthy?.status).toBe('active');
    expect(healthy).not.toHaveProperty('failingSince');
    expect(healthy).not.toHaveProperty('statusReason');
    expect((await itemOf(made.id))?.updatedAt).toBe(made.updatedAt);
  });

  it('creates nothing for a subscription that is gone', async () => {
    const made = await createSubscription(store, NEW);
    await deleteSubscription(store, made.id);
    expect(await markSubscription(store, made.id, { status: 'disabled' })).toBeNull();
    expect(await itemOf(made.id)).toBeUndefined();
  });
});

describe('updateSubscription', () => {
  it('re-enables: status active without failingSince and statusReason', async () => {
    const made = await createSubscription(store, NEW);
    await markSubscription(store, made.id, {
      status: 'disabled',
      statusReason: '410 Gone',
      failingSince: 5,
    });
    const updated = await updateSubscription(
      store,
      made.id,
      { status: 'active' },
      at('2030-01-01T00:00:00Z'),
    );
    expect(updated).toEqual({ ...made, secret: undefined, updatedAt: '2030-01-01T00:00:00.000Z' });
    const item = await itemOf(made.id);
    expect(item).not.toHaveProperty('failingSince');
    expect(item).not.toHaveProperty('statusReason');
  });

  it('creates nothing for an unknown id', async () => {
    expect(
      await updateSubscription(store, 'sub_0123456789abcdef0123', { description: 'x' }),
    ).toBeNull();
    expect(await itemOf('sub_0123456789abcdef0123')).toBeUndefined();
  });
});

describe('deleteSubscription', () => {
  it('deletes the subscription item and leaves its deliveries to expire', async () => {
    const made = await createSubscription(store, NEW);
    const delivery = { ...deliveryKey(made.id, 'evt_1'), expiresAt: 1 };
    await store.client.send(new PutCommand({ TableName: store.tableName, Item: delivery }));
    expect(await deleteSubscription(store, made.id)).toBe(true);
    expect(await deleteSubscription(store, made.id)).toBe(false);
    expect(await itemOf(made.id)).toBeUndefined();
    expect(await countSubscriptions(store)).toBe(0);
    const { Item } = await store.client.send(
      new GetCommand({ TableName: store.tableName, Key: deliveryKey(made.id, 'evt_1') }),
    );
    expect(Item).toEqual(delivery);
  });
});
