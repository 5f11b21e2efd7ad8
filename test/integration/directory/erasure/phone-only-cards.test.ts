/**
 * Contact cards that carry only a phone number (no Telegram user id) after the erasure of the
 * person who verified that number: one sent before the erasure is not kept however late it is
 * recorded (a redelivery after the erasure, or a first delivery that failed until then), one
 * sent after it is; the erasure keeps the number only as a keyed hash (phone-floor.ts).
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../lib/config.ts';
import { eraseUser } from '../../../../lib/directory/erasure/erasure.ts';
import { phoneHash } from '../../../../lib/directory/erasure/phone-floor.ts';
import { storeFromConfig } from '../../../../lib/store/client.ts';
import { loadUpdate } from '../../../fixtures/updates.ts';
import { scanTable, tracesOf } from '../../../helpers/erasure-scan.ts';
import { ALICE, BOB } from '../../../helpers/lookup.ts';
import { createRig, nowSeconds, ownContact, record } from '../../../helpers/recorder-rig.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const stack = useStack();
const PHONE = '+15551234567';
const alice = { id: ALICE, names: ['Alice', 'Smith'], usernames: ['Alice_Smith'], phones: [PHONE] };

/** Bob, in his chat with the bot, shares a card of Alice's number without her user id. */
function phoneOnlyCard(date: number) {
  const update = loadUpdate('contact-other') as {
    message: { date: number; from: object; chat: object; contact: object };
  };
  const bob = { id: BOB, is_bot: false, first_name: 'Bob', username: 'bob_jones' };
  update.message.from = bob;
  update.message.chat = { ...bob, type: 'private' };
  update.message.date = date;
  update.message.contact = { phone_number: '15551234567', first_name: 'Alice', last_name: 'Smith' };
  return update;
}

const cardsOf = async (store: Parameters<typeof scanTable>[0]) =>
  (await scanTable(store)).filter(
    (item) =>
      item.pk === `USER#${BOB}` &&
      (String(item.sk).startsWith('SHARED#') || item.type === 'contact.shared'),
  );

describe('a contact card carrying only an erased person’s phone number', () => {
  it('is not kept when redelivered after the erasure (recorded before it, answer lost)', async () => {
    const store = await stack.freshTable();
    const t = nowSeconds() - 600;
    await record(store, ownContact(t), t);
    const card = phoneOnlyCard(t + 5);
    await record(store, card, t + 5);
    await eraseUser(store, ALICE, t + 10);

    // Telegram never heard the first answer: the same update again, after the erasure.
    await record(store, card, t + 20);

    expect(await tracesOf(store, alice)).toEqual([]);
    expect(await cardsOf(store)).toEqual([]);
  });

  it('is not kept when first recorded after the erasure, dated before it', async () => {
    const store = await stack.freshTable();
    const t = nowSeconds() - 600;
    await record(store, ownContact(t), t);
    await eraseUser(store, ALICE, t + 10);

    await record(store, phoneOnlyCard(t + 5), t + 30);

    expect(await tracesOf(store, alice)).toEqual([]);
  });

  it('is kept when shared after the erasure, also after an earlier card of the number', async () => {
    const store = await stack.freshTable();
    const t = nowSeconds() - 600;
    await record(store, ownContact(t), t);
    await record(store, phoneOnlyCard(t + 5), t + 5);
    await eraseUser(store, ALICE, t + 10);

    await record(store, phoneOnlyCard(t + 40), t + 40);

    // The new card and its event (the earlier card's event is the erasure's to end).
    const cards = await cardsOf(store);
    expect(cards).toContainEqual(
      expect.objectContaining({ sk: expect.stringMatching(/^SHARED#/), phoneNumber: PHONE }),
    );
    expect(cards).toContainEqual(expect.objectContaining({ type: 'contact.shared', at: t + 40 }));
    const entry = cards.find((item) => String(item.sk).startsWith('SHARED#'));
    expect(entry?.sharedAt).toBe(new Date((t + 40) * 1000).toISOString());
  });

  it('is refused through the real handlers after DELETE /v1/contacts/{id}', async () => {
    const rig = await createRig(stack);
    const t = nowSeconds() - 600;
    expect(await rig.deliver(ownContact(t))).toBe(200);
    const card = phoneOnlyCard(t + 5);
    // The card is recorded, but Telegram hears a failure: it will deliver it again.
    await rig.deliver(card, 0);
    expect((await cardsOf(rig.store)).length).toBeGreaterThan(0);
    expect(await rig.erase(ALICE)).toBe(204);

    expect(await rig.deliver(card)).toBe(200);

    expect(await tracesOf(rig.store, alice)).toEqual([]);
  });

  it('leaves the number only as a keyed hash, under a key derived from the bot token', async () => {
    const store = await stack.freshTable();
    const t = nowSeconds() - 600;
    await record(store, ownContact(t), t);
    await eraseUser(store, ALICE, t + 10);

    const floors = (await scanTable(store)).filter((item) =>
      String(item.pk).startsWith('PHONEFLOOR#'),
    );
    expect(floors).toEqual([
      {
        pk: `PHONEFLOOR#${phoneHash(store, PHONE)}`,
        sk: 'FLOOR',
        floor: t + 11,
        expiresAt: expect.any(Number),
      },
    ]);
    const config = loadConfig({});
    const keyed = (botToken?: string) => storeFromConfig(config, { botToken }).phoneKey;
    expect(keyed('1:a')).toBe(keyed('1:a'));
    expect(keyed('1:a')).not.toBe(keyed('1:b'));
    expect(keyed(undefined)).toBeUndefined();
    expect(phoneHash({ ...store, phoneKey: keyed('1:a') }, PHONE)).not.toBe(
      phoneHash(store, PHONE),
    );
  });
});
