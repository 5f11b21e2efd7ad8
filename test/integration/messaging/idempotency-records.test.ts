/**
 * The idempotency module reads the records written before it (a deployed table holds them
 * for their remaining 24 h), and a broadcast's record names no person.
 */
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  broadcastIdempotencyItemKey,
  claimKey,
  idempotencyItemKey,
  LEASE_MS,
} from '../../../lib/messaging/store/idempotency.ts';
import { startTestStore, type TestStore } from '../../helpers/store.ts';

let root: TestStore;
let store: TestStore;
beforeAll(async () => {
  root = await startTestStore();
});
afterAll(() => root.close());
beforeEach(async () => {
  store = await root.freshTable();
});

const now = Date.now();
const seconds = Math.floor(now / 1000);
const put = (item: Record<string, unknown>) =>
  store.client.send(new PutCommand({ TableName: store.tableName, Item: item }));

describe('records written before the one module', () => {
  const dm = idempotencyItemKey('key1', 'client-key');
  const old = {
    requestHash: 'h',
    token: 't',
    createdAt: seconds - 10,
    expiresAt: seconds + 86_000,
  };

  it('reads a direct message `sending` as pending: in progress, then unknown after its lease', async () => {
    await put({ ...dm, ...old, state: 'sending' });
    expect(await claimKey(store, dm, 'h', { now, expired: 'unknown' })).toEqual({
      kind: 'in-progress',
    });
    const later = await claimKey(store, dm, 'h', { now: now + LEASE_MS, expired: 'unknown' });
    expect(later).toEqual({ kind: 'unknown', createdAt: seconds - 10 });
  });

  it('replays a direct message `done`, frees a `released` one', async () => {
    const answer = { status: 201, body: { messageId: 1, chatId: 5, sentAt: 'x' } };
    await put({ ...dm, ...old, state: 'done', answer });
    expect(await claimKey(store, dm, 'h', { now, expired: 'unknown' })).toEqual({
      kind: 'done',
      answer,
      createdAt: seconds - 10,
    });
    await put({ ...dm, ...old, state: 'released' });
    expect((await claimKey(store, dm, 'h', { now, expired: 'unknown' })).kind).toBe('claimed');
  });

  it('reads a broadcast `done` as its broadcast, and takes over a `processing` past its lease', async () => {
    const key = broadcastIdempotencyItemKey('key1', 'client-key');
    const record = { ...key, requestHash: 'h', token: 't', expiresAt: seconds + 86_000 };
    await put({ ...record, state: 'done', broadcastId: 'b1', total: 3 });
    expect(await claimKey(store, key, 'h', { now, expired: 'take-over' })).toMatchObject({
      kind: 'done',
      answer: { status: 202, body: { broadcastId: 'b1', total: 3 } },
    });
    await put({ ...record, state: 'processing', leaseUntil: now + 1000 });
    expect((await claimKey(store, key, 'h', { now, expired: 'take-over' })).kind).toBe(
      'in-progress',
    );
    const later = await claimKey(store, key, 'h', { now: now + 2000, expired: 'take-over' });
    expect(later.kind).toBe('claimed');
  });
});

describe('a broadcast idempotency record', () => {
  it('holds hashes and the broadcast id only, never a recipient', async () => {
    const { createTestLookup } = await import('../../helpers/lookup.ts');
    const lookup = await createTestLookup({ store, botApiUrl: 'http://127.0.0.1:9' });
    const created = await lookup.call({
      method: 'POST',
      path: '/v1/broadcasts',
      key: lookup.adminKey,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'b-key' },
      body: JSON.stringify({ text: 'hi', audience: { userIds: [770001, 770002] } }),
    });
    expect(created.status).toBe(202);
    const { Items = [] } = await store.client.send(new ScanCommand({ TableName: store.tableName }));
    const records = Items.filter((i) => String(i.pk).startsWith('BROADCAST#IDEM#'));
    expect(records).toHaveLength(1);
    const text = JSON.stringify(records[0]);
    expect(text).not.toMatch(/77000[12]/);
    expect(records[0]).not.toHaveProperty('gsi2pk');
    expect(records[0]).toMatchObject({ state: 'done', answer: { body: { total: 0 } } });
  });
});
