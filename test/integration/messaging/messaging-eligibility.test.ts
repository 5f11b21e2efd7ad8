/**
 * Who may be messaged (lib/messaging/store/messaging-eligibility.ts) as the recorder leaves it: the
 * private chat's registers, /stop and /start (the PROFILE#PREFS item), blocks from
 * my_chat_member and from refused sends (PROFILE#BLOCKED), and erasure of all of it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eraseUser } from '../../../lib/directory/erasure/erasure.ts';
import { recordBotBlocked } from '../../../lib/messaging/store/bot-blocked.ts';
import { readEligibility } from '../../../lib/messaging/store/messaging-eligibility.ts';
import { ALICE, GROUP } from '../../helpers/lookup.ts';
import { privateBotStatus, privateText } from '../../helpers/private-chat.ts';
import { aliceLeftovers, message, nowSeconds, record, scan } from '../../helpers/recorder-rig.ts';
import { startTestStore, type TestStore } from '../../helpers/store.ts';

let root: TestStore;
let store: TestStore;
beforeAll(async () => {
  root = await startTestStore();
});
afterAll(async () => {
  await root.close();
});
beforeEach(async () => {
  store = await root.freshTable();
});

const NOBODY = { known: false, privateChat: false, botBlocked: false, broadcastOptOut: false };

describe('readEligibility', () => {
  it('knows nobody before any update', async () => {
    expect(await readEligibility(store, ALICE)).toStrictEqual(NOBODY);
  });

  it('knows a group member who never wrote to the bot, without a private chat', async () => {
    const t = nowSeconds() - 600;
    await record(store, message(GROUP, t), t);
    expect(await readEligibility(store, ALICE)).toStrictEqual({ ...NOBODY, known: true });
  });

  it('sees the private chat from a message there, and /stop then /start flip the opt-out', async () => {
    const t = nowSeconds() - 600;
    await record(store, privateText('/start', t), t);
    const open = { known: true, privateChat: true, botBlocked: false, broadcastOptOut: false };
    expect(await readEligibility(store, ALICE)).toStrictEqual(open);

    const stop = privateText('/stop', t + 10);
    await record(store, stop, t + 10);
    expect(await readEligibility(store, ALICE)).toStrictEqual({ ...open, broadcastOptOut: true });

    await record(store, privateText('/start', t + 20), t + 20);
    expect(await readEligibility(store, ALICE)).toStrictEqual(open);

    // A redelivery of the /stop after the /start landed changes nothing (the queue's mark).
    await record(store, stop, t + 30);
    expect(await readEligibility(store, ALICE)).toStrictEqual(open);
  });

  it('records the preference as a single-source item with st and s0', async () => {
    const t = nowSeconds() - 600;
    await record(store, privateText('/stop', t), t);
    const prefs = (await scan(store)).find((i) => i.sk === 'PROFILE#PREFS');
    expect(prefs).toMatchObject({ pk: `USER#${ALICE}`, optOut: true, st: t, s0: t });
  });

  it('ignores /stop said in a group', async () => {
    const t = nowSeconds() - 600;
    const update = message(GROUP, t) as { message: Record<string, unknown> };
    update.message.text = '/stop';
    update.message.entities = [{ offset: 0, length: 5, type: 'bot_command' }];
    await record(store, update, t);
    expect((await readEligibility(store, ALICE)).broadcastOptOut).toBe(false);
  });

  it('sees a block and an unblock from my_chat_member, newest first', async () => {
    const t = nowSeconds() - 600;
    await record(store, privateBotStatus('kicked', t), t);
    expect(await readEligibility(store, ALICE)).toMatchObject({
      known: true,
      privateChat: true,
      botBlocked: true,
    });
    await record(store, privateBotStatus('member', t + 5), t + 5);
    expect(await aliceBlocked()).toBe(false);
  });

  /** Alice starts the bot at `t`; a send at `t + 10` finds it blocked. */
  async function startThenRefusedSend(t: number) {
    await record(store, privateText('/start', t), t);
    await recordBotBlocked(store, ALICE, t + 10);
  }

  it('sees a block recorded by a refused send until the user writes to the bot again', async () => {
    const t = nowSeconds() - 600;
    await startThenRefusedSend(t);
    expect(await aliceBlocked()).toBe(true);
    await record(store, privateText('hello again', t + 20), t + 20);
    expect(await aliceBlocked()).toBe(false);
  });

  it('lets Telegram’s unblock after a refused send win, and a later refused send block again', async () => {
    const t = nowSeconds() - 600;
    await startThenRefusedSend(t);
    await record(store, privateBotStatus('member', t + 20), t + 20);
    expect(await aliceBlocked()).toBe(false);
    await recordBotBlocked(store, ALICE, t + 30);
    expect(await aliceBlocked()).toBe(true);
    // An older record arriving late does not move the time back.
    await recordBotBlocked(store, ALICE, t + 25);
    const item = (await scan(store)).find((i) => i.sk === 'PROFILE#BLOCKED');
    expect(item).toMatchObject({ blockedAt: t + 30, st: t + 30, s0: t + 10 });
  });
});

/** Whether Alice's eligibility says she blocked the bot. */
const aliceBlocked = async () => (await readEligibility(store, ALICE)).botBlocked;

/** Alice reads as erased with `floor`, and nothing of hers is left. */
async function expectErased(floor: number) {
  expect(await readEligibility(store, ALICE)).toStrictEqual({ ...NOBODY, erased: true, floor });
  expect(await aliceLeftovers(store)).toEqual([]);
}

describe('erasure of messaging state', () => {
  it('removes the preference and the refused-send record, and says the contact was erased', async () => {
    const t = nowSeconds() - 600;
    await record(store, privateText('/stop', t), t);
    await recordBotBlocked(store, ALICE, t + 10);
    await eraseUser(store, ALICE, t + 20);
    await expectErased(t + 21);
  });

  it('keeps nothing of a /stop sent before an erasure and delivered after it', async () => {
    const t = nowSeconds() - 600;
    await record(store, privateText('/start', t), t);
    const stop = privateText('/stop', t + 10);
    await eraseUser(store, ALICE, t + 20);
    await record(store, stop, t + 30);
    await expectErased(t + 21);
  });

  it('keeps nothing of a refused send made before an erasure and recorded after it', async () => {
    const t = nowSeconds() - 600;
    await record(store, privateText('/start', t), t);
    await eraseUser(store, ALICE, t + 20);
    await recordBotBlocked(store, ALICE, t + 10);
    expect(await aliceLeftovers(store)).toEqual([]);
  });

  it('starts afresh when the user writes to the bot after the erasure, and tells its floor', async () => {
    const t = nowSeconds() - 600;
    await record(store, privateText('/stop', t), t);
    await eraseUser(store, ALICE, t + 20);
    await record(store, privateText('/start', t + 30), t + 30);
    expect(await readEligibility(store, ALICE)).toStrictEqual({
      known: true,
      privateChat: true,
      botBlocked: false,
      broadcastOptOut: false,
      floor: t + 21,
    });
  });
});
