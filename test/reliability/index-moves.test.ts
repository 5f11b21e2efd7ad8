/**
 * A username or phone change: lookups find the new value and never the old one, whichever
 * store call fails on the way. (The first recorder kept index entries of its own and lost
 * track of them on such faults; v2's indexes hold keys only and are checked against the
 * contact as folded now, lib/directory/read/contact-search.ts.)
 */
import { describe, expect, it } from 'vitest';
import { eraseUser } from '../../lib/directory/erasure/erasure.ts';
import { findByPhone, findByUsername } from '../../lib/directory/read/contact-search.ts';
import { webhookEvent } from '../helpers/events.ts';
import { type FaultKind, faultyClient } from '../helpers/faults.ts';
import { useStack } from '../helpers/stack-fixture.ts';
import { tableSnapshot } from '../helpers/webhook.ts';

const ALICE = 1001;
const CHAT = -100200300;

const stack = useStack();

const from = (username: string) => ({ id: ALICE, is_bot: false, first_name: 'Alice', username });
/** Alice's message `updateId` in `chat`, under `username`, with `body` (its text or contact). */
const aliceUpdate = (
  updateId: number,
  chat: Record<string, unknown>,
  username: string,
  body: Record<string, unknown>,
) => ({
  update_id: updateId,
  message: {
    message_id: updateId,
    date: 1_764_000_000 + updateId,
    chat,
    from: from(username),
    ...body,
  },
});
const groupMessage = (updateId: number, username: string) =>
  aliceUpdate(updateId, { id: CHAT, type: 'supergroup', title: 'G' }, username, { text: 'hi' });
const ownContact = (updateId: number, phone: string) =>
  aliceUpdate(updateId, { id: ALICE, type: 'private', first_name: 'Alice' }, 'alice_new', {
    contact: { phone_number: phone, first_name: 'Alice', user_id: ALICE },
  });

/** Delivers `updates` in order, each until 200; `fault` fails the first call that matches. */
async function deliver(
  updates: unknown[],
  fault?: { command: string; kind: FaultKind; after: number },
) {
  const table = await stack.freshTable();
  let seen = 0;
  let fired = false;
  const faulty = faultyClient(table.endpoint, (command) => {
    if (!fault || fired || command !== fault.command) return undefined;
    if (seen++ < fault.after) return undefined;
    fired = true;
    return fault.kind;
  });
  const store = { ...table, client: faulty.client };
  const webhook = await stack.webhook({ store });
  for (const update of updates) {
    let status = 0;
    for (let attempt = 0; status !== 200; attempt++) {
      if (attempt > 3) throw new Error('update never accepted');
      status = (await webhook(webhookEvent(update))).statusCode ?? 0;
    }
  }
  expect(fired || !fault).toBe(true);
  faulty.client.destroy();
  return { table, snapshot: await tableSnapshot(table) };
}

const idsOf = (list: { items: { id: number }[] }) => list.items.map((c) => c.id);

describe('lookups follow username and phone changes despite faults', () => {
  const renames = [groupMessage(1, 'alice_old'), groupMessage(2, 'alice_new')];
  const rephones = [ownContact(1, '+15551234567'), ownContact(2, '+15557654321')];

  it.each([
    ['the rename write is throttled', renames, 'UpdateItemCommand', 'throttle', 3],
    [
      'the rename write lands but its answer is lost',
      renames,
      'UpdateItemCommand',
      'lost-response',
      3,
    ],
    [
      'the new phone write lands but its answer is lost',
      rephones,
      'UpdateItemCommand',
      'lost-response',
      3,
    ],
  ] as const)('finds only the new value when %s', async (_label, updates, command, kind, after) => {
    const { table } = await deliver([...updates], { command, kind, after });
    const page = { limit: 10 };
    if (updates === renames) {
      expect(idsOf(await findByUsername(table, 'alice_new', page))).toEqual([ALICE]);
      expect(idsOf(await findByUsername(table, 'alice_old', page))).toEqual([]);
    } else {
      expect(idsOf(await findByPhone(table, '+15557654321', page))).toEqual([ALICE]);
      expect(idsOf(await findByPhone(table, '+15551234567', page))).toEqual([]);
    }
  });

  it('erases every index key of a user, old usernames included', async () => {
    const { table } = await deliver([
      ...renames,
      ...rephones.map((u) => ({ ...u, update_id: u.update_id + 10 })),
    ]);
    const result = await eraseUser(table, ALICE);
    expect(result.erased).toBe(true);
    const left = (await tableSnapshot(table)).filter((item) => item.gsi2pk !== undefined);
    expect(left).toEqual([]);
  });
});
