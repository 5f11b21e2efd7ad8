/**
 * An admin who is erased stops being named as the actor of other people's membership changes:
 * `actorId` is null in both event lists, in a `member.left` delivered after the erasure, and
 * in the bot's own join event, also when the erasure did not find the event (written while it
 * ran; a list that hides it then removes it from the stored event, which outlives her
 * tombstones). Real webhook, lookup API and dispatcher.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { scanTable, tracesOf } from '../../../helpers/erasure-scan.ts';
import { useEventReceiver } from '../../../helpers/event-receiver.ts';
import { type EventRig, eventRig } from '../../../helpers/event-rig.ts';
import { post } from '../../../helpers/lookup.ts';
import { BOT, chatMemberUpdate, myChatMemberUpdate } from '../../../helpers/member-updates.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const stack = useStack();
const CAROL = { id: 4200003, first_name: 'Carolyn', username: 'carolyn_admin' };
const BOB = { id: 4200002, first_name: 'Bobby' };
const CHAT = { id: -1004200100, type: 'supergroup' as const, title: 'Group' };

const receiver = useEventReceiver();

/** Carol adds the bot, then Bob, and (later) removes Bob. */
async function carolActs(r: EventRig, t: number, removal = true) {
  await post(
    r.webhook,
    myChatMemberUpdate({ chat: CHAT, actor: CAROL, from: 'left', to: 'administrator', date: t }),
    chatMemberUpdate({
      chat: CHAT,
      actor: CAROL,
      member: BOB,
      from: 'left',
      to: 'member',
      date: t + 10,
    }),
  );
  if (removal) {
    await post(
      r.webhook,
      chatMemberUpdate({
        chat: CHAT,
        actor: CAROL,
        member: BOB,
        from: 'member',
        to: 'kicked',
        date: t + 20,
      }),
    );
  }
}

async function listed(r: EventRig, path: string) {
  const page = await r.lookup.call({ path, key: r.lookup.adminKey });
  expect(page.status).toBe(200);
  return page.body.items as Record<string, unknown>[];
}

async function actorsListed(r: EventRig) {
  const chat = await listed(r, `/v1/chats/${CHAT.id}/events`);
  const bob = await listed(r, `/v1/contacts/${BOB.id}/events`);
  const bot = await listed(r, `/v1/contacts/${BOT.id}/events`);
  return {
    chat: chat.map((e) => e.actorId),
    bob: bob.map((e) => e.actorId),
    bot: bot.map((e) => e.actorId),
  };
}

describe('an erased actor', () => {
  it('is null in the chat, member and bot event lists', async () => {
    const r = await eventRig(stack, receiver);
    await carolActs(r, Math.floor(Date.now() / 1000) - 600);
    expect(await actorsListed(r)).toEqual({
      chat: [CAROL.id, CAROL.id, CAROL.id],
      bob: [CAROL.id, CAROL.id],
      bot: [CAROL.id],
    });
    await r.erase(CAROL.id);
    expect(await actorsListed(r)).toEqual({
      chat: [null, null, null],
      bob: [null, null],
      bot: [null],
    });
  });

  it('is null in a member.left delivered after the erasure', async () => {
    const r = await eventRig(stack, receiver);
    receiver.answer = () => 503;
    await carolActs(r, Math.floor(Date.now() / 1000) - 600);
    await r.drain();
    const failed = receiver.requests.length;
    await r.erase(CAROL.id);
    receiver.answer = () => 200;
    r.clock.ms += 3600_000;
    await r.drain();
    const left = r
      .received()
      .slice(failed)
      .filter((e) => e.type === 'member.left');
    expect(left).toHaveLength(1);
    expect(left[0]?.data.actorId).toBeNull();
    expect(left[0]?.data.userId).toBe(BOB.id);
    expect(await tracesOf(r.store, { id: CAROL.id, names: ['Carolyn'] })).toEqual([]);
  });

  it('is null in lists and deliveries when the erasure did not find the event', async () => {
    const r = await eventRig(stack, receiver);
    await carolActs(r, Math.floor(Date.now() / 1000) - 600, false);
    // The events as they were before the erasure: written while it ran, or not yet in the
    // index it queried.
    const named = (await scanTable(r.store)).filter(
      (item) =>
        item.actorId === CAROL.id || (item.data as { actorId?: unknown })?.actorId === CAROL.id,
    );
    expect(named.length).toBeGreaterThanOrEqual(3);
    await r.erase(CAROL.id);
    for (const Item of named) {
      await r.store.client.send(new PutCommand({ TableName: r.store.tableName, Item }));
    }
    expect(await actorsListed(r)).toEqual({ chat: [null, null], bob: [null], bot: [null] });
    await r.drain();
    const joined = r.received().filter((e) => e.type === 'member.joined');
    expect(joined.map((e) => e.data.actorId)).toEqual([null]);
  });

  it('is gone from an event the erasure did not find once a list has hidden it, for good', async () => {
    const r = await eventRig(stack, receiver);
    await carolActs(r, Math.floor(Date.now() / 1000) - 600, false);
    const named = (await scanTable(r.store)).filter(
      (item) => String(item.sk).startsWith('EVENT#') && item.actorId === CAROL.id,
    );
    expect(named).toHaveLength(2);
    await r.erase(CAROL.id);
    for (const Item of named) {
      await r.store.client.send(new PutCommand({ TableName: r.store.tableName, Item }));
    }
    expect((await actorsListed(r)).chat).toEqual([null, null]);
    const events = (await tracesOf(r.store, { id: CAROL.id, names: ['Carolyn'] })).filter((trace) =>
      trace.sk.startsWith('EVENT#'),
    );
    expect(events).toEqual([]);
    // Her tombstones expire after days (DynamoDB's TTL), the events after RETENTION_DAYS.
    for (const item of await scanTable(r.store)) {
      if (item.pk !== `USER#${CAROL.id}`) continue;
      await r.store.client.send(
        new DeleteCommand({ TableName: r.store.tableName, Key: { pk: item.pk, sk: item.sk } }),
      );
    }
    expect(await actorsListed(r)).toEqual({ chat: [null, null], bob: [null], bot: [null] });
  });
});
