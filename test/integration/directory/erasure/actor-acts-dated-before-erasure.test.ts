/**
 * An admin's act (adding a member) dated before the admin's erasure but recorded only after it
 * (the member's chat_member queue was held up), or while the erasure ran after it had looked
 * for her references: the member's stored event and its outbox copy keep no actor id of hers
 * (the event is kept RETENTION_DAYS, her tombstones only days), and the chat's event list
 * never shows it, also once her tombstones have expired. Real webhook and lookup on the
 * embedded store.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../../functions/webhook.ts';
import type { StoreContext } from '../../../../lib/store/client.ts';
import { scanTable, tracesOf } from '../../../helpers/erasure-scan.ts';
import { eraseContact, groupMessage, post, type TestLookup } from '../../../helpers/lookup.ts';
import { chatMemberUpdate } from '../../../helpers/member-updates.ts';
import { gatedClient, nowSeconds } from '../../../helpers/recorder-rig.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';
import type { TestStore } from '../../../helpers/store.ts';

const stack = useStack();

const ALICE_ID = 7_001_001;
const alice = { id: ALICE_ID, first_name: 'Alicia', last_name: 'Quartermain' };
const aliceTraces = { id: ALICE_ID, names: ['Alicia', 'Quartermain'] };
const CAROL = { id: 7_003_003, first_name: 'Carolyn' };
const chat = { id: -1_007_004_000, type: 'supergroup' as const, title: 'Group' };

let store: StoreContext;
let webhook: WebhookHandler;
let api: TestLookup;

beforeEach(async () => {
  stack.botApi.reset();
  ({ store, webhook, lookup: api } = await stack.handlers());
});

/** Alice's adding Carol, dated `t + 5`. */
const addsCarol = (t: number) =>
  chatMemberUpdate({ chat, actor: alice, member: CAROL, from: 'left', to: 'member', date: t + 5 });

async function erase() {
  await eraseContact(api, ALICE_ID);
}

/** Alice writes, is erased, then her adding Carol (sent before the erasure) arrives. */
async function lateAct() {
  const t = nowSeconds() - 600;
  await post(webhook, groupMessage(alice, { chatId: chat.id, date: t }));
  await erase();
  await post(webhook, addsCarol(t));
}

/** Deletes Alice's tombstones, as DynamoDB's TTL does after 3 days (the event stays 400). */
async function expireTombstones() {
  const tombstones = (await scanTable(store)).filter((item) => item.pk === `USER#${ALICE_ID}`);
  expect(tombstones.length).toBeGreaterThan(0);
  for (const item of tombstones) {
    await store.client.send(
      new DeleteCommand({ TableName: store.tableName, Key: { pk: item.pk, sk: item.sk } }),
    );
  }
}

async function chatEvents() {
  const events = await api.call({ path: `/v1/chats/${chat.id}/events` });
  expect(events.status, events.raw).toBe(200);
  return events;
}

describe('an admin’s act dated before her erasure and recorded after it', () => {
  it('keeps no actor id of hers in the member’s stored event or its outbox copy', async () => {
    await lateAct();
    const named = (await scanTable(store)).filter((item) =>
      /^(EVENT|OUTBOX)#/.test(String(item.sk)),
    );
    expect(named.length).toBeGreaterThanOrEqual(2);
    expect(await tracesOf(store, aliceTraces)).toEqual([]);
  });

  it('shows no actor id of hers, also once her tombstones expire', async () => {
    await lateAct();
    const shown = await chatEvents();
    expect(shown.body.items).toHaveLength(1);
    expect(shown.raw).not.toContain(String(ALICE_ID));
    await expireTombstones();
    expect((await chatEvents()).raw).not.toContain(String(ALICE_ID));
  });
});

describe('an admin’s act recorded while her erasure runs', () => {
  it('keeps no actor id of hers when its event lands after the erasure looked for her', async () => {
    const t = nowSeconds() - 600;
    await post(webhook, groupMessage(alice, { chatId: chat.id, date: t }));
    const gated = gatedClient((store as TestStore).endpoint);
    const racing = await stack.webhook({
      store: { client: gated.client, tableName: store.tableName },
    });
    // Carol's event write is held until the erasure has queried Alice's references.
    const event = gated.hold(
      (command, input) =>
        /^Update/.test(command) &&
        input.includes(`"USER#${CAROL.id}"`) &&
        input.includes('"EVENT#'),
    );
    const recording = post(racing, addsCarol(t));
    await event.reached;
    await erase();
    event.release();
    await recording;
    expect(await tracesOf(store, aliceTraces)).toEqual([]);
    await expireTombstones();
    expect((await chatEvents()).raw).not.toContain(String(ALICE_ID));
  });
});
