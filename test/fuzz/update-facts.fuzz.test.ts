import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRecord } from '../../lib/directory/record/record-plan.ts';
import { PLACEHOLDER_USER_IDS, type UpdateFacts } from '../../lib/telegram/update/facts.ts';
import { UPDATE_KINDS } from '../../lib/telegram/update/kinds.ts';
import { extractFacts } from '../../lib/telegram/update/read-update.ts';
import { deliveryQueue } from '../../lib/telegram/update/update-queue.ts';
import { anyUpdate, updateOf } from './arbitraries.ts';
import { fuzzParams, fuzzTimeout } from './fuzz-config.ts';

const BOT_ID = 999;
const MAX_UNIX_SECONDS = 253_402_300_799;
const isSafeId = (id: unknown) => Number.isSafeInteger(id) && id !== 0;

/** Every invariant a consumer of UpdateFacts relies on. Throws on the first broken one. */
function assertWellFormed(facts: UpdateFacts, update: unknown): void {
  const body = (typeof update === 'object' && update !== null ? update : {}) as {
    update_id?: unknown;
  };
  const updateId = Number.isSafeInteger(body.update_id) ? body.update_id : -1;
  expect(facts.updateId).toBe(updateId);
  expect(UPDATE_KINDS.has(facts.kind) || facts.kind === 'unknown').toBe(true);
  expect(Number.isSafeInteger(facts.at) && facts.at >= 0 && facts.at <= MAX_UNIX_SECONDS).toBe(
    true,
  );
  expect(facts.activityDate).toBe(new Date(facts.at * 1000).toISOString().slice(0, 10));

  const people = new Set(facts.people.map((p) => p.id));
  expect(people.size).toBe(facts.people.length);
  for (const person of facts.people) {
    expect(Number.isSafeInteger(person.id) && person.id > 0).toBe(true);
    expect(PLACEHOLDER_USER_IDS.has(person.id) || person.id === BOT_ID).toBe(false);
    expect(typeof person.firstName).toBe('string');
    expect(typeof person.isBot).toBe('boolean');
  }
  const chats = new Set(facts.chats.map((c) => c.id));
  expect(chats.size).toBe(facts.chats.length);
  for (const chat of facts.chats) {
    expect(isSafeId(chat.id)).toBe(true);
    expect(['group', 'supergroup', 'channel']).toContain(chat.type);
  }
  for (const m of facts.memberships) {
    expect(people.has(m.userId)).toBe(true);
    expect(chats.has(m.chatId)).toBe(true);
    expect(typeof m.isMember).toBe('boolean');
  }
  if (facts.message) {
    expect(isSafeId(facts.message.chatId)).toBe(true);
    if (facts.message.chatType !== 'private') expect(chats.has(facts.message.chatId)).toBe(true);
    if (facts.message.senderId !== undefined) expect(people.has(facts.message.senderId)).toBe(true);
  }
  if (facts.verifiedPhone) expect(people.has(facts.verifiedPhone.userId)).toBe(true);
  for (const shared of facts.sharedContacts) {
    expect(people.has(shared.ownerId)).toBe(true);
    if (shared.userId !== undefined) expect(shared.userId > 0).toBe(true);
  }
  if (facts.botStatus) expect(isSafeId(facts.botStatus.chatId)).toBe(true);
  if (facts.migration) {
    expect(isSafeId(facts.migration.fromChatId) && isSafeId(facts.migration.toChatId)).toBe(true);
  }
  // Plain data: survives JSON unchanged (no undefined values, NaN or shared references).
  expect(JSON.parse(JSON.stringify(facts))).toEqual(facts);
}

/** Facts of `update`, checked; also plans and compiles every write they call for. */
function checkUpdate(update: unknown): UpdateFacts {
  const before = JSON.stringify(update);
  const facts = extractFacts(update, { receivedAt: 1_764_000_000, botId: BOT_ID });
  assertWellFormed(facts, update);
  expect(extractFacts(update, { receivedAt: 1_764_000_000, botId: BOT_ID })).toEqual(facts);
  expect(JSON.stringify(update)).toBe(before);
  const plan = planRecord(facts, deliveryQueue(update, facts.kind));
  for (const { update: item } of plan.writes) {
    const input = item.toInput('table');
    expect(typeof input.Key?.pk === 'string' && typeof input.Key?.sk === 'string').toBe(true);
    if (!item.isEmpty) expect(input.UpdateExpression).not.toBe('');
  }
  return facts;
}

describe('extractFacts (fuzzed)', () => {
  it('gives no membership or migration for service messages in a private chat (found by fuzzing)', () => {
    const facts = checkUpdate({
      update_id: 0,
      message: {
        message_id: 0,
        date: 1_500_000_000,
        chat: { id: 1, type: 'private' },
        new_chat_members: [{ id: 2, is_bot: false, first_name: 'B' }],
        left_chat_member: { id: 1, is_bot: false, first_name: 'A' },
        migrate_to_chat_id: -100,
      },
    });
    expect(facts.memberships).toEqual([]);
    expect(facts.migration).toBeUndefined();
  });

  it.each([...UPDATE_KINDS])(
    'is total and well-formed for arbitrary %s updates',
    (kind) => {
      fc.assert(
        fc.property(updateOf(kind), (update) => {
          expect(checkUpdate(update).kind).toBe(kind);
        }),
        fuzzParams(120, 1),
      );
    },
    fuzzTimeout(10_000),
  );

  it(
    'is total for any update, any JSON value and any JavaScript value',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(anyUpdate, fc.jsonValue(), fc.anything({ withNullPrototype: true })),
          (value) => {
            checkUpdate(value);
          },
        ),
        fuzzParams(400, 4),
      );
    },
    fuzzTimeout(10_000),
  );
});
