/**
 * contact.created after an erasure (found by the recorder simulation's outbox check, seed 1:
 * "0 contact.created since <floor>, expected 1"). An erasure leaves the user's gate months as
 * tombstones (erasure.ts): the first update after it writes into a tombstone, not into a new
 * item, and must still tell subscribers the contact is new, once, on a redelivery too.
 */
import { describe, expect, it } from 'vitest';
import { eraseUser } from '../../../lib/directory/erasure/erasure.ts';
import { ALICE } from '../../helpers/lookup.ts';
import { message, nowSeconds, record, SUPERGROUP, scan } from '../../helpers/recorder-rig.ts';
import { useStack } from '../../helpers/stack-fixture.ts';

const stack = useStack();

const createdOf = async (store: Parameters<typeof scan>[0], user: number) =>
  (await scan(store)).filter(
    (item) =>
      String(item.sk).startsWith('OUTBOX#') &&
      item.type === 'contact.created' &&
      item.userId === user,
  );

describe('contact.created', () => {
  it('is told again, once, for a contact who writes after being erased', async () => {
    const store = await stack.freshTable();
    const t = nowSeconds() - 600;
    await record(store, message(SUPERGROUP, t), t);
    expect((await createdOf(store, ALICE)).map((i) => i.at)).toEqual([t]);

    await eraseUser(store, ALICE, t + 10);
    expect(await createdOf(store, ALICE)).toEqual([]);

    const again = message(SUPERGROUP, t + 20);
    await record(store, again, t + 20);
    expect((await createdOf(store, ALICE)).map((i) => i.at)).toEqual([t + 20]);
    await record(store, again, t + 21); // a redelivery
    await record(store, message(SUPERGROUP, t + 30), t + 30);
    expect((await createdOf(store, ALICE)).map((i) => i.at)).toEqual([t + 20]);
  });
});
