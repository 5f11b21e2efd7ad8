/**
 * The whole-table scan that proves an erasure (test/helpers/erasure-scan.ts): it finds a
 * person's id, names, username and phone wherever they are kept, and nothing once the
 * directory has erased them.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { eraseUser } from '../../../../lib/directory/erasure/erasure.ts';
import { tracesOf } from '../../../helpers/erasure-scan.ts';
import { ALICE } from '../../../helpers/lookup.ts';
import {
  message,
  nowSeconds,
  ownContact,
  record,
  SUPERGROUP,
} from '../../../helpers/recorder-rig.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const stack = useStack();
const alice = {
  id: ALICE,
  names: ['Alice', 'Smith'],
  usernames: ['Alice_Smith'],
  phones: ['+15551234567'],
};

describe('the erasure scan', () => {
  it('finds a recorded person everywhere before the erasure, and nothing after it', async () => {
    const store = await stack.freshTable();
    const t = nowSeconds() - 600;
    await record(store, message(SUPERGROUP, t), t);
    await record(store, ownContact(t + 1), t + 1);
    const before = await tracesOf(store, alice);
    expect(new Set(before.map((trace) => trace.what))).toEqual(
      new Set(['id', 'name', 'username', 'phone']),
    );

    await eraseUser(store, ALICE, t + 10);
    expect(await tracesOf(store, alice)).toEqual([]);
  });

  it('finds a copy kept in another partition, by id, phone or name', async () => {
    const store = await stack.freshTable();
    const copies = [
      { pk: 'SUB#s1', sk: 'DELIVERY#e1', eventPk: `USER#${ALICE}` },
      { pk: 'USER#2002002', sk: 'OUTBOX#e2', data: { shared: { phoneNumber: '+1 555 123 4567' } } },
      { pk: 'BROADCAST#b1', sk: 'R#x', note: 'to alice smith' },
      { pk: 'IDEMPOTENCY#k', sk: 'IDEMPOTENCY', chatId: ALICE },
    ];
    for (const Item of copies)
      await store.client.send(new PutCommand({ TableName: store.tableName, Item }));
    const found = await tracesOf(store, alice);
    expect(found.map((trace) => [trace.pk, trace.what]).sort()).toEqual([
      ['BROADCAST#b1', 'name'],
      ['IDEMPOTENCY#k', 'id'],
      ['SUB#s1', 'id'],
      ['USER#2002002', 'phone'],
    ]);
  });
});
