/**
 * The recorder through failed deliveries and redeliveries, through the real webhook and
 * lookup handlers: messages counted once, erasures final, no index entry left after an
 * erasure, a member who left not brought back by a late message, migration counts kept, a
 * user erased through the API starting afresh, lastSeenAt never moving back. A "failed
 * delivery" lets a store call land and then fails it, as a timeout after the store did the
 * work looks; the webhook answers 5xx and the test redelivers, as Telegram does.
 */
import { describe, expect, it } from 'vitest';
import { loadUpdate } from '../../../fixtures/updates.ts';
import { webhookEvent } from '../../../helpers/events.ts';
import { ALICE } from '../../../helpers/lookup.ts';
import {
  ALICE_PROFILE,
  aliceLeftovers,
  createRig,
  message,
  nowSeconds,
  OLD_GROUP,
  ownContact,
  SUPERGROUP,
} from '../../../helpers/recorder-rig.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const stack = useStack();

describe('the recorder under failed deliveries and redeliveries', () => {
  it('counts 80 messages once each when every first delivery failed after its writes, and a migration copies them once', async () => {
    const r = await createRig(stack);
    const base = nowSeconds() - 3600;
    for (let i = 0; i < 80; i++) {
      const update = message(OLD_GROUP, base + i);
      expect(await r.deliver(update, 2)).toBe(500);
      expect(await r.deliver(update)).toBe(200);
    }
    for (const name of ['migrate-to-chat', 'migrate-from-chat', 'migrate-to-chat']) {
      const update = loadUpdate(name) as { message: { date: number } };
      update.message.date = base + 100;
      expect(await r.deliver(update, 1)).toBe(500);
      expect(await r.deliver(update)).toBe(200);
    }
    const contact = await r.api.call({ path: `/v1/contacts/${ALICE}` });
    expect(contact.body.messageCount).toBe(80);
    expect((await r.api.call({ path: `/v1/chats/${SUPERGROUP}` })).body.messageCount).toBe(80);
    const member = await r.api.call({ path: `/v1/contacts/${ALICE}/chats/${SUPERGROUP}` });
    expect(member.body).toMatchObject({ messageCount: 80, isMember: true });
    const chats = await r.api.call({ path: `/v1/contacts/${ALICE}/chats` });
    expect(chats.body.items.map((m: { chatId: number }) => m.chatId)).toEqual([SUPERGROUP]);
  });

  it('keeps an erasure final when an update that failed before it is redelivered after it, to another instance', async () => {
    const r = await createRig(stack);
    const update = ownContact(nowSeconds() - 60);
    expect(await r.deliver(update, 0)).toBe(500);
    expect(await r.erase(ALICE)).toBe(204);
    expect((await r.other(webhookEvent(update))).statusCode).toBe(200);
    expect((await r.api.call({ path: `/v1/contacts/${ALICE}` })).status).toBe(404);
    const byPhone = await r.api.call({ path: '/v1/contacts', query: { phone: '+15551234567' } });
    expect(byPhone.body.items).toEqual([]);
    expect(await aliceLeftovers(r.store)).toEqual([]);
  });

  it('leaves no username or phone index entry after erasure, even for concurrent username changes', async () => {
    const r = await createRig(stack);
    const date = nowSeconds() - 120;
    await Promise.all([
      r.webhook(
        webhookEvent(message(SUPERGROUP, date, { ...ALICE_PROFILE, username: 'alice_old' })),
      ),
      r.other(webhookEvent(message(-100300400, date, { ...ALICE_PROFILE, username: 'alice_new' }))),
      r.webhook(webhookEvent(ownContact(date))),
    ]);
    const found = await r.api.call({ path: '/v1/contacts', query: { phone: '+15551234567' } });
    expect(found.body.items).toHaveLength(1);
    expect(await r.erase(ALICE)).toBe(204);
    expect(await aliceLeftovers(r.store)).toEqual([]);
    for (const username of ['alice_old', 'alice_new']) {
      const list = await r.api.call({ path: '/v1/contacts', query: { username } });
      expect(list.body.items).toEqual([]);
    }
  });

  it('never turns a member who left back into one with a late message dated before the leave', async () => {
    const r = await createRig(stack);
    const date = nowSeconds() - 600;
    const late = message(SUPERGROUP, date);
    expect(await r.deliver(late, 0)).toBe(500);
    const leave = loadUpdate('chat-member-restricted') as {
      chat_member: {
        date: number;
        new_chat_member: Record<string, unknown>;
        old_chat_member: Record<string, unknown>;
      };
    };
    leave.chat_member.date = date + 300;
    leave.chat_member.old_chat_member = { user: ALICE_PROFILE, status: 'member' };
    leave.chat_member.new_chat_member = {
      user: { is_bot: false, ...ALICE_PROFILE },
      status: 'left',
    };
    expect(await r.deliver(leave)).toBe(200);
    expect(await r.deliver(late)).toBe(200);
    const member = await r.api.call({ path: `/v1/contacts/${ALICE}/chats/${SUPERGROUP}` });
    expect(member.body).toMatchObject({ status: 'left', isMember: false, messageCount: 1 });
  });

  it.each([
    ['migrate_to first', ['migrate-to-chat', 'between', 'migrate-from-chat']],
    ['migrate_from first', ['migrate-from-chat', 'between', 'migrate-to-chat']],
  ])(
    'keeps the count of a message sent between the two migration updates (%s)',
    async (_, order) => {
      const r = await createRig(stack);
      const date = nowSeconds() - 900;
      expect(await r.deliver(message(OLD_GROUP, date))).toBe(200);
      expect(await r.deliver(message(OLD_GROUP, date + 1))).toBe(200);
      for (const step of order) {
        const update =
          step === 'between'
            ? message(SUPERGROUP, date + 3)
            : (loadUpdate(step) as { message: { date: number } });
        if (step !== 'between') (update as { message: { date: number } }).message.date = date + 2;
        expect(await r.deliver(update)).toBe(200);
      }
      const member = await r.api.call({ path: `/v1/contacts/${ALICE}/chats/${SUPERGROUP}` });
      expect(member.body.messageCount).toBe(3);
      expect((await r.api.call({ path: `/v1/chats/${SUPERGROUP}` })).body).toMatchObject({
        type: 'supergroup',
        messageCount: 3,
      });
      expect((await r.api.call({ path: `/v1/contacts/${ALICE}` })).body.messageCount).toBe(3);
    },
  );

  it('gives a user erased through the API a profile with their first counter when they write again, on any instance', async () => {
    const r = await createRig(stack);
    expect(await r.deliver(message(SUPERGROUP, nowSeconds() - 30))).toBe(200);
    expect(await r.erase(ALICE)).toBe(204);
    expect(await r.deliver(message(SUPERGROUP, nowSeconds() + 2))).toBe(200);
    const contact = await r.api.call({ path: `/v1/contacts/${ALICE}` });
    expect(contact.body).toMatchObject({
      firstName: 'Alice',
      username: 'Alice_Smith',
      messageCount: 1,
    });
    const member = await r.api.call({ path: `/v1/contacts/${ALICE}/chats/${SUPERGROUP}` });
    expect(member.body.messageCount).toBe(1);
  });

  it('never moves lastSeenAt back when an older update of another queue arrives after a newer one', async () => {
    const r = await createRig(stack);
    const date = nowSeconds() - 3000;
    expect(await r.deliver(message(SUPERGROUP, date + 100))).toBe(200);
    expect(await r.deliver(message(-100300400, date))).toBe(200);
    const contact = await r.api.call({ path: `/v1/contacts/${ALICE}` });
    expect(contact.body.lastSeenAt).toBe(new Date((date + 100) * 1000).toISOString());
    expect(contact.body.firstSeenAt <= contact.body.lastSeenAt).toBe(true);
  });
});
