/**
 * A direct message whose key is claimed while its recipient's erasure runs (the claim lands
 * after the erasure looked for her references): the send answers 404, sends nothing, and the
 * key's released record holds no reference to her (nor anything else of her).
 */
import { describe, expect, it } from 'vitest';
import { privateMessage, sends } from '../../../helpers/broadcasts.ts';
import { scanTable, tracesOf } from '../../../helpers/erasure-scan.ts';
import { eraseContact, post } from '../../../helpers/lookup.ts';
import { gatedClient, nowSeconds } from '../../../helpers/recorder-rig.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';
import type { TestStore } from '../../../helpers/store.ts';

const stack = useStack();

const ALICE_ID = 7_001_001;
const alice = { id: ALICE_ID, first_name: 'Alicia', last_name: 'Quartermain' };

describe('a direct message racing her erasure', () => {
  it('leaves no record naming her when its key was claimed while the erasure ran', async () => {
    stack.botApi.reset();
    const { store, webhook, lookup: api } = await stack.handlers();
    await post(webhook, privateMessage(alice, nowSeconds() - 600, '/start'));
    const gated = gatedClient((store as TestStore).endpoint);
    const racing = await stack.lookup({ store, client: gated.client });
    // The claim of the key is held until the erasure has looked for her references.
    const claim = gated.hold(
      (command, input) => /^Put/.test(command) && input.includes('IDEMPOTENCY#'),
    );
    const sending = racing.call({
      method: 'POST',
      path: `/v1/contacts/${ALICE_ID}/messages`,
      key: racing.adminKey,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'order-44' },
      body: JSON.stringify({ text: 'Your order shipped' }),
    });
    await claim.reached;
    await eraseContact(api, ALICE_ID);
    claim.release();
    const answer = await sending;
    expect(answer.status, answer.raw).toBe(404);
    expect(sends(stack.botApi)).toHaveLength(0);

    expect(
      await tracesOf(store, { id: ALICE_ID, names: ['Alicia', 'Quartermain'], phones: [] }),
    ).toEqual([]);
    const records = (await scanTable(store)).filter((item) =>
      String(item.pk).startsWith('IDEMPOTENCY#'),
    );
    expect(records).toHaveLength(1);
    expect(records[0]).not.toHaveProperty('gsi2pk');
    expect(records[0]).not.toHaveProperty('refAt');
  });
});
