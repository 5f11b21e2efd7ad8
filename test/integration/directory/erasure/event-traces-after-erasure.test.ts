/**
 * After an erasure the whole table holds nothing of the person in what subscriber events
 * leave behind: her events, the deliveries of them (delivered, waiting for a retry, or parked
 * for a stopped subscription), their attempt log, and other people's events naming her (a card
 * of her, a change she made as an admin). Real webhook, lookup API and dispatcher; the scan is
 * test/helpers/erasure-scan.ts.
 */
import { describe, expect, it } from 'vitest';
import { stopSubscription } from '../../../../lib/events/store/subscription-health.ts';
import { scanTable, tracesOf } from '../../../helpers/erasure-scan.ts';
import { useEventReceiver } from '../../../helpers/event-receiver.ts';
import { contactCard, eventRig } from '../../../helpers/event-rig.ts';
import { post } from '../../../helpers/lookup.ts';
import { chatMemberUpdate, chatMessage } from '../../../helpers/member-updates.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const stack = useStack();
const ALICE = { id: 4300001, first_name: 'Alicia', last_name: 'Wonderly', username: 'alicia_w' };
const BOB = { id: 4300002, first_name: 'Bobby' };
const DAVE = { id: 4300004, first_name: 'Davey' };
const CHAT = { id: -1004300100, type: 'supergroup' as const, title: 'Group' };
const PHONE = '+15557650001';
const alice = {
  id: ALICE.id,
  names: ['Alicia', 'Wonderly'],
  usernames: ['alicia_w'],
  phones: [PHONE],
};

const receiver = useEventReceiver();

describe('after an erasure, what events left behind', () => {
  it('holds nothing of her: events, deliveries in every state, the log, cards and actors', async () => {
    const r = await eventRig(stack, receiver);
    const t = Math.floor(Date.now() / 1000) - 900;
    // Delivered: her first message, her phone, a card of her by id and one by number.
    await post(
      r.webhook,
      chatMessage({ chat: CHAT, person: ALICE, date: t }),
      contactCard(
        ALICE,
        { phone_number: PHONE, first_name: 'Alicia', user_id: ALICE.id },
        t + 1,
        61,
      ),
      contactCard(
        DAVE,
        { phone_number: PHONE, first_name: 'Alicia', user_id: ALICE.id },
        t + 2,
        62,
      ),
      contactCard(
        BOB,
        { phone_number: PHONE, first_name: 'Alicia', last_name: 'Wonderly' },
        t + 3,
        63,
      ),
    );
    await r.drain();
    // Waiting for a retry: she adds Bob (an admin's act, in his partition) and is renamed.
    receiver.answer = () => 503;
    await post(
      r.webhook,
      chatMemberUpdate({
        chat: CHAT,
        actor: ALICE,
        member: BOB,
        from: 'left',
        to: 'member',
        date: t + 10,
      }),
      chatMessage({ chat: CHAT, person: { ...ALICE, first_name: 'Alicia2' }, date: t + 11 }),
    );
    await r.drain();
    // Parked: a subscription stopped before her last events.
    const second = await r.lookup.call({
      method: 'POST',
      path: '/v1/subscriptions',
      key: r.lookup.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, events: ['*'] }),
    });
    await stopSubscription(r.store, String(second.body.id), 'failing', 'test', t + 12);
    await post(r.webhook, chatMessage({ chat: CHAT, person: ALICE, date: t + 13 }));
    await r.drain();
    expect(await tracesOf(r.store, alice)).not.toEqual([]);
    const states = (await scanTable(r.store))
      .filter((item) => String(item.sk).startsWith('DELIVERY#'))
      .map((item) => item.status);
    expect(new Set(states)).toEqual(new Set(['delivered', 'pending', 'parked']));

    await r.erase(ALICE.id);
    receiver.answer = () => 200;
    r.clock.ms += 3600_000;
    await r.drain();
    expect(await tracesOf(r.store, alice)).toEqual([]);
  });
});
