/**
 * An erasure removes a person's past, not their future: what she does after coming back (a
 * verified phone, cards others keep of her, an act as an admin, a direct message, a broadcast
 * recipient) stays through the first erasure and goes with the next one; and an idempotent
 * broadcast retried after she came back is not sent again.
 */
import { describe, expect, it } from 'vitest';
import { privateMessage, sends, testSender } from '../../../helpers/broadcasts.ts';
import { tracesOf } from '../../../helpers/erasure-scan.ts';
import { contactCard } from '../../../helpers/event-rig.ts';
import { eraseContact, post } from '../../../helpers/lookup.ts';
import { chatMemberUpdate } from '../../../helpers/member-updates.ts';
import { nowSeconds } from '../../../helpers/recorder-rig.ts';
import { useStack, useWriter } from '../../../helpers/stack-fixture.ts';

const stack = useStack();
const JSON_TYPE = { 'content-type': 'application/json' };

const ALICE_ID = 7_001_001;
const BOB_ID = 7_002_002;
const PHONE = '+15557654321';
const alice = { id: ALICE_ID, first_name: 'Alicia', last_name: 'Quartermain' };
const bob = { id: BOB_ID, first_name: 'Bobby' };
const aliceTraces = { id: ALICE_ID, names: ['Alicia', 'Quartermain'], phones: [PHONE] };

const rig = useWriter(stack, 'sender');

describe('a person who comes back after an erasure', () => {
  const CAROL = { id: 7_003_003, first_name: 'Carolyn' };
  const chat = { id: -1_007_003_000, type: 'supergroup' as const, title: 'Group' };
  const digits = PHONE.slice(1);

  const erase = () => eraseContact(rig.api, ALICE_ID);

  /** Everything of her new life: her phone, cards of her, an act as admin, a DM, a broadcast. */
  async function newLife(from: number) {
    await post(
      rig.webhook,
      privateMessage(alice, from, '/start'),
      contactCard(
        alice,
        { phone_number: digits, first_name: 'Alicia', user_id: ALICE_ID },
        from + 1,
        9_400_001,
      ),
      contactCard(
        bob,
        { phone_number: digits, first_name: 'Alicia', user_id: ALICE_ID },
        from + 2,
        9_400_002,
      ),
      contactCard(bob, { phone_number: digits, first_name: 'Alicia' }, from + 3, 9_400_003),
      chatMemberUpdate({
        chat,
        actor: alice,
        member: CAROL,
        from: 'left',
        to: 'member',
        date: from + 4,
      }),
    );
    const dm = await rig.api.call({
      method: 'POST',
      path: `/v1/contacts/${ALICE_ID}/messages`,
      key: rig.writeKey,
      headers: { ...JSON_TYPE, 'idempotency-key': 'new-life' },
      body: JSON.stringify({ text: 'Welcome back' }),
    });
    expect(dm.status, dm.raw).toBe(201);
    const broadcast = await rig.api.call({
      method: 'POST',
      path: '/v1/broadcasts',
      key: rig.writeKey,
      headers: JSON_TYPE,
      body: JSON.stringify({ text: 'News', audience: { userIds: [ALICE_ID] } }),
    });
    expect(broadcast.status, broadcast.raw).toBe(202);
  }

  it('keeps all of her new life through the first erasure, and loses it to a second', async () => {
    const t = nowSeconds() - 600;
    await post(rig.webhook, privateMessage(alice, t, '/start'));
    await erase();
    const before = (await tracesOf(rig.store, aliceTraces)).length;
    expect(before).toBe(0);
    await newLife(nowSeconds() + 2);
    const kept = await tracesOf(rig.store, aliceTraces);
    // Her new life is stored, also in others' items (Bob's cards, Carol's event, the DM key,
    // the broadcast recipient): the first erasure removed none of it.
    const where = new Set(kept.map((trace) => trace.pk.replace(/#.*$/, '')));
    expect(where).toEqual(new Set(['USER', 'IDEMPOTENCY', 'BROADCAST']));
    expect(kept.some((trace) => trace.pk === `USER#${CAROL.id}`)).toBe(true);
    expect(kept.some((trace) => trace.pk === `USER#${BOB_ID}`)).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    await erase();
    expect(await tracesOf(rig.store, aliceTraces)).toEqual([]);
  });
});

describe('a broadcast under one Idempotency-Key', () => {
  it('is not created or sent again when retried after she was erased and came back', async () => {
    const t = nowSeconds() - 600;
    await post(rig.webhook, privateMessage(alice, t, '/start'));
    const create = () =>
      rig.api.call({
        method: 'POST',
        path: '/v1/broadcasts',
        key: rig.writeKey,
        headers: { ...JSON_TYPE, 'idempotency-key': 'news-1' },
        body: JSON.stringify({ text: 'News', audience: { userIds: [ALICE_ID] } }),
      });
    const first = await create();
    expect(first.status, first.raw).toBe(202);
    await testSender(rig.store, stack.botApi).run(3000);
    expect(sends(stack.botApi)).toHaveLength(1);
    await eraseContact(rig.api, ALICE_ID);
    await post(rig.webhook, privateMessage(alice, nowSeconds() + 5, '/start'));

    const again = await create();
    expect(again.status, again.raw).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    await testSender(rig.store, stack.botApi).run(3000);
    expect(sends(stack.botApi)).toHaveLength(1);
  });
});
